import { describe, expect, it } from 'vitest';
import { memoryKV } from './storage';
import { MAX_VIEWS_PER_TAB, SESSION_TEXT_LIMIT, Views, type View } from './views';

const view = (i: number, tabId = 1, text = `text ${i}`): View => ({
  viewId: `view-${String(i).padStart(4, '0')}`,
  tabId,
  frameId: 0,
  url: `https://raw.githubusercontent.com/o/r/main/n${i}.ipynb`,
  name: `n${i}.ipynb`,
  fetchUrl: `https://raw.githubusercontent.com/o/r/main/n${i}.ipynb`,
  text,
  createdAt: 1000 + i,
});

describe('views', () => {
  it('survive a restart through the session store; a tab keeps only its newest views', async () => {
    const session = memoryKV();
    const a = new Views(session, async () => 'refetched');
    for (let i = 0; i < MAX_VIEWS_PER_TAB + 3; i++) await a.put(view(i));
    await a.put(view(100, 2));
    const b = new Views(session, async () => 'refetched'); // new worker
    const ids = await b.ofTab(1);
    expect(ids).toHaveLength(MAX_VIEWS_PER_TAB);
    expect(ids[0]).toBe(view(3).viewId);
    expect((await b.get(view(5).viewId)).text).toBe('text 5');
    await expect(b.get(view(0).viewId)).rejects.toThrow('expired');
    expect(await b.ofTab(2)).toEqual([view(100, 2).viewId]);
    // Pruned views are gone from the store too, not only from the index.
    expect([...session.data.keys()].filter((k) => k.startsWith('view:'))).toHaveLength(
      MAX_VIEWS_PER_TAB + 1,
    );
  });

  it('closing a tab, or a tab gone while the worker slept, drops its views', async () => {
    const session = memoryKV();
    const v = new Views(session, async () => '');
    await v.put(view(1, 1));
    await v.put(view(2, 2));
    await v.put(view(3, 3));
    await v.dropTab(1);
    expect(await v.ofTab(1)).toEqual([]);
    await new Views(session, async () => '').keepTabs(new Set([3]));
    expect(await v.ofTab(2)).toEqual([]);
    expect(await v.ofTab(3)).toHaveLength(1);
    expect([...session.data.keys()].sort()).toEqual(['view:' + view(3, 3).viewId, 'views']);
  });

  it('big texts stay out of the session and are fetched again; file:// views then expire', async () => {
    const session = memoryKV();
    const big = 'x'.repeat(SESSION_TEXT_LIMIT + 1);
    let fetched = 0;
    const a = new Views(session, async () => {
      fetched++;
      return big;
    });
    await a.put(view(1, 1, big));
    await a.put({ ...view(2, 1, big), fetchUrl: null });
    expect(JSON.stringify([...session.data]).length).toBeLessThan(10_000);
    const b = new Views(session, async () => {
      fetched++;
      return big;
    });
    expect((await b.get(view(1).viewId)).text).toBe(big);
    expect(fetched).toBe(1);
    await expect(b.get(view(2).viewId)).rejects.toThrow('reload the page');
  });

  it('a full session store keeps the view without its text', async () => {
    const session = memoryKV();
    const full = {
      ...session,
      async set(items: Record<string, unknown>) {
        if (JSON.stringify(items).length > 800)
          throw new Error('Session storage quota bytes exceeded');
        return session.set(items);
      },
    };
    const a = new Views(full, async () => 'y'.repeat(1000));
    await a.put(view(1, 1, 'y'.repeat(1000)));
    const again = new Views(full, async () => 'y'.repeat(1000));
    expect((await again.get(view(1).viewId)).text).toBe('y'.repeat(1000));
  });

  it('works without a session area (memory only)', async () => {
    const v = new Views(null, async () => '');
    await v.put(view(1));
    expect(await v.ofTab(1)).toEqual([view(1).viewId]);
    expect((await v.get(view(1).viewId)).text).toBe('text 1');
  });
});

describe('re-fetched views', () => {
  it('a text that changed on the server since the page loaded is refused, not silently swapped', async () => {
    const session = memoryKV();
    const big = 'a'.repeat(SESSION_TEXT_LIMIT + 1);
    await new Views(session, async () => big).put(view(1, 1, big));
    const changed = new Views(session, async () => big.slice(0, -1) + 'b');
    await expect(changed.get(view(1).viewId)).rejects.toThrow(
      'The notebook changed since this page loaded',
    );
    // Positive control: the same text is accepted.
    const same = new Views(session, async () => big);
    expect((await same.get(view(1).viewId)).text).toBe(big);
    expect(await same.get(view(1).viewId)).not.toHaveProperty('sha');
  });
});
