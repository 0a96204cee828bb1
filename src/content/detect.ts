// Which kind of notebook page a URL is. Pure (no DOM): the content script runs this first on every
// page and URL change, so it must be cheap and must say "none" for everything that is not a
// notebook view.

export type NotebookPage =
  /** github.com/OWNER/REPO/blob/REF/PATH.ipynb — REF may contain slashes, so it is not split. */
  | { kind: 'blob'; url: string; owner: string; repo: string; refPath: string; name: string }
  /** a gist page; which of its files are notebooks is found in the DOM. */
  | { kind: 'gist'; url: string; gistId: string }
  /** a raw notebook URL on raw.githubusercontent.com / gist.githubusercontent.com */
  | { kind: 'raw'; url: string; name: string }
  | { kind: 'file'; url: string; name: string }
  | { kind: 'none' };

const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;
const GIST_ID = /^[0-9a-f]{5,64}$/i;
// First path segments of github.com that are never an owner.
const RESERVED_OWNERS = new Set([
  'orgs',
  'settings',
  'marketplace',
  'explore',
  'topics',
  'search',
  'notifications',
  'pulls',
  'issues',
  'login',
  'logout',
  'sponsors',
  'features',
  'enterprise',
  'apps',
  'users',
  'codespaces',
  'new',
  'organizations',
]);
// gist.github.com/USER/ID/<these> are not the gist's file view.
const GIST_SUBPAGES = new Set(['revisions', 'forks', 'stargazers', 'edit', 'download', 'raw']);

function decode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

function isNotebookName(name: string | null): name is string {
  return name !== null && /\.ipynb$/i.test(name) && name.length > '.ipynb'.length;
}

function lastSegmentName(pathname: string): string | null {
  const segs = pathname.split('/');
  return decode(segs[segs.length - 1] ?? '');
}

/** The page at `href` as nbshield sees it. Never throws. */
export function detectPage(href: string): NotebookPage {
  let u: URL;
  try {
    u = new URL(href);
  } catch {
    return { kind: 'none' };
  }
  const segs = u.pathname.split('/').slice(1);
  if (u.protocol === 'file:') {
    const name = lastSegmentName(u.pathname);
    return isNotebookName(name) ? { kind: 'file', url: stripHash(u), name } : { kind: 'none' };
  }
  if (u.protocol !== 'https:' || (u.port !== '' && u.port !== '443')) return { kind: 'none' };

  switch (u.hostname) {
    case 'github.com': {
      const [owner, repo, blob, ...rest] = segs;
      if (owner === undefined || repo === undefined || blob !== 'blob' || rest.length < 2) break;
      if (!OWNER.test(owner) || RESERVED_OWNERS.has(owner.toLowerCase()) || !REPO.test(repo)) break;
      // ?plain=1 is GitHub's source view: the user asked for the JSON text, leave it alone.
      if (u.searchParams.get('plain') === '1') break;
      const name = decode(rest[rest.length - 1] ?? '');
      if (!isNotebookName(name) || rest.some((s) => s === '')) break;
      return {
        kind: 'blob',
        url: `https://github.com/${owner}/${repo}/blob/${rest.join('/')}`,
        owner,
        repo,
        refPath: rest.join('/'),
        name,
      };
    }
    case 'gist.github.com': {
      // /ID, /USER/ID or /USER/ID/REVISION
      const clean = segs.filter((s) => s !== '');
      let id: string | undefined;
      if (clean.length === 1 && GIST_ID.test(clean[0] ?? '')) id = clean[0];
      else if (clean.length >= 2 && clean.length <= 3 && OWNER.test(clean[0] ?? '')) {
        if (
          GIST_ID.test(clean[1] ?? '') &&
          !(clean[2] !== undefined && GIST_SUBPAGES.has(clean[2]))
        )
          id = clean[1];
      }
      if (id === undefined) break;
      return { kind: 'gist', url: `https://gist.github.com${u.pathname}`, gistId: id };
    }
    case 'raw.githubusercontent.com': {
      // /OWNER/REPO/REF.../PATH.ipynb
      if (segs.length < 4 || !OWNER.test(segs[0] ?? '') || !REPO.test(segs[1] ?? '')) break;
      const name = lastSegmentName(u.pathname);
      if (!isNotebookName(name)) break;
      return { kind: 'raw', url: `https://raw.githubusercontent.com${u.pathname}`, name };
    }
    case 'gist.githubusercontent.com': {
      // /USER/ID/raw/[REV/]NAME.ipynb
      if (segs.length < 4 || segs[2] !== 'raw' || !GIST_ID.test(segs[1] ?? '')) break;
      const name = lastSegmentName(u.pathname);
      if (!isNotebookName(name)) break;
      return { kind: 'raw', url: `https://gist.githubusercontent.com${u.pathname}`, name };
    }
  }
  return { kind: 'none' };
}

function stripHash(u: URL): string {
  return u.href.slice(0, u.href.length - u.hash.length);
}

/** A gist file's raw link (from its file box) if it is a notebook, normalised; else null. */
export function gistRawNotebookUrl(href: string, base: string): string | null {
  let u: URL;
  try {
    u = new URL(href, base);
  } catch {
    return null;
  }
  const segs = u.pathname.split('/').slice(1);
  if (u.protocol !== 'https:') return null;
  const name = lastSegmentName(u.pathname);
  if (!isNotebookName(name)) return null;
  if (u.hostname === 'gist.githubusercontent.com' && segs[2] === 'raw') {
    return `https://gist.githubusercontent.com${u.pathname}`;
  }
  // gist.github.com/USER/ID/raw/REV/NAME redirects to gist.githubusercontent.com
  if (u.hostname === 'gist.github.com' && segs.includes('raw')) {
    return `https://gist.github.com${u.pathname}`;
  }
  return null;
}
