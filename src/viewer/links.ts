// "Open elsewhere" links for the viewer toolbar: pure URL builders, testable in Node.

export interface LinksOut {
  colab?: string;
  nbviewer?: string;
  binder?: string;
  /** The notebook's raw bytes (http(s) only). */
  download?: string;
}

function segs(pathname: string): string[] {
  return pathname.split('/').filter((s) => s !== '');
}

/** `https://github.com/O/R/blob/REF/PATH` (or raw.githubusercontent.com/O/R/REF/PATH) parts. */
function githubParts(u: URL): { owner: string; repo: string; ref: string; path: string } | null {
  const p = segs(u.pathname);
  if (u.hostname === 'github.com' && p.length >= 5 && (p[2] === 'blob' || p[2] === 'raw')) {
    return { owner: p[0]!, repo: p[1]!, ref: p[3]!, path: p.slice(4).join('/') };
  }
  if (u.hostname === 'raw.githubusercontent.com' && p.length >= 4) {
    return { owner: p[0]!, repo: p[1]!, ref: p[2]!, path: p.slice(3).join('/') };
  }
  return null;
}

/** `https://gist.github.com/USER/ID` (or the raw gist host) parts. */
function gistParts(u: URL): { user: string; id: string } | null {
  const p = segs(u.pathname);
  if (
    (u.hostname === 'gist.github.com' || u.hostname === 'gist.githubusercontent.com') &&
    p.length >= 2
  ) {
    if (!/^[0-9a-f]{5,64}$/i.test(p[1]!)) return null;
    return { user: p[0]!, id: p[1]! };
  }
  return null;
}

const safe = (s: string): boolean => s !== '.' && s !== '..' && !/[?#\\]/.test(s);

/** Where a notebook at `url` (the page's notebook URL) can be opened elsewhere. */
export function linksOut(url: string, rawUrl: string | null): LinksOut {
  const out: LinksOut = {};
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return out;
  }
  if (rawUrl !== null && /^https?:\/\//i.test(rawUrl)) out.download = rawUrl;
  if (u.protocol !== 'https:') return out;
  const g = githubParts(u);
  if (g !== null && [g.owner, g.repo, g.ref].every(safe) && g.path.split('/').every(safe)) {
    const tail = `${g.owner}/${g.repo}/blob/${g.ref}/${g.path}`;
    out.colab = `https://colab.research.google.com/github/${tail}`;
    out.nbviewer = `https://nbviewer.org/github/${tail}`;
    let labpath = g.path;
    try {
      labpath = decodeURIComponent(g.path);
    } catch {
      // keep it encoded
    }
    out.binder = `https://mybinder.org/v2/gh/${g.owner}/${g.repo}/${g.ref}?${new URLSearchParams({ labpath }).toString()}`;
    return out;
  }
  const gist = gistParts(u);
  if (gist !== null && safe(gist.user)) {
    out.colab = `https://colab.research.google.com/gist/${gist.user}/${gist.id}`;
    out.nbviewer = `https://nbviewer.org/gist/${gist.user}/${gist.id}`;
    out.binder = `https://mybinder.org/v2/gist/${gist.user}/${gist.id}/HEAD`;
  }
  return out;
}

/** The page's fragment as passed by the content script, if it is one the renderer may act on. */
export function deepLinkHash(raw: string | null): string | null {
  if (raw === null) return null;
  if (!/^#[^\s#]{1,512}$/.test(raw)) return null;
  return raw;
}
