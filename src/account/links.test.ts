import { describe, expect, it } from 'vitest';
import { FsError } from '../core/errors.ts';
import { noCommands } from '../remote/commands.ts';
import type { RemoteEntry } from '../remote/types.ts';
import { makeKit } from '../../test/support/vfs-kit.ts';
import type { VfsEntry } from '../vfs/types.ts';
import { createAccountOps, LINK_CONCURRENCY, type LinkEvent } from './index.ts';
import { linkFiles } from './links.ts';

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
 * A link function whose calls wait until the test settles them: `pending` holds one entry per call made, in
 * call order, so a test chooses the order answers come back in (no real time). A call rejects when its signal
 * aborts, as the remote's calls do.
 */
function heldLinks(refuse: string[] = []) {
  const pending: { path: string; settle: () => void }[] = [];
  const linkOf = (file: VfsEntry, signal?: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      pending.push({
        path: file.path,
        settle: () => {
          if (signal?.aborted) reject(signal.reason);
          else if (refuse.includes(file.path)) reject(new FsError('EACCES', 'refused', { path: file.path }));
          else resolve(`https://dl.example/${encodeURIComponent(file.path)}`);
        },
      });
    });
  return { linkOf, pending };
}

/** Yields to the event loop (no timer) until `ready()` holds; fails after 1,000 turns. */
async function until(ready: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !ready(); i++) await new Promise<void>((r) => setImmediate(r));
  expect(ready()).toBe(true);
}

/** Lets the work started so far go as far as it can without an answer. */
async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await new Promise<void>((r) => setImmediate(r));
}

const shown = (events: LinkEvent[]): string[] => events.map((e) => `${e.type} ${'path' in e ? e.path : e.count}`);

describe('linkFiles', () => {
  it('reports the files in argument and walk order whatever order the links come back in; local-only files are skipped', async () => {
    const kit = await seeded();
    const held = heldLinks();
    const events: LinkEvent[] = [];
    const run = linkFiles(kit.vfs, held.linkOf, ['d'], true, (e) => events.push(e));
    await until(() => held.pending.length === 3);
    expect(held.pending.map((p) => p.path)).toEqual(['d/a.txt', 'd/b.txt', 'd/sub/c.txt']);
    for (const p of [...held.pending].reverse()) {
      p.settle();
      await settle();
    }
    expect(await run).toEqual({ files: 3, linked: 3, failed: 0, unresolved: 0 });
    expect(shown(events)).toEqual(['skipped d/empty.txt', 'files 3', 'link d/a.txt', 'link d/b.txt', 'link d/sub/c.txt']);
  });

  it('reports what cannot be resolved or linked, and goes on with the rest', async () => {
    const kit = await seeded();
    const held = heldLinks(['d/b.txt']);
    const events: LinkEvent[] = [];
    const run = linkFiles(kit.vfs, held.linkOf, ['nope', 'd', 'd/a.txt', 'd/b.txt', 'd/empty.txt'], false, (e) => events.push(e));
    await until(() => held.pending.length === 2);
    held.pending.forEach((p) => p.settle());
    expect(await run).toEqual({ files: 3, linked: 1, failed: 4, unresolved: 2 });
    const failed = events.flatMap((e) => (e.type === 'failed' ? [[e.path, (e.error as FsError).code]] : []));
    expect(failed).toEqual([
      ['nope', 'ENOENT'],
      ['d', 'EISDIR'],
      ['d/b.txt', 'EACCES'],
      // named by the user, a local-only file is a failure (under a folder it is only skipped)
      ['d/empty.txt', 'ENOTSUP'],
    ]);
  });

  it(`keeps at most ${LINK_CONCURRENCY} calls in flight, and makes no more calls once aborted`, async () => {
    const kit = await seeded();
    for (let i = 0; i < 20; i++) await kit.vfs.writeFile(`d/many-${String(i).padStart(2, '0')}.txt`, Buffer.from('x'));
    const held = heldLinks();
    const ac = new AbortController();
    const run = linkFiles(kit.vfs, held.linkOf, ['d'], true, (e) => {
      if (e.type === 'link') ac.abort(new Error('gone'));
    }, ac.signal);
    const outcome = run.catch((err: unknown) => err);
    await until(() => held.pending.length === LINK_CONCURRENCY);
    await settle();
    expect(held.pending).toHaveLength(LINK_CONCURRENCY);
    held.pending[0]!.settle();
    expect(((await outcome) as Error).message).toBe('gone');
    // the one answer may have freed a slot before the abort; nothing starts after it
    for (const p of held.pending) p.settle();
    await settle();
    expect(held.pending.length).toBeLessThanOrEqual(LINK_CONCURRENCY + 1);
  });
});

describe('AccountOps.links', () => {
  it('direct links come from the backend commands, page links from the remote, each reported per file', async () => {
    const kit = await seeded();
    const direct: string[] = [];
    const commands = {
      ...noCommands('memory'),
      directLink: async (file: RemoteEntry) => {
        direct.push(file.path);
        return `https://dl.example/${file.id}`;
      },
    };
    const account = createAccountOps({ vfs: kit.vfs, remote: { name: 'memory', commands, publicLink: (file, signal) => kit.backend.publicLink!(file, signal) } });
    const a = await kit.vfs.stat('d/a.txt');
    const events: LinkEvent[] = [];
    await account.links(['d/a.txt'], { recursive: false }, (e) => events.push(e));
    await account.links(['d/a.txt'], { recursive: false, page: true }, (e) => events.push(e));
    expect(direct).toEqual(['d/a.txt']);
    expect(events.filter((e) => e.type === 'link').map((e) => (e as { url: string }).url)).toEqual([`https://dl.example/${a.id}`, `memory://files/${encodeURIComponent(a.id)}`]);
  });

  it('without backend commands or public links, each file fails with ENOTSUP', async () => {
    const kit = await seeded();
    const account = createAccountOps({ vfs: kit.vfs, remote: { name: 'bare' } });
    const codes: string[] = [];
    const on = (e: LinkEvent) => {
      if (e.type === 'failed') codes.push((e.error as FsError).code);
    };
    expect(await account.links(['d/a.txt'], { recursive: false }, on)).toMatchObject({ linked: 0, failed: 1 });
    expect(await account.links(['d/a.txt'], { recursive: false, page: true }, on)).toMatchObject({ linked: 0, failed: 1 });
    expect(codes).toEqual(['ENOTSUP', 'ENOTSUP']);
  });
});
