// The renderer with KaTeX installed: what Node, the CLI and the tests use. The sandboxed renderer
// frame imports './base' instead and loads KaTeX only for a notebook with math (issue 5).
import katex from 'katex';
import { setKatexEngine } from './math';

setKatexEngine(katex);

export * from './base';
