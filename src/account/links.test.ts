import { describe, expect, it } from 'vitest';
import { makeKit } from '../vfs/test-kit.ts';
import { linkFiles, type LinkEvent } from './links.ts';

async function seeded() {
  const kit = makeKit();
  await kit.vfs.mkdir('d');
  await kit.vfs.mkdir('d/sub');
  await kit.vfs.writeFile('d/b.txt', Buffer.from('b'));
  await kit.vfs.writeFile('d/a.txt', Buffer.from('a'));
  await kit.vfs.writeFile('d/sub/c.txt', Buffer.from('c'));
  await kit.vfs.writeFile('d/empty.txt', Buffer.alloc(0));
  return kit;
}

/**
 * A getToken that counts its calls and refuses the calls numbered in `refuse`; `delay(n)` is how long call n
 * takes (by default the first calls take longest, so answers come back out of order).
 */
function fakeClient(refuse: number[] = [], delay = (n: number) => 40 / n) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    async getToken(id: string, opts: { single?: boolean; signal?: AbortSignal } = {}) {
      const n = ++calls;
      expect(opts.single).toBe(false);
      await new Promise((r) => setTimeout(r, delay(n)));
      opts.signal?.throwIfAborted();
      if (refuse.includes(n)) throw new Error(`refused ${id}`);
      return { url: `https://dl.example/${encodeURIComponent(id)}` };
    },
  };
}

describe('linkFiles', () => {
  it('reports the files in argument and walk order whatever order the tokens come back in; local-only files are skipped', async () => {
    const kit = await seeded();
    const client = fakeClient();
    const events: LinkEvent[] = [];
    const sum = await linkFiles({ vfs: kit.vfs, client }, ['d'], { recursive: true, page: false, cdn: false }, (e) => events.push(e));
    expect(events.map((e) => `${e.type} ${'path' in e ? e.path : (e as { count: number }).count}`)).toEqual(['skipped d/empty.txt', 'files 3', 'link d/a.txt', 'link d/b.txt', 'link d/sub/c.txt']);
    expect(sum).toEqual({ files: 3, linked: 3, failed: 0, unresolved: 0 });
    expect(client.calls).toBe(3);
  });

  it('reports what cannot be resolved or linked, and goes on with the rest', async () => {
    const kit = await seeded();
    const client = fakeClient([2]);
    const events: LinkEvent[] = [];
    const sum = await linkFiles({ vfs: kit.vfs, client }, ['nope', 'd', 'd/a.txt', 'd/b.txt'], { recursive: false, page: false, cdn: false }, (e) => events.push(e));
    const failed = events.filter((e) => e.type === 'failed').map((e) => [e.path, (e.error as { code?: string }).code ?? 'API']);
    expect(failed).toEqual([
      ['nope', 'ENOENT'],
      ['d', 'EISDIR'],
      ['d/b.txt', 'API'],
    ]);
    expect(sum).toEqual({ files: 2, linked: 1, failed: 3, unresolved: 2 });
  });

  it('stops when aborted: no call is made for the files still waiting', async () => {
    const kit = await seeded();
    for (let i = 0; i < 20; i++) await kit.vfs.writeFile(`d/many-${i}.txt`, Buffer.from('x'));
    const client = fakeClient([], () => 20);
    const ac = new AbortController();
    const run = linkFiles({ vfs: kit.vfs, client }, ['d'], { recursive: true, page: false, cdn: false }, (e) => {
      if (e.type === 'link') ac.abort(new Error('gone'));
    }, ac.signal);
    await expect(run).rejects.toThrow('gone');
    await new Promise((r) => setTimeout(r, 100));
    // The first answer comes once the first LINK_CONCURRENCY calls are out; at most as many more start meanwhile.
    expect(client.calls).toBeLessThanOrEqual(8);
  });

  it('page links need no API call', async () => {
    const kit = await seeded();
    const client = fakeClient();
    const events: LinkEvent[] = [];
    await linkFiles({ vfs: kit.vfs, client }, ['d/a.txt'], { recursive: false, page: true, cdn: false }, (e) => events.push(e));
    expect(events.at(-1)).toMatchObject({ type: 'link', path: 'd/a.txt' });
    expect(client.calls).toBe(0);
  });
});
