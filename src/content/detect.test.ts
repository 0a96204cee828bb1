import { describe, expect, it } from 'vitest';
import { detectPage, gistRawNotebookUrl } from './detect';

// Real-looking URLs, refined-github style: each row is a URL and what must come out of it.
const blobs: Array<[string, { owner: string; repo: string; refPath: string; name: string }]> = [
  [
    'https://github.com/jupyter/notebook/blob/main/docs/source/examples/Notebook/Running%20Code.ipynb',
    {
      owner: 'jupyter',
      repo: 'notebook',
      refPath: 'main/docs/source/examples/Notebook/Running%20Code.ipynb',
      name: 'Running Code.ipynb',
    },
  ],
  [
    'https://github.com/ageron/handson-ml3/blob/main/01_the_machine_learning_landscape.ipynb',
    {
      owner: 'ageron',
      repo: 'handson-ml3',
      refPath: 'main/01_the_machine_learning_landscape.ipynb',
      name: '01_the_machine_learning_landscape.ipynb',
    },
  ],
  [
    // a branch with slashes: REF and PATH cannot be told apart, so they stay together
    'https://github.com/org/repo.name/blob/feature/new-plots/analysis/plots.ipynb#L12',
    {
      owner: 'org',
      repo: 'repo.name',
      refPath: 'feature/new-plots/analysis/plots.ipynb',
      name: 'plots.ipynb',
    },
  ],
  [
    'https://github.com/a-b/c_d/blob/0123456789abcdef0123456789abcdef01234567/x.IPYNB?raw=false',
    {
      owner: 'a-b',
      repo: 'c_d',
      refPath: '0123456789abcdef0123456789abcdef01234567/x.IPYNB',
      name: 'x.IPYNB',
    },
  ],
  [
    'https://github.com/u/r/blob/v1.2.0/%E6%95%B0%E6%8D%AE/%E5%88%86%E6%9E%90.ipynb',
    {
      owner: 'u',
      repo: 'r',
      refPath: 'v1.2.0/%E6%95%B0%E6%8D%AE/%E5%88%86%E6%9E%90.ipynb',
      name: '分析.ipynb',
    },
  ],
  [
    'https://github.com/u/r/blob/main/name%23with%23hash.ipynb',
    {
      owner: 'u',
      repo: 'r',
      refPath: 'main/name%23with%23hash.ipynb',
      name: 'name#with#hash.ipynb',
    },
  ],
  [
    'https://github.com/u/r/blob/refs/heads/main/nb.ipynb?plain=0',
    { owner: 'u', repo: 'r', refPath: 'refs/heads/main/nb.ipynb', name: 'nb.ipynb' },
  ],
];

const notNotebooks = [
  'https://github.com/',
  'https://github.com/jupyter',
  'https://github.com/jupyter/notebook',
  'https://github.com/jupyter/notebook/tree/main/docs',
  'https://github.com/jupyter/notebook/tree/main/nb.ipynb',
  'https://github.com/jupyter/notebook/blob/main/setup.py',
  'https://github.com/jupyter/notebook/blob/main/notes.ipynb.md',
  'https://github.com/jupyter/notebook/blob/main/.ipynb',
  'https://github.com/jupyter/notebook/blob/main/nb.ipynb?plain=1',
  'https://github.com/jupyter/notebook/blob/main/nb.ipynb?plain=1#L3',
  'https://github.com/jupyter/notebook/blob/nb.ipynb',
  'https://github.com/jupyter/notebook/blame/main/nb.ipynb',
  'https://github.com/jupyter/notebook/edit/main/nb.ipynb',
  'https://github.com/jupyter/notebook/commits/main/nb.ipynb',
  'https://github.com/jupyter/notebook/pull/7000/files',
  'https://github.com/jupyter/notebook/pull/7000',
  'https://github.com/jupyter/notebook/issues/1',
  'https://github.com/jupyter/notebook/compare/main...dev',
  'https://github.com/orgs/jupyter/blob/main/nb.ipynb',
  'https://github.com/settings/blob/main/nb.ipynb',
  'https://github.com/u/r/blob/main//nb.ipynb',
  'https://github.com/u/r/blob/main/bad%E0%A4%A.ipynb',
  'http://github.com/u/r/blob/main/nb.ipynb',
  'https://github.com:8443/u/r/blob/main/nb.ipynb',
  'https://evil.example/u/r/blob/main/nb.ipynb',
  'https://github.com.evil.example/u/r/blob/main/nb.ipynb',
  'https://notgithub.com/u/r/blob/main/nb.ipynb',
  'https://gist.github.com/',
  'https://gist.github.com/discover',
  'https://gist.github.com/starred',
  'https://gist.github.com/someuser',
  'https://gist.github.com/someuser/0123abcd/revisions',
  'https://gist.github.com/someuser/0123abcd/forks',
  'https://raw.githubusercontent.com/u/r/main/setup.py',
  'https://raw.githubusercontent.com/u/r/nb.ipynb',
  'https://gist.githubusercontent.com/u/0123abcd/nb.ipynb',
  'https://gist.githubusercontent.com/u/0123abcd/raw/x.py',
  'file:///home/me/notes.txt',
  'file:///home/me/',
  'about:blank',
  'chrome://extensions',
  'not a url',
  '',
  'javascript:alert(1)//.ipynb',
  'data:text/html,x.ipynb',
];

describe('detectPage', () => {
  it.each(blobs)('blob view %s', (url, want) => {
    const got = detectPage(url);
    expect(got.kind).toBe('blob');
    if (got.kind !== 'blob') return;
    expect({ owner: got.owner, repo: got.repo, refPath: got.refPath, name: got.name }).toEqual(
      want,
    );
    // the URL handed to the background drops query and hash
    expect(got.url).toBe(`https://github.com/${want.owner}/${want.repo}/blob/${want.refPath}`);
  });

  it.each(notNotebooks.map((u) => [u]))('not a notebook view: %s', (url) => {
    expect(detectPage(url)).toEqual({ kind: 'none' });
  });

  it.each([
    [
      'https://gist.github.com/someuser/6f1e0d3c2b1a09876f1e0d3c2b1a0987',
      '6f1e0d3c2b1a09876f1e0d3c2b1a0987',
    ],
    ['https://gist.github.com/6f1e0d3c2b1a0987', '6f1e0d3c2b1a0987'],
    ['https://gist.github.com/some-user/abcdef0123/0123456789abcdef#file-a-ipynb', 'abcdef0123'],
  ])('gist page %s', (url, id) => {
    const got = detectPage(url);
    expect(got.kind).toBe('gist');
    if (got.kind === 'gist') expect(got.gistId).toBe(id);
  });

  it.each([
    ['https://raw.githubusercontent.com/u/r/main/a/b.ipynb', 'b.ipynb'],
    [
      'https://raw.githubusercontent.com/u/r/refs/heads/feat/x/My%20NB.ipynb?token=ABC',
      'My NB.ipynb',
    ],
    ['https://gist.githubusercontent.com/u/abcdef0123/raw/nb.ipynb', 'nb.ipynb'],
    ['https://gist.githubusercontent.com/u/abcdef0123/raw/0123456789abcdef/nb.ipynb', 'nb.ipynb'],
  ])('raw URL %s', (url, name) => {
    const got = detectPage(url);
    expect(got.kind).toBe('raw');
    if (got.kind !== 'raw') return;
    expect(got.name).toBe(name);
    // query strings (GitHub's private-repo tokens) never travel to the background
    expect(got.url).not.toContain('?');
  });

  it('file:// notebook, with spaces and unicode', () => {
    const got = detectPage('file:///home/me/My%20Work/%C3%A9t%C3%A9.ipynb#frag');
    expect(got).toEqual({
      kind: 'file',
      url: 'file:///home/me/My%20Work/%C3%A9t%C3%A9.ipynb',
      name: 'été.ipynb',
    });
  });
});

describe('gistRawNotebookUrl', () => {
  const base = 'https://gist.github.com/u/abcdef0123';
  it('accepts notebook raw links of the gist', () => {
    expect(gistRawNotebookUrl('/u/abcdef0123/raw/0123abcd/a.ipynb', base)).toBe(
      'https://gist.github.com/u/abcdef0123/raw/0123abcd/a.ipynb',
    );
    expect(
      gistRawNotebookUrl(
        'https://gist.githubusercontent.com/u/abcdef0123/raw/0123/b.ipynb?x=1',
        base,
      ),
    ).toBe('https://gist.githubusercontent.com/u/abcdef0123/raw/0123/b.ipynb');
  });
  it('rejects other files and other hosts', () => {
    expect(gistRawNotebookUrl('/u/abcdef0123/raw/0123abcd/a.py', base)).toBeNull();
    expect(gistRawNotebookUrl('https://evil.example/raw/a.ipynb', base)).toBeNull();
    expect(gistRawNotebookUrl('javascript:alert(1)//a.ipynb', base)).toBeNull();
    expect(
      gistRawNotebookUrl('http://gist.githubusercontent.com/u/a/raw/a.ipynb', base),
    ).toBeNull();
  });
});
