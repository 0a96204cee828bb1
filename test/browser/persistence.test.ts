// Persistence in real Chromium: keys and one-click trust records survive a service-worker restart
// (CDP Target.closeTarget) and a browser restart on the same profile.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeGitHub } from '../fakegithub/server.mjs';
import {
  copyExtension,
  freshProfileDir,
  inWorker,
  launchChrome,
  restartServiceWorker,
  setSecretHex,
  startServer,
  viewerFrame,
  waitRendered,
  waitTrust,
  type ChromeSession,
} from './harness';
import { execFileSync } from 'node:child_process';

let server: FakeGitHub;
let s: ChromeSession;
const KEY_HEX = crypto.randomBytes(32).toString('hex');
const profileDir = freshProfileDir('persist');
const REPO = 'nbshield/persist';

function legacySigned(): string {
  const nb = {
    metadata: { name: 'persist' },
    nbformat: 3,
    nbformat_minor: 0,
    worksheets: [
      { metadata: {}, cells: [{ cell_type: 'markdown', metadata: {}, source: ['# signed'] }] },
    ],
  };
  const digest = execFileSync(
    '/usr/bin/python3',
    [
      '-c',
      `import sys, nbformat
from nbformat.sign import NotebookNotary
print(NotebookNotary(secret=bytes.fromhex('${KEY_HEX}')).compute_signature(nbformat.reads(sys.stdin.read(), nbformat.NO_CONVERT)))`,
    ],
    { input: JSON.stringify(nb), encoding: 'utf8' },
  ).trim();
  return JSON.stringify({ ...nb, metadata: { ...nb.metadata, signature: `sha256:${digest}` } });
}

async function trustOf(p: string): Promise<string | null> {
  const page = await s.context.newPage();
  await page.goto(server.blobUrl(REPO, p));
  const st = await waitRendered(page);
  await page.close();
  return st.trust;
}

beforeAll(async () => {
  server = await startServer();
  server.setFile(REPO, 'signed-v3.ipynb', legacySigned());
  server.setFile(
    REPO,
    'clicked.ipynb',
    JSON.stringify({
      cells: [
        {
          cell_type: 'markdown',
          metadata: {},
          source: `trusted by a click ${KEY_HEX.slice(0, 6)}`,
        },
      ],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5,
    }),
  );
  s = await launchChrome({ server, profileDir, extensionDir: copyExtension('chrome') });
});
afterAll(async () => {
  await s?.close();
  await server?.close();
});

describe('persistence (Chromium)', () => {
  it('a key and a one-click record are in place', async () => {
    expect(await trustOf('signed-v3.ipynb')).toBe('untrusted');
    await setSecretHex(s, KEY_HEX);
    expect(await trustOf('signed-v3.ipynb')).toBe('trusted');
    const page = await s.context.newPage();
    await page.goto(server.blobUrl(REPO, 'clicked.ipynb'));
    await waitRendered(page);
    await (
      await viewerFrame(page, s.extensionId)
    )
      .locator('[data-nbshield-action="trust"]')
      .click();
    await waitTrust(page, 'trusted');
    await page.close();
  });

  it('survive a service-worker restart', async () => {
    await inWorker(
      s,
      () => {
        (globalThis as { __beforeRestart?: number }).__beforeRestart = 1;
      },
      null,
    );
    await restartServiceWorker(s);
    // It really is a new worker: the old global is gone.
    expect(
      await inWorker(
        s,
        () => (globalThis as { __beforeRestart?: number }).__beforeRestart ?? 0,
        null,
      ),
    ).toBe(0);
    expect(await trustOf('signed-v3.ipynb')).toBe('trusted');
    expect(await trustOf('clicked.ipynb')).toBe('trusted');
  });

  it('survive a browser restart on the same profile', async () => {
    const dir = s.extensionDir;
    await s.close();
    s = await launchChrome({ server, profileDir, extensionDir: dir });
    expect(await trustOf('signed-v3.ipynb')).toBe('trusted');
    expect(await trustOf('clicked.ipynb')).toBe('trusted');
  });

  it('control: a fresh profile has neither', async () => {
    const other = await launchChrome({ server, profileDir: freshProfileDir('persist-control') });
    try {
      for (const p of ['signed-v3.ipynb', 'clicked.ipynb']) {
        const page = await other.context.newPage();
        await page.goto(server.blobUrl(REPO, p));
        expect((await waitRendered(page)).trust).toBe('untrusted');
        await page.close();
      }
    } finally {
      await other.close();
    }
  });
});
