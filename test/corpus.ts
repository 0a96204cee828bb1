// The shared corpus of real notebooks (../shared/corpus beside the repository), as every test that
// reads it finds it: one place for where it is and which files are notebooks.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CORPUS_DIR = path.resolve(REPO_ROOT, '../shared/corpus');

/** The corpus notebooks' file names, sorted; empty when the corpus is not there. */
export function corpusFiles(): string[] {
  if (!fs.existsSync(CORPUS_DIR)) return [];
  return fs
    .readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith('.ipynb'))
    .sort();
}

export function readCorpus(file: string): string {
  return fs.readFileSync(path.join(CORPUS_DIR, file), 'utf8');
}
