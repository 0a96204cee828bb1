#!/usr/bin/env node
// `npm test`: lint, typecheck, build, the Node suites, then the real-browser suites.
// Ends with one plain summary line ("N passed, N failed, N skipped") over every vitest run.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, '.tmp', 'test-results');
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

const steps = [
  { name: 'lint', cmd: ['npm', 'run', '--silent', 'lint'] },
  { name: 'typecheck', cmd: ['npm', 'run', '--silent', 'typecheck'] },
  { name: 'build', cmd: ['npm', 'run', '--silent', 'build'] },
  { name: 'lint:firefox', cmd: ['npm', 'run', '--silent', 'lint:firefox'], optional: true },
  { name: 'unit', vitest: 'vitest.config.ts' },
  { name: 'browser', vitest: 'vitest.browser.config.ts' },
];

const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
let failedSteps = [];
const totals = { passed: 0, failed: 0, skipped: 0 };

for (const step of steps) {
  if (step.optional && !pkg.scripts?.[step.name]) continue;
  const started = Date.now();
  console.log(`\n=== ${step.name} ===`);
  let cmd = step.cmd;
  let jsonFile;
  if (step.vitest) {
    jsonFile = path.join(outDir, `${step.name}.json`);
    cmd = [
      'npx',
      'vitest',
      'run',
      '-c',
      step.vitest,
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${jsonFile}`,
    ];
  }
  const r = spawnSync(cmd[0], cmd.slice(1), { cwd: root, stdio: 'inherit' });
  if (jsonFile) {
    try {
      const report = JSON.parse(readFileSync(jsonFile, 'utf8'));
      totals.passed += report.numPassedTests ?? 0;
      totals.failed += report.numFailedTests ?? 0;
      totals.skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    } catch {
      // No report means the runner itself failed; the exit status below records it.
    }
  }
  console.log(
    `=== ${step.name}: ${r.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  if (r.status !== 0) failedSteps.push(step.name);
}

if (failedSteps.length > 0) console.log(`\nFailed steps: ${failedSteps.join(', ')}`);
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failedSteps.length > 0 || totals.failed > 0 || totals.passed === 0 ? 1 : 0);
