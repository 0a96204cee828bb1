// Runs the real nbformat (Debian's /usr/bin/python3) on a batch of requests, one process per
// batch, for nbshield's differential tests.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./nbdigest.py', import.meta.url));

export type PyRequest =
  | { text: string; secret_hex: string }
  | { text: string; secret_file: string }
  | { pystr: string[] }
  | { dumps: string }
  | { make_secret_dir: string };

export interface PyResponse {
  ok: boolean;
  digest?: string;
  error?: string;
  path?: string;
  str?: string;
  results?: { ok: boolean; str?: string; error?: string }[];
}

export function runPython(reqs: PyRequest[]): PyResponse[] {
  const input = reqs.map((r) => JSON.stringify(r)).join('\n') + '\n';
  const res = spawnSync(PYTHON, [SCRIPT], { input, maxBuffer: 1 << 30, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`nbdigest.py failed: ${res.stderr}`);
  const lines = res.stdout.split('\n').filter((l) => l !== '');
  if (lines.length !== reqs.length) {
    throw new Error(`nbdigest.py answered ${lines.length} of ${reqs.length}: ${res.stderr}`);
  }
  return lines.map((l) => JSON.parse(l) as PyResponse);
}
