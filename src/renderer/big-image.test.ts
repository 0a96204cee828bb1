import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { base64ToBlob } from './big-image';

const now = (fn: () => void): void => fn();

async function roundTrip(
  bytes: Buffer,
  mime = 'image/png',
): Promise<{ out: Buffer; tasks: number }> {
  let tasks = 0;
  const blob = await base64ToBlob(bytes.toString('base64'), mime, (fn) => {
    tasks += 1;
    fn();
  });
  expect(blob.type).toBe(mime);
  return { out: Buffer.from(await blob.arrayBuffer()), tasks };
}

const U8 = Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array };
const original = U8.fromBase64;

describe('base64ToBlob', () => {
  afterEach(() => {
    if (original) U8.fromBase64 = original;
    else delete U8.fromBase64;
  });

  for (const native of [false, true]) {
    const label = native ? 'Uint8Array.fromBase64' : 'atob';
    it(`gives back the same bytes, sliced into tasks on big images (${label})`, async () => {
      if (native) U8.fromBase64 = (s) => new Uint8Array(Buffer.from(s, 'base64'));
      else delete U8.fromBase64;
      for (const n of [0, 1, 2, 3, 4, 5, 100, 1_572_863, 1_572_864, 1_572_865, 5_000_001]) {
        const bytes = randomBytes(n);
        const { out, tasks } = await roundTrip(bytes);
        expect(out.equals(bytes), `length ${n}`).toBe(true);
        // 2 MiB of base64 per slice is 1.5 MiB of bytes: a yield between slices, none after.
        expect(tasks, `length ${n}`).toBe(Math.max(0, Math.ceil(n / 1_572_864) - 1));
      }
      // Unpadded base64 (core accepts it) decodes too.
      const b = randomBytes(10);
      const unpadded = b.toString('base64').replace(/=+$/, '');
      const blob = await base64ToBlob(unpadded, 'image/gif', now);
      expect(Buffer.from(await blob.arrayBuffer()).equals(b)).toBe(true);
    });
  }

  it('rejects a payload that does not decode (so the renderer falls back to the data: URI)', async () => {
    await expect(base64ToBlob('A', 'image/png', now)).rejects.toThrow();
  });
});
