import { text } from 'node:stream/consumers';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FsError, type FsErrorCode } from '../core/errors.ts';
import type { Remote, RemoteEntry } from '../remote/types.ts';
import type { ByteSpan } from '../core/span.ts';
import { mkdirAt, putAt } from '../../test/support/remote-kit.ts';
import { makeKit } from '../../test/support/vfs-kit.ts';
import type { Vfs } from './types.ts';

async function putText(remote: Remote, path: string, text: string): Promise<RemoteEntry> {
  return putAt(remote, path, Buffer.from(text));
}

async function readText(vfs: Vfs, path: string, range?: ByteSpan): Promise<string> {
  return text(await vfs.openRead(path, range));
}

async function code(p: Promise<unknown>): Promise<FsErrorCode | 'ok'> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (err instanceof FsError) return err.code;
    throw err;
  }
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');
const PROP = { ns: 'urn:x', name: 'color', value: 'blue' };

describe('duplicate names', () => {
  it('shows duplicates as name (2).ext, newest first, stable across listings', async () => {
    const { vfs, backend, clock } = makeKit();
    await mkdirAt(backend, 'd');
    await putText(backend, 'd/a.txt', 'old');
    await clock.advance(1000);
    await putText(backend, 'd/a.txt', 'new');
    await putText(backend, 'd/a (2).txt', 'real');
    const names = (await vfs.readdir('d')).map((e) => e.name);
    expect(names).toEqual(['a (2).txt', 'a (3).txt', 'a.txt']);
    expect(await readText(vfs, 'd/a.txt')).toBe('new');
    expect(await readText(vfs, 'd/a (3).txt')).toBe('old');
    expect(await readText(vfs, 'd/a (2).txt')).toBe('real');
    await vfs.refresh('d');
    expect((await vfs.readdir('d')).map((e) => e.name)).toEqual(names);
  });

  it('deletes and renames the duplicate the shown name points at', async () => {
    const { vfs, backend, clock } = makeKit();
    await putText(backend, 'a.txt', 'old');
    await clock.advance(1000);
    await putText(backend, 'a.txt', 'new');
    await vfs.rename('a (2).txt', 'b.txt');
    expect(await readText(vfs, 'b.txt')).toBe('old');
    expect(await readText(vfs, 'a.txt')).toBe('new');
    await vfs.unlink('a.txt');
    expect((await vfs.readdir('')).map((e) => e.name)).toEqual(['b.txt']);
  });
});

describe('local-only files', () => {
  it('keeps junk files local: list, stat, read, rename, delete', async () => {
    const { vfs, remote } = makeKit();
    await vfs.writeFile('.DS_Store', Buffer.from('junk bytes'));
    expect(remote.calls.put ?? 0).toBe(0);
    const e = await vfs.stat('.DS_Store');
    expect(e).toMatchObject({ local: true, size: 10, kind: 'file' });
    expect(e.id).toMatch(/^local:/);
    expect(e.hashes.md5).toBe(md5('junk bytes'));
    expect((await vfs.readdir('')).map((x) => x.name)).toEqual(['.DS_Store']);
    expect(await readText(vfs, '.DS_Store', { start: 5, end: 9 })).toBe('bytes');
    await vfs.patchProps('.DS_Store', [{ op: 'set', prop: PROP }]);
    await vfs.rename('.DS_Store', '._moved');
    expect(await vfs.getProps('._moved')).toEqual([PROP]);
    expect((await vfs.stat('._moved')).id).toBe(e.id);
    expect(await code(vfs.stat('.DS_Store'))).toBe('ENOENT');
    await vfs.unlink('._moved');
    expect(await vfs.readdir('')).toEqual([]);
    expect(remote.calls.put ?? 0).toBe(0);
  });

  it('keeps 0-byte files local and uploads them once written with content', async () => {
    const { vfs, remote } = makeKit();
    await vfs.mkdir('docs');
    await vfs.writeFile('docs/new.txt', Buffer.alloc(0));
    expect(await vfs.stat('docs/new.txt')).toMatchObject({ local: true, size: 0 });
    expect(await readText(vfs, 'docs/new.txt')).toBe('');
    await vfs.patchProps('docs/new.txt', [{ op: 'set', prop: PROP }]);
    expect(remote.calls.put ?? 0).toBe(0);
    const w = await vfs.openWrite('docs/new.txt', { size: 5 });
    expect(w.replaced).toBe(true);
    w.end(Buffer.from('hello'));
    const e = await w.result;
    expect(e).toMatchObject({ local: false, size: 5 });
    expect(remote.calls.put).toBe(1);
    expect((await vfs.readdir('docs')).map((x) => [x.name, x.local])).toEqual([['new.txt', false]]);
    expect(await readText(vfs, 'docs/new.txt')).toBe('hello');
    expect(await vfs.getProps('docs/new.txt')).toEqual([PROP]);
  });

  it('stores an upload of unknown size that turns out empty as a local file', async () => {
    const { vfs, remote } = makeKit();
    const w = await vfs.openWrite('empty.bin');
    expect(w.replaced).toBe(false);
    w.end();
    expect(await w.result).toMatchObject({ local: true, size: 0 });
    expect(remote.calls.put ?? 0).toBe(0);
    expect((await vfs.stat('empty.bin')).local).toBe(true);
  });

  it('renames a local folder content along with the folder and refuses rmdir over local files', async () => {
    const { vfs } = makeKit();
    await vfs.mkdir('p');
    await vfs.writeFile('p/Thumbs.db', Buffer.from('t'));
    await vfs.writeFile('p/real.txt', Buffer.from('r'));
    expect(await code(vfs.rmdir('p'))).toBe('ENOTEMPTY');
    await vfs.rename('p', 'q');
    expect((await vfs.readdir('q')).map((e) => [e.name, e.local])).toEqual([
      ['Thumbs.db', true],
      ['real.txt', false],
    ]);
    await vfs.removeTree('q');
    expect(await vfs.readdir('')).toEqual([]);
  });
});

describe('writes', () => {
  it('records modTime, md5 and sha1 and reports replaced', async () => {
    const { vfs, clock } = makeKit();
    const e = await vfs.writeFile('f.txt', Buffer.from('v1'), { modTime: 1_000_000 });
    expect(e).toMatchObject({ modTime: 1_000_000, hashes: { md5: md5('v1'), sha1: sha1('v1') }, local: false });
    const w = await vfs.openWrite('f.txt');
    expect(w.replaced).toBe(true);
    Readable.from([Buffer.from('v'), Buffer.from('2')]).pipe(w);
    const e2 = await w.result;
    expect(e2.modTime).toBe(clock.now());
    expect(e2.id).not.toBe(e.id);
    expect(await readText(vfs, 'f.txt')).toBe('v2');
    expect((await vfs.readdir('')).map((x) => x.name)).toEqual(['f.txt']);
    expect(e2.etag).not.toBe(e.etag);
  });

  it('emits finish only after the entry is in the cache', async () => {
    const { vfs } = makeKit();
    const w = await vfs.openWrite('g.txt', { size: 3 });
    const finished = new Promise<void>((resolve) => w.on('finish', () => resolve()));
    w.end(Buffer.from('abc'));
    await finished;
    expect((await vfs.stat('g.txt')).size).toBe(3);
  });

  it('keeps the old version when the upload fails', async () => {
    const { vfs, remote } = makeKit();
    await vfs.writeFile('f.txt', Buffer.from('old version'));
    remote.override('put', async (_parent: RemoteEntry, _name: string, source: Readable) => {
      source.resume();
      throw new FsError('EIO', 'injected');
    });
    expect(await code(vfs.writeFile('f.txt', Buffer.from('new version')))).toBe('EIO');
    remote.restore('put');
    expect(await readText(vfs, 'f.txt')).toBe('old version');
    expect((await vfs.readdir('')).map((x) => x.name)).toEqual(['f.txt']);
  });

  it('fails with EBADMSG on an expected digest mismatch and stores nothing (local, streamed and spooled)', async () => {
    const { vfs, remote } = makeKit();
    expect(await code(vfs.writeFile('f.txt', Buffer.from('data'), { expect: { md5: md5('other') } }))).toBe('EBADMSG');
    expect(await code(vfs.writeFile('.DS_Store', Buffer.from('data'), { expect: { sha1: sha1('other') } }))).toBe('EBADMSG');
    expect(await code(vfs.writeFile('g.txt', Readable.from([Buffer.from('data')]), { expect: { md5: md5('other') } }))).toBe('EBADMSG');
    expect(await vfs.readdir('')).toEqual([]);
    expect(await remote.list('')).toEqual([]);
    expect(await code(vfs.writeFile('ok.txt', Buffer.from('data'), { expect: { md5: md5('data').toUpperCase(), sha1: sha1('data') } }))).toBe('ok');
  });

  it('replaces on a storage without duplicate names', async () => {
    const { vfs } = makeKit({ facts: { duplicateNames: false, emptyFiles: true } });
    await vfs.writeFile('f.txt', Buffer.from('one'));
    await vfs.writeFile('f.txt', Buffer.from('two'));
    expect(await readText(vfs, 'f.txt')).toBe('two');
    expect((await vfs.readdir('')).length).toBe(1);
  });
});

describe('rename and copy keep metadata', () => {
  it('rename and move keep modTime, md5, sha1 and dead properties', async () => {
    const { vfs } = makeKit();
    await vfs.mkdir('dst');
    const e = await vfs.writeFile('f.txt', Buffer.from('payload'), { modTime: 123_000 });
    await vfs.patchProps('f.txt', [{ op: 'set', prop: PROP }]);
    const r = await vfs.rename('f.txt', 'g.txt');
    const m = await vfs.rename('g.txt', 'dst/h.txt');
    for (const x of [r, m, await vfs.stat('dst/h.txt')]) {
      expect(x).toMatchObject({ id: e.id, modTime: 123_000, hashes: { md5: md5('payload'), sha1: sha1('payload') } });
    }
    expect(await vfs.getProps('dst/h.txt')).toEqual([PROP]);
  });

  it('copy gives the copy the same metadata under a new id', async () => {
    const { vfs } = makeKit();
    const e = await vfs.writeFile('f.txt', Buffer.from('payload'), { modTime: 123_000 });
    await vfs.patchProps('f.txt', [{ op: 'set', prop: PROP }]);
    const c = await vfs.copy('f.txt', 'c.txt');
    expect(c.id).not.toBe(e.id);
    expect(c).toMatchObject({ modTime: 123_000, hashes: { md5: md5('payload') } });
    expect(await vfs.getProps('c.txt')).toEqual([PROP]);
    expect(await readText(vfs, 'c.txt')).toBe('payload');
    const m = await vfs.copy('f.txt', 'm.txt', { modTime: 5_000 });
    expect(m.modTime).toBe(5_000);
    expect((await vfs.stat('f.txt')).modTime).toBe(123_000);
  });

  it('uses the fallbacks when the remote has no move, dirMove or copy', async () => {
    const { vfs, remote } = makeKit({ strip: ['move', 'dirMove', 'copy'] });
    await vfs.mkdir('d');
    await vfs.writeFile('d/f.txt', Buffer.from('abc'), { modTime: 42_000 });
    await vfs.patchProps('d/f.txt', [{ op: 'set', prop: PROP }]);
    await vfs.rename('d', 'e');
    const moved = await vfs.stat('e/f.txt');
    expect(moved).toMatchObject({ modTime: 42_000, hashes: { md5: md5('abc') } });
    expect(await vfs.getProps('e/f.txt')).toEqual([PROP]);
    await vfs.copy('e', 'c');
    expect(await readText(vfs, 'c/f.txt')).toBe('abc');
    expect(await code(vfs.stat('d'))).toBe('ENOENT');
    expect(remote.calls.move ?? 0).toBe(0);
  });

  it('copies a folder recursively with its metadata', async () => {
    const { vfs } = makeKit();
    await vfs.mkdir('s');
    await vfs.mkdir('s/t');
    await vfs.writeFile('s/t/x.txt', Buffer.from('x'), { modTime: 7_000 });
    await vfs.writeFile('s/desktop.ini', Buffer.from('ini'));
    await vfs.copy('s', 'c');
    expect((await vfs.readdir('c')).map((e) => [e.name, e.local])).toEqual([
      ['t', false],
      ['desktop.ini', true],
    ]);
    expect((await vfs.stat('c/t/x.txt')).modTime).toBe(7_000);
    expect((await vfs.stat('s/t/x.txt')).modTime).toBe(7_000);
  });

  it('overwrites a file destination only after the move succeeded', async () => {
    const { vfs, remote } = makeKit();
    await vfs.writeFile('a.txt', Buffer.from('A'));
    await vfs.writeFile('b.txt', Buffer.from('B'));
    expect(await code(vfs.rename('a.txt', 'b.txt'))).toBe('EEXIST');
    remote.override('move', async () => {
      throw new FsError('EAGAIN', 'injected');
    });
    expect(await code(vfs.rename('a.txt', 'b.txt', { overwrite: true }))).toBe('EAGAIN');
    expect(await readText(vfs, 'b.txt')).toBe('B');
    remote.restore('move');
    await vfs.rename('a.txt', 'b.txt', { overwrite: true });
    expect(await readText(vfs, 'b.txt')).toBe('A');
    expect((await vfs.readdir('')).map((e) => e.name)).toEqual(['b.txt']);
  });

  it('overwrites a directory destination by removing it first', async () => {
    const { vfs } = makeKit();
    await vfs.mkdir('x');
    await vfs.writeFile('x/1.txt', Buffer.from('1'));
    await vfs.mkdir('y');
    await vfs.writeFile('y/2.txt', Buffer.from('2'));
    await vfs.rename('x', 'y', { overwrite: true });
    expect((await vfs.readdir('y')).map((e) => e.name)).toEqual(['1.txt']);
    expect((await vfs.readdir('')).map((e) => e.name)).toEqual(['y']);
  });

  it('setModTime records a client modtime', async () => {
    const { vfs } = makeKit();
    await vfs.writeFile('f.txt', Buffer.from('x'));
    const before = await vfs.stat('f.txt');
    const e = await vfs.setModTime('f.txt', 99_000);
    expect(e.modTime).toBe(99_000);
    expect(e.etag).not.toBe(before.etag);
    await vfs.patchProps('f.txt', [
      { op: 'set', prop: PROP },
      { op: 'remove', ns: PROP.ns, name: PROP.name },
    ]);
    expect(await vfs.getProps('f.txt')).toEqual([]);
  });
});

describe('errors', () => {
  it('uses POSIX codes', async () => {
    const { vfs } = makeKit();
    await vfs.mkdir('d');
    await vfs.writeFile('d/f.txt', Buffer.from('content'));
    expect(await code(vfs.stat('nope'))).toBe('ENOENT');
    expect(await code(vfs.stat('nope/deeper'))).toBe('ENOENT');
    expect(await code(vfs.stat('d/f.txt/x'))).toBe('ENOTDIR');
    expect(await code(vfs.readdir('d/f.txt'))).toBe('ENOTDIR');
    expect(await code(vfs.mkdir('d'))).toBe('EEXIST');
    expect(await code(vfs.mkdir('d/f.txt'))).toBe('EEXIST');
    expect(await code(vfs.mkdir('x/y'))).toBe('ENOENT');
    expect(await code(vfs.rmdir('d'))).toBe('ENOTEMPTY');
    expect(await code(vfs.rmdir('d/f.txt'))).toBe('ENOTDIR');
    expect(await code(vfs.rmdir(''))).toBe('EINVAL');
    expect(await code(vfs.removeTree('/'))).toBe('EINVAL');
    expect(await code(vfs.openRead('d'))).toBe('EISDIR');
    expect(await code(vfs.openWrite('d'))).toBe('EISDIR');
    expect(await code(vfs.openWrite('none/f'))).toBe('ENOENT');
    expect(await code(vfs.openWrite('d/f.txt/g'))).toBe('ENOTDIR');
    expect(await code(vfs.unlink('d'))).toBe('EISDIR');
    expect(await code(vfs.unlink('d/none'))).toBe('ENOENT');
    expect(await code(vfs.openRead('d/f.txt', { start: 7, end: 7 }))).toBe('ERANGE');
    expect(await code(vfs.rename('d', 'd/sub'))).toBe('EINVAL');
    expect(await code(vfs.rename('none', 'x'))).toBe('ENOENT');
    expect(await code(vfs.rename('d/f.txt', 'none/x'))).toBe('ENOENT');
    expect(await code(vfs.copy('d', 'd/f.txt', { overwrite: false }))).toBe('EINVAL');
    expect(await code(vfs.setModTime('none', 1))).toBe('ENOENT');
    expect(await code(vfs.getProps('none'))).toBe('ENOENT');
  });

  it('reads a span as given and refuses one outside the file (ERANGE, never clamped)', async () => {
    const { vfs, remote } = makeKit();
    await vfs.writeFile('f.txt', Buffer.from('0123456789'));
    expect(await readText(vfs, 'f.txt', { start: 2, end: 4 })).toBe('234');
    expect(await readText(vfs, 'f.txt', { start: 8, end: 9 })).toBe('89');
    expect(vfs.stats().downloads).toBe(2);
    remote.reset();
    expect(await code(vfs.openRead('f.txt', { start: 8, end: 10 }))).toBe('ERANGE');
    expect(await code(vfs.openRead('f.txt', { start: 5, end: 4 }))).toBe('ERANGE');
    expect(remote.calls.openRead ?? 0).toBe(0);
  });

  it('removeTree deletes a folder with everything below it', async () => {
    const { vfs } = makeKit();
    await vfs.mkdir('t');
    await vfs.mkdir('t/u');
    await vfs.writeFile('t/u/f.txt', Buffer.from('f'));
    await vfs.writeFile('t/.DS_Store', Buffer.from('j'));
    await vfs.removeTree('t');
    expect(await vfs.readdir('')).toEqual([]);
    expect(await code(vfs.stat('t/u'))).toBe('ENOENT');
  });
});

describe('about', () => {
  it('caches about() and serves the last value when a refresh fails', async () => {
    const { vfs, remote, clock } = makeKit();
    const first = await vfs.about();
    await vfs.about();
    expect(remote.calls.about).toBe(1);
    remote.override('about', async () => {
      throw new FsError('EAGAIN', 'injected');
    });
    await clock.advance(300_001);
    expect(await vfs.about()).toEqual(first);
    expect(remote.calls.about).toBe(2);
  });

  it('throws when nothing is cached', async () => {
    const { vfs, remote } = makeKit();
    remote.override('about', async () => {
      throw new FsError('EAGAIN', 'injected');
    });
    expect(await code(vfs.about())).toBe('EAGAIN');
  });
});
