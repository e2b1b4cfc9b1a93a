/**
 * Handles: lookup/resolve look a path up once, and the operations given what they found make only their own
 * remote calls (counted on the memory remote), whatever the depth of the path.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createMemoryRemote } from '../remote/memory/index.ts';
import { openMetaStore } from '../store/index.ts';
import { codeOf as code } from '../../test/support/errors.ts';
import { makeKit } from '../../test/support/vfs-kit.ts';
import { createVfs } from './index.ts';

/** A kit with a/b/c (cached) and a/b/c/f.txt. */
async function deepKit() {
  const kit = makeKit();
  await kit.vfs.mkdir('a');
  await kit.vfs.mkdir('a/b');
  await kit.vfs.mkdir('a/b/c');
  await kit.vfs.writeFile('a/b/c/f.txt', Buffer.from('content'));
  kit.remote.reset();
  return kit;
}

describe('lookup and resolve', () => {
  it('lookup gives what is there, the root included; resolve gives the parent, the name and what is there', async () => {
    const { vfs } = await deepKit();
    expect((await vfs.lookup('')).entry).toMatchObject({ path: '', kind: 'dir' });
    expect((await vfs.lookup('/a/b/c/f.txt')).entry).toMatchObject({ path: 'a/b/c/f.txt', kind: 'file', size: 7 });
    const existing = await vfs.resolve('a/b/c/f.txt');
    expect([existing.path, existing.name, existing.parent.entry.path, existing.existing?.entry.size]).toEqual(['a/b/c/f.txt', 'f.txt', 'a/b/c', 7]);
    const fresh = await vfs.resolve('a/b/c/new.txt');
    expect([fresh.parent.entry.kind, fresh.existing]).toEqual(['dir', undefined]);
    expect((await vfs.resolve('top.txt')).parent.entry.path).toBe('');
  });

  it('resolve: EINVAL for the root, ENOENT for a missing parent, ENOTDIR for a file on the way', async () => {
    const { vfs } = await deepKit();
    expect(await code(vfs.resolve(''))).toBe('EINVAL');
    expect(await code(vfs.resolve('a/missing/x'))).toBe('ENOENT');
    expect(await code(vfs.resolve('a/b/c/f.txt/x'))).toBe('ENOTDIR');
    expect(await code(vfs.resolve('a/b/c/f.txt/x/y'))).toBe('ENOTDIR');
  });

  it('a handle of another Vfs, or a look-alike object, is refused with EINVAL', async () => {
    const { vfs } = await deepKit();
    const store = openMetaStore({ file: ':memory:' });
    const other = createVfs({ remote: createMemoryRemote(), store });
    const foreign = await other.lookup('');
    store.close();
    expect(await code(vfs.readdir(foreign))).toBe('EINVAL');
    const node = await vfs.lookup('a/b/c/f.txt');
    expect(await code(vfs.unlink({ entry: node.entry }))).toBe('EINVAL');
    const target = await vfs.resolve('a/b/c/g.txt');
    expect(await code(vfs.mkdir({ ...target }))).toBe('EINVAL');
  });
});

describe('acting on what was found costs only the operation itself', () => {
  it('mkdir, write, read, setModTime, props, rename, copy and delete: no listing, one call each', async () => {
    const { vfs, remote } = await deepKit();
    await vfs.mkdir(await vfs.resolve('a/b/c/d'));
    expect(remote.calls).toEqual({ mkdir: 1 });
    remote.reset();
    const w = await vfs.openWrite(await vfs.resolve('a/b/c/d/g.txt'), { size: 3 });
    w.end(Buffer.from('abc'));
    await w.result;
    expect(remote.calls).toEqual({ put: 1 });
    remote.reset();
    const file = await vfs.lookup('a/b/c/d/g.txt');
    const parts: Buffer[] = [];
    for await (const c of await vfs.openRead(file, { start: 1, end: 2 })) parts.push(c as Buffer);
    expect(Buffer.concat(parts).toString()).toBe('bc');
    await vfs.setModTime(file, 1_000);
    await vfs.patchProps(file, [{ op: 'set', prop: { ns: 'urn:x', name: 'c', value: 'blue' } }]);
    expect(await vfs.getProps(file)).toHaveLength(1);
    expect(remote.calls).toEqual({ openRead: 1 });
    remote.reset();
    const moved = await vfs.rename(file, await vfs.resolve('a/b/g.txt'));
    expect(moved).toMatchObject({ path: 'a/b/g.txt', modTime: 1_000 });
    await vfs.copy(await vfs.lookup('a/b/g.txt'), await vfs.resolve('a/h.txt'));
    await vfs.unlink(await vfs.lookup('a/h.txt'));
    await vfs.rmdir(await vfs.lookup('a/b/c/d'));
    expect(remote.calls).toEqual({ move: 1, copy: 1, remove: 1, rmdir: 1 });
  });

  it('a write into a target resolved before its parent vanished fails with ENOENT and stores nothing', async () => {
    const { vfs, backend } = await deepKit();
    const target = await vfs.resolve('a/b/c/late.txt');
    await backend.remove(await backend.stat('a/b/c/f.txt'));
    await backend.rmdir(await backend.stat('a/b/c'));
    expect(await code(vfs.writeFile(target, Readable.from([Buffer.from('x')]), { size: 1 }))).toBe('ENOENT');
    expect(await code(vfs.mkdir(await vfs.resolve('a/b/c/sub')))).toBe('ENOENT');
  });

  it('mkdir refuses a name the parent listing holds, without asking the remote', async () => {
    const { vfs, remote } = await deepKit();
    expect(await code(vfs.mkdir(await vfs.resolve('a/b/c/f.txt')))).toBe('EEXIST');
    expect(await code(vfs.mkdir(''))).toBe('EEXIST');
    expect(remote.total()).toBe(0);
  });
});
