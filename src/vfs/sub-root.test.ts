/**
 * openSubRoot: a folder served as the root, on the memory remote. Everything works below it with paths relative
 * to it; nothing outside it can be named; the folder itself behaves as a root; its listings are the account's
 * (one store: another root of the same account answers from them).
 */
import { describe, expect, it } from 'vitest';
import { FsError } from '../core/errors.ts';
import { mkdirAt, putAt } from '../../test/support/remote-kit.ts';
import { makeKit } from '../../test/support/vfs-kit.ts';
import { openSubRoot } from './sub-root.ts';
import type { Vfs } from './types.ts';

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
    return 'ok';
  } catch (err) {
    if (err instanceof FsError) return err.code;
    throw err;
  }
}

async function text(vfs: Vfs, path: string): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of await vfs.openRead(path)) parts.push(c as Buffer);
  return Buffer.concat(parts).toString();
}

/** An account with A/B/{inside.txt, Sub/deep.txt}, A/outside.txt and top.txt, and a Vfs rooted at A/B. */
async function fixture() {
  const kit = makeKit();
  const { backend } = kit;
  await mkdirAt(backend, 'A');
  await mkdirAt(backend, 'A/B');
  await mkdirAt(backend, 'A/B/Sub');
  await putAt(backend, 'A/B/inside.txt', Buffer.from('inside'));
  await putAt(backend, 'A/B/Sub/deep.txt', Buffer.from('deep'));
  await putAt(backend, 'A/outside.txt', Buffer.from('outside'));
  await putAt(backend, 'top.txt', Buffer.from('top'));
  return { ...kit, sub: await openSubRoot(kit.vfs, 'A/B') };
}

describe('openSubRoot', () => {
  it('serves the folder as the root: relative paths in and out', async () => {
    const { sub } = await fixture();
    expect((await sub.readdir('')).map((e) => [e.name, e.path])).toEqual([
      ['Sub', 'Sub'],
      ['inside.txt', 'inside.txt'],
    ]);
    const root = await sub.lookup('');
    expect({ path: root.entry.path, name: root.entry.name, kind: root.entry.kind }).toEqual({ path: '', name: '', kind: 'dir' });
    expect((await sub.stat('/Sub/deep.txt')).path).toBe('Sub/deep.txt');
    expect(await text(sub, 'Sub/deep.txt')).toBe('deep');
    expect((await sub.readdir(root)).length).toBe(2);
  });

  it('writes, makes folders, renames and copies below it, answering relative paths', async () => {
    const { sub, vfs } = await fixture();
    expect((await sub.writeFile('new.txt', Buffer.from('new'))).path).toBe('new.txt');
    const w = await sub.openWrite('Sub/streamed.txt', { size: 3 });
    w.end(Buffer.from('abc'));
    expect((await w.result).path).toBe('Sub/streamed.txt');
    expect((await sub.mkdir('Made')).path).toBe('Made');
    expect((await sub.rename('new.txt', 'Made/moved.txt')).path).toBe('Made/moved.txt');
    expect((await sub.copy('Made', 'Copied')).path).toBe('Copied');
    const target = await sub.resolve('Copied/moved.txt');
    expect({ path: target.path, parent: target.parent.entry.path, existing: target.existing?.entry.path }).toEqual({
      path: 'Copied/moved.txt',
      parent: 'Copied',
      existing: 'Copied/moved.txt',
    });
    expect(await text(vfs, 'A/B/Copied/moved.txt')).toBe('new');
    expect(await text(vfs, 'A/B/Sub/streamed.txt')).toBe('abc');
  });

  it('refuses to name anything outside it, and any handle it did not give', async () => {
    const { sub, vfs } = await fixture();
    expect(await codeOf(sub.stat('../outside.txt'))).toBe('EINVAL');
    expect(await codeOf(sub.stat('Sub/../../outside.txt'))).toBe('EINVAL');
    expect(await codeOf(sub.rename('inside.txt', '../stolen.txt'))).toBe('EINVAL');
    expect(await codeOf(sub.copy('../../top.txt', 'mine.txt'))).toBe('EINVAL');
    expect(await codeOf(sub.readdir(await vfs.lookup('A')))).toBe('EINVAL');
    expect(await codeOf(sub.unlink(await vfs.lookup('top.txt')))).toBe('EINVAL');
    expect(await codeOf(() => sub.forget('..'))).toBe('EINVAL');
    expect(await codeOf(sub.refresh('../..'))).toBe('EINVAL');
    expect(await codeOf(sub.stat('outside.txt'))).toBe('ENOENT');
    expect(await text(vfs, 'top.txt')).toBe('top');
  });

  it('treats the folder as the root: it cannot be removed, moved, copied, replaced or made', async () => {
    const { sub, vfs } = await fixture();
    const root = await sub.lookup('');
    expect(await codeOf(sub.rmdir(''))).toBe('EINVAL');
    expect(await codeOf(sub.rmdir(root))).toBe('EINVAL');
    expect(await codeOf(sub.removeTree(root))).toBe('EINVAL');
    expect(await codeOf(sub.unlink(root))).toBe('EISDIR');
    expect(await codeOf(sub.rename(root, 'Sub/x'))).toBe('EINVAL');
    expect(await codeOf(sub.copy('', 'Sub/x'))).toBe('EINVAL');
    expect(await codeOf(sub.rename('inside.txt', ''))).toBe('EINVAL');
    expect(await codeOf(sub.resolve('/'))).toBe('EINVAL');
    expect(await codeOf(sub.mkdir(''))).toBe('EEXIST');
    expect(await codeOf(sub.writeFile('', Buffer.from('x')))).toBe('EISDIR');
    expect(await codeOf(sub.openWrite(''))).toBe('EISDIR');
    expect((await vfs.readdir('A')).map((e) => e.name)).toEqual(['B', 'outside.txt']);
  });

  it('keeps modtimes and properties of the folder itself, and the quota of the account', async () => {
    const { sub, vfs } = await fixture();
    await sub.patchProps('', [{ op: 'set', prop: { ns: 'urn:x', name: 'color', value: 'red' } }]);
    expect(await vfs.getProps('A/B')).toEqual([{ ns: 'urn:x', name: 'color', value: 'red' }]);
    expect(await vfs.getProps('')).toEqual([]);
    expect((await sub.setModTime('', 1234)).modTime).toBe(1234);
    expect(await sub.about()).toEqual(await vfs.about());
  });

  it('shares the account store: listings read through it are the account view\'s', async () => {
    const { sub, remote, restart } = await fixture();
    await sub.readdir('Sub');
    const account = restart();
    remote.reset();
    expect((await account.readdir('A/B/Sub')).map((e) => e.name)).toEqual(['deep.txt']);
    expect(remote.calls.list ?? 0).toBe(0);
  });

  it('refresh and forget are relative to it', async () => {
    const { sub, remote, backend } = await fixture();
    await sub.readdir('Sub');
    await putAt(backend, 'A/B/Sub/later.txt', Buffer.from('later'));
    remote.reset();
    await sub.refresh('Sub');
    expect(remote.calls.list).toBe(1);
    expect((await sub.readdir('Sub')).map((e) => e.name)).toEqual(['deep.txt', 'later.txt']);
    sub.forget('Sub');
    await sub.readdir('Sub');
    expect(remote.calls.list).toBe(2);
  });

  it('fails to open on a missing folder, a file, or a path with dot segments; finds any spelling of the folder', async () => {
    const { vfs, backend } = await fixture();
    expect(await codeOf(openSubRoot(vfs, 'A/missing'))).toBe('ENOENT');
    expect(await codeOf(openSubRoot(vfs, 'A/outside.txt'))).toBe('ENOTDIR');
    expect(await codeOf(openSubRoot(vfs, 'A/../A'))).toBe('EINVAL');
    expect(await openSubRoot(vfs, '/')).toBe(vfs);
    await mkdirAt(backend, 'Re\u0301sume\u0301s');
    await putAt(backend, 'Re\u0301sume\u0301s/cv.pdf', Buffer.from('cv'));
    await vfs.refresh('');
    const nfc = await openSubRoot(vfs, 'R\u00e9sum\u00e9s');
    expect((await nfc.readdir('')).map((e) => e.path)).toEqual(['cv.pdf']);
  });
});
