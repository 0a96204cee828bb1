// Large images (issue 5). A 20 MB data: URI set as img.src held Chromium's main thread for
// 250-500 ms (the URL is parsed and its base64 decoded in one go). Decoded here in slices into a
// Blob, the same image costs no task over 50 ms, and the 20 MB string is never copied.

/** Base64 characters decoded per task: a multiple of 4, so every slice but the last is whole. */
const SLICE_CHARS = 2 * 1024 * 1024;

type FromBase64 = (s: string) => Uint8Array;

function decoder(): (s: string) => Uint8Array<ArrayBuffer> {
  const native = (Uint8Array as unknown as { fromBase64?: FromBase64 }).fromBase64;
  if (typeof native === 'function') {
    return (s) => native.call(Uint8Array, s) as Uint8Array<ArrayBuffer>;
  }
  return (s) => {
    const bin = atob(s);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i += 1) out[i] = bin.charCodeAt(i);
    return out;
  };
}

/** The image's bytes as a Blob, decoded from base64 in slices, one per task. */
export async function base64ToBlob(
  base64: string,
  type: string,
  nextTask: (fn: () => void) => void,
): Promise<Blob> {
  const decode = decoder();
  // Blob by blob: the browser keeps the bytes out of the JS heap, each slice is garbage at once.
  let blob = new Blob([], { type });
  for (let i = 0; i < base64.length; i += SLICE_CHARS) {
    blob = new Blob([blob, decode(base64.slice(i, i + SLICE_CHARS))], { type });
    if (i + SLICE_CHARS < base64.length) await new Promise<void>((resolve) => nextTask(resolve));
  }
  return blob;
}

/**
 * Shows a large image without one long task: the image gets a blob: URL (the frame's CSP allows
 * blob: images), released once the image has loaded or failed. Should the payload not decode,
 * or the blob: URL not load (Firefox ESR does not load one in the opaque-origin frame), the
 * data: URI is set as before.
 */
export function setLargeImage(
  img: HTMLImageElement,
  image: { type: string; base64: string },
  nextTask: (fn: () => void) => void,
): void {
  const asDataUri = (): void => {
    img.src = `data:${image.type};base64,${image.base64}`;
  };
  base64ToBlob(image.base64, image.type, nextTask).then((blob) => {
    const url = URL.createObjectURL(blob);
    // Both listeners go once either fires: the error one holds the payload (and so, through a
    // slice of it, maybe a whole Markdown source) for its fallback (issue 5, the kept heap).
    const done = new AbortController();
    const release = (): void => {
      done.abort();
      URL.revokeObjectURL(url);
    };
    img.addEventListener('load', release, { signal: done.signal });
    img.addEventListener(
      'error',
      () => {
        release();
        if (img.getAttribute('src') === url) asDataUri();
      },
      { signal: done.signal },
    );
    img.src = url;
  }, asDataUri);
}
