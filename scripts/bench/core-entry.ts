// What `npm run bench` times from the core, bundled once per bench run (scripts/bench.mjs).
export { parseNotebook } from '../../src/core/parse';
export {
  jupyterDigest,
  jupyterDigestBytes,
  jupyterDigestScratchBytes,
} from '../../src/core/digest';
export { nodeHmacSha256 } from '../../src/cli/node-hmac';
export { createNodeSanitizer } from '../../src/cli/node-sanitizer';
export { createSanitizer } from '../../src/core/sanitize';
export { renderStandalonePage } from '../../src/core/render/index';
export { signNotebookText } from '../../src/core/trust';
