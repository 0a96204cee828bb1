// The viewer's decisions that need no DOM, kept apart so they can be tested in Node.

/**
 * Where the viewer may post its state messages: the embedding page's origin. The browser's own
 * `ancestorOrigins` (Chromium) wins over anything in our URL, then the referrer's origin (Firefox
 * sends it), then the content script's claim. Opaque or file origins cannot be targeted by name;
 * the state messages carry nothing secret, so '*' is acceptable there.
 */
export function parentTargetOrigin(
  claimed: string | null,
  ancestorOrigin: string | undefined,
  referrer: string,
): string {
  const normal = (o: string | null | undefined): string | null => {
    if (o === null || o === undefined || o === '') return null;
    try {
      const u = new URL(o);
      if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
      return u.origin;
    } catch {
      return null;
    }
  };
  if (ancestorOrigin !== undefined) return normal(ancestorOrigin) ?? '*';
  return normal(referrer) ?? normal(claimed) ?? '*';
}

/** Only plain web links may be opened from the renderer's `open-link` requests. */
export function openableLink(href: string): string | null {
  let u: URL;
  try {
    u = new URL(href);
  } catch {
    return null;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
  if (u.username !== '' || u.password !== '') return null;
  return u.href;
}

/** A link to the notebook's raw bytes (GitHub blob views go through /raw/). */
export function rawLinkFor(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol === 'file:') return u.href;
  if (u.protocol !== 'https:') return null;
  if (u.hostname === 'github.com') {
    const parts = u.pathname.split('/');
    if (parts[3] === 'blob') parts[3] = 'raw';
    u.pathname = parts.join('/');
  }
  return u.href;
}

export type TrustClickDecision = 'act' | 'ignore' | 'covered' | 'too-soon' | 'confirm';

/**
 * Clickjacking defence for the Trust button. The embedding page can overlay or fade the viewer, so
 * a click counts only if the browser made it (`isTrusted`) and either IntersectionObserver v2 says
 * the toolbar is really visible (Chromium), or, without v2 (Firefox), the user confirms with a
 * second click a moment later.
 */
export class TrustGate {
  private armedAt: number | null = null;
  constructor(
    private readonly v2Supported: boolean,
    private readonly confirmMinMs = 400,
    private readonly confirmMaxMs = 10_000,
    private readonly minVisibleMs = 150,
  ) {}

  /**
   * `visibleSince`: when IntersectionObserver v2 last started reporting the toolbar visible (null
   * while it is not). A page that slides the frame under the cursor just before a click gets
   * 'too-soon': the toolbar must have been visible for `minVisibleMs` first.
   */
  decide(input: {
    isTrusted: boolean;
    visibleSince: number | null;
    now: number;
  }): TrustClickDecision {
    if (!input.isTrusted) return 'ignore';
    if (this.v2Supported) {
      const since = input.visibleSince;
      if (since === null) return 'covered';
      return input.now - since >= this.minVisibleMs ? 'act' : 'too-soon';
    }
    const armed = this.armedAt;
    if (armed !== null) {
      const dt = input.now - armed;
      if (dt >= this.confirmMinMs && dt <= this.confirmMaxMs) {
        this.armedAt = null;
        return 'act';
      }
      // Too fast is a double-click an overlay could have provoked; too slow starts over.
      if (dt < this.confirmMinMs) return 'ignore';
    }
    this.armedAt = input.now;
    return 'confirm';
  }

  reset(): void {
    this.armedAt = null;
  }

  get armed(): boolean {
    return this.armedAt !== null;
  }
}

/** A fresh random token, for the renderer URL's fragment. */
export function randomNonce(): string {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/**
 * The toolbar's arrow keys (the ARIA toolbar pattern; Tab still visits every control): the index
 * of the control to focus, or null for keys the toolbar leaves alone. Wraps around at the ends.
 */
export function toolbarStep(current: number, count: number, key: string): number | null {
  if (count <= 0 || current < 0 || current >= count) return null;
  if (key === 'Home') return 0;
  if (key === 'End') return count - 1;
  if (key === 'ArrowRight') return (current + 1) % count;
  if (key === 'ArrowLeft') return (current - 1 + count) % count;
  return null;
}
