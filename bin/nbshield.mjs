#!/usr/bin/env node
// Thin launcher: the CLI itself is bundled by `npm run build` into dist/cli/nbshield.mjs.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../dist/cli/nbshield.mjs', import.meta.url);
if (!existsSync(fileURLToPath(bundle))) {
  process.stderr.write('nbshield: the CLI is not built yet; run npm run build first\n');
  process.exit(2);
}
const { main } = await import(bundle.href);
await main(process.argv.slice(2));
