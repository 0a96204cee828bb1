import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { base64ToBlob, setLargeImage } from './big-image';

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

describe('setLargeImage', () => {
  /** Enough of an <img> for setLargeImage: events, src, getAttribute('src'). */
  class FakeImg extends EventTarget {
    src = '';
    getAttribute(name: string): string | null {
      return name === 'src' ? this.src : null;
    }
  }
  const settle = () => new Promise((r) => setTimeout(r, 0));

  it('lets go of the payload once the image has loaded (no listener left holding it)', async () => {
    const img = new FakeImg();
    const image = { type: 'image/png', base64: randomBytes(30).toString('base64') };
    setLargeImage(img as unknown as HTMLImageElement, image, now);
    await settle();
    expect(img.src).toMatch(/^blob:/);
    img.dispatchEvent(new Event('load'));
    // An error after the load finds no listener: the fallback (which holds the payload) is gone.
    img.dispatchEvent(new Event('error'));
    expect(img.src).toMatch(/^blob:/);
  });

  it('falls back to the data: URI when the blob: URL does not load', async () => {
    const img = new FakeImg();
    const image = { type: 'image/png', base64: 'AAAA' };
    setLargeImage(img as unknown as HTMLImageElement, image, now);
    await settle();
    img.dispatchEvent(new Event('error'));
    expect(img.src).toBe('data:image/png;base64,AAAA');
  });
});
