// What `npm run bench` times from the core, bundled once per bench run (scripts/bench.mjs).
export { parseNotebook } from '../../src/core/parse';
export { jupyterDigest } from '../../src/core/digest';
export { createSanitizer } from '../../src/core/sanitize';
export { renderStandalonePage } from '../../src/core/render/index';
