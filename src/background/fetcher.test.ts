import { describe, expect, it } from 'vitest';
import { fetchNotebookText, resolveLocation } from './fetcher';

describe('resolveLocation', () => {
  it('maps supported locations to what the worker fetches', () => {
    expect(resolveLocation('https://github.com/o/r/blob/main/d/My%20NB.ipynb?plain=1#L3')).toEqual({
      fetchUrl: 'https://github.com/o/r/raw/main/d/My%20NB.ipynb',
      url: 'https://github.com/o/r/blob/main/d/My%20NB.ipynb',
      name: 'My NB.ipynb',
    });
    expect(resolveLocation('https://github.com/o/r/blob/feature/x/a.ipynb')?.fetchUrl).toBe(
      'https://github.com/o/r/raw/feature/x/a.ipynb',
    );
    // A private raw URL's token is used to fetch but never kept as the view's (stored) URL.
    expect(resolveLocation('https://raw.githubusercontent.com/o/r/main/a.ipynb?token=T')).toEqual({
      fetchUrl: 'https://raw.githubusercontent.com/o/r/main/a.ipynb?token=T',
      url: 'https://raw.githubusercontent.com/o/r/main/a.ipynb',
      name: 'a.ipynb',
    });
    expect(resolveLocation('https://gist.githubusercontent.com/u/abc/raw/rev/n.ipynb')?.name).toBe(
      'n.ipynb',
    );
    expect(resolveLocation('https://gist.github.com/u/abc/raw/rev/n.ipynb')?.fetchUrl).toBe(
      'https://gist.github.com/u/abc/raw/rev/n.ipynb',
    );
    expect(resolveLocation('file:///home/u/a%20b.ipynb#x')).toEqual({
      fetchUrl: null,
      url: 'file:///home/u/a%20b.ipynb',
      name: 'a b.ipynb',
    });
  });

  it('refuses everything else', () => {
    for (const u of [
      'http://github.com/o/r/blob/main/a.ipynb',
      'https://github.com:444/o/r/blob/main/a.ipynb',
      'https://user:pw@github.com/o/r/blob/main/a.ipynb',
      'https://github.com/o/r/tree/main/a.ipynb',
      'https://github.com/o/r/blob/main/a.py',
      'https://github.com.evil.com/o/r/blob/main/a.ipynb',
      'https://evil.com/raw.githubusercontent.com/o/r/main/a.ipynb',
      'https://gist.github.com/u/abc',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'not a url',
    ]) {
      expect(resolveLocation(u), u).toBeNull();
    }
  });
});

const res = (body: BodyInit | null, init: ResponseInit = {}, url = '') => {
  const r = new Response(body, init);
  if (url) Object.defineProperty(r, 'url', { value: url });
  return r;
};

describe('fetchNotebookText', () => {
  it('fetches with the user session and decodes UTF-8', async () => {
    let init: RequestInit | undefined;
    const text = await fetchNotebookText('https://x', async (_u, i) => {
      init = i;
      return res('{"a":"é"}', {}, 'https://raw.githubusercontent.com/o/r/main/a.ipynb');
    });
    expect(text).toBe('{"a":"é"}');
    expect(init?.credentials).toBe('include');
  });

  it('clear errors: HTTP status, network, size, encoding, unexpected redirect', async () => {
    await expect(fetchNotebookText('u', async () => res('x', { status: 404 }))).rejects.toThrow(
      'Could not fetch the notebook: HTTP 404',
    );
    await expect(
      fetchNotebookText('u', async () => {
        throw new TypeError('Failed to fetch');
      }),
    ).rejects.toThrow('Could not fetch the notebook: network error');
    await expect(
      fetchNotebookText('u', async () =>
        res('x', { headers: { 'content-length': String(200 * 2 ** 20) } }),
      ),
    ).rejects.toThrow(/too large to show: 200\.0 MB \(the limit is 100 MB\)/);
    // No content-length: the stream is cut at the limit.
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        c.enqueue(new Uint8Array(1024));
      },
    });
    await expect(fetchNotebookText('u', async () => res(stream), 10_000)).rejects.toThrow(
      /too large/,
    );
    await expect(
      fetchNotebookText('u', async () => res(new Uint8Array([0x7b, 0xff, 0x7d]))),
    ).rejects.toThrow('The notebook is not valid UTF-8 text');
    await expect(
      fetchNotebookText('u', async () => res('{}', {}, 'https://github.com.evil.test/x')),
    ).rejects.toThrow(/unexpected host/);
  });

  it('writes characters above U+00FF inside strings as escapes (core/onebyte), and refuses invalid UTF-8 there too', async () => {
    const body = '{"a — b": "x — 😀 é", "pad": "' + 'ASCII '.repeat(10) + '"}';
    const t = await fetchNotebookText('u', async () => res(body));
    expect(t).toBe(
      body.replace(' — b', ' \\u2014 b').replace('x — 😀', 'x \\u2014 \\ud83d\\ude00'),
    );
    expect(JSON.parse(t)).toEqual(JSON.parse(body));
    const bad = new TextEncoder().encode(body);
    bad[bad.indexOf(0xe2) + 1] = 0x22; // the dash's second byte
    await expect(fetchNotebookText('u', async () => res(bad))).rejects.toThrow(
      'The notebook is not valid UTF-8 text',
    );
  });

  it('keeps a BOM so the parser can report it', async () => {
    const t = await fetchNotebookText('u', async () =>
      res(new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d])),
    );
    expect(t).toBe('\ufeff{}');
    // Outside a string it is not escaped, with characters to escape after it.
    const t2 = await fetchNotebookText('u', async () =>
      res(
        new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(`["—${' '.repeat(30)}"]`)]),
      ),
    );
    expect(t2).toBe(`\ufeff["\\u2014${' '.repeat(30)}"]`);
  });
});

describe('fetchNotebookText progress', () => {
  const streamOf = (parts: Uint8Array[]) =>
    new ReadableStream<Uint8Array>({
      start(c) {
        for (const p of parts) c.enqueue(p);
        c.close();
      },
    });

  it('reports the bytes received after each part, with the declared size', async () => {
    const parts = [new Uint8Array(3).fill(0x7b), new Uint8Array(4).fill(0x20), Uint8Array.of(0x7d)];
    const seen: Array<[number, number | null]> = [];
    const text = await fetchNotebookText(
      'https://x',
      async () => new Response(streamOf(parts), { headers: { 'content-length': '8' } }),
      undefined,
      (n, t) => seen.push([n, t]),
    );
    expect(text).toBe('{{{    }');
    expect(seen).toEqual([
      [0, 8],
      [3, 8],
      [7, 8],
      [8, 8],
    ]);
  });

  it('the size is null when the server declares none', async () => {
    const seen: Array<[number, number | null]> = [];
    await fetchNotebookText(
      'https://x',
      async () => new Response(streamOf([Uint8Array.of(0x7b, 0x7d)])),
      undefined,
      (n, t) => seen.push([n, t]),
    );
    expect(seen).toEqual([
      [0, null],
      [2, null],
    ]);
  });
});
