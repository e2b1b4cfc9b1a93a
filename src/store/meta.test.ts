import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openMetaStore } from './index.ts';
import { SCHEMA_VERSION } from './schema.ts';
import type { LocalFile, MetaStore } from './types.ts';

const open: MetaStore[] = [];
const tmp: string[] = [];
function store(file = ':memory:', maxLocalBytes?: number): MetaStore {
  const s = openMetaStore({ file, maxLocalBytes });
  open.push(s);
  return s;
}
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'fdav-store-'));
  tmp.push(d);
  return d;
}
afterEach(() => {
  for (const s of open.splice(0)) s.close();
  for (const d of tmp.splice(0)) rmSync(d, { recursive: true, force: true });
});

function local(path: string, text = '', modTime = 1000): LocalFile {
  return { path, id: `local:${path}`, content: Buffer.from(text), modTime };
}

describe('file metadata', () => {
  it('merges patches, leaving undefined fields as they are', () => {
    const s = store();
    expect(s.getMeta('u1')).toBeUndefined();
    s.setMeta('u1', { modTime: 5 });
    expect(s.getMeta('u1')).toEqual({ modTime: 5 });
    s.setMeta('u1', { md5: 'm', sha1: 's' });
    expect(s.getMeta('u1')).toEqual({ modTime: 5, md5: 'm', sha1: 's' });
    s.setMeta('u1', { modTime: 6, md5: undefined });
    expect(s.getMeta('u1')).toEqual({ modTime: 6, md5: 'm', sha1: 's' });
    s.setMeta('u2', {});
    expect(s.getMeta('u2')).toBeUndefined();
  });

  it('copyMeta copies metadata and dead properties, replacing what the target had', () => {
    const s = store();
    s.setMeta('a', { modTime: 1, md5: 'm' });
    s.setProp('a', { ns: 'DAV:', name: 'x', value: '<b>1</b>' });
    s.setProp('a', { ns: 'urn:y', name: 'z', value: 'v' });
    s.setMeta('b', { sha1: 'old' });
    s.setProp('b', { ns: 'urn:old', name: 'o', value: 'o' });
    s.copyMeta('a', 'b');
    expect(s.getMeta('b')).toEqual({ modTime: 1, md5: 'm' });
    expect(s.getProps('b')).toEqual(s.getProps('a'));
    expect(s.getProps('b')).toHaveLength(2);
    s.copyMeta('a', 'a');
    expect(s.getProps('a')).toHaveLength(2);
    s.copyMeta('none', 'c');
    expect(s.getMeta('c')).toBeUndefined();
    expect(s.getProps('c')).toEqual([]);
  });

  it('deleteMeta removes metadata and dead properties of that id only', () => {
    const s = store();
    s.setMeta('a', { modTime: 1 });
    s.setProp('a', { ns: 'n', name: 'p', value: 'v' });
    s.setMeta('b', { modTime: 2 });
    s.setProp('b', { ns: 'n', name: 'p', value: 'w' });
    s.deleteMeta('a');
    expect(s.getMeta('a')).toBeUndefined();
    expect(s.getProps('a')).toEqual([]);
    expect(s.getMeta('b')).toEqual({ modTime: 2 });
    expect(s.getProps('b')).toEqual([{ ns: 'n', name: 'p', value: 'w' }]);
    s.deleteMeta('missing');
  });

  it('sets, replaces, lists (sorted) and removes dead properties verbatim', () => {
    const s = store();
    const xml = '<x:a xmlns:x="urn:x">é &amp; <![CDATA[<raw>]]></x:a>';
    s.setProp('f', { ns: 'urn:b', name: 'n', value: '1' });
    s.setProp('f', { ns: 'urn:a', name: 'n', value: xml });
    s.setProp('f', { ns: 'urn:b', name: 'n', value: '2' });
    expect(s.getProps('f')).toEqual([
      { ns: 'urn:a', name: 'n', value: xml },
      { ns: 'urn:b', name: 'n', value: '2' },
    ]);
    s.removeProp('f', 'urn:b', 'n');
    s.removeProp('f', 'urn:b', 'absent');
    expect(s.getProps('f')).toEqual([{ ns: 'urn:a', name: 'n', value: xml }]);
  });

  it('directory ids: set, replace, get', () => {
    const s = store();
    expect(s.getDirId('a')).toBeUndefined();
    s.setDirId('a', '1');
    s.setDirId('a', '2');
    expect(s.getDirId('a')).toBe('2');
  });
});

describe('local files', () => {
  it('puts, gets, replaces, lists direct children and removes', () => {
    const s = store();
    s.putLocal(local('d/.DS_Store', 'junk'));
    s.putLocal(local('d/empty'));
    s.putLocal(local('d/sub/._x', 'y'));
    s.putLocal(local('top'));
    s.putLocal({ ...local('d/empty', 'now', 7), id: 'local:other' });
    expect(s.getLocal('d/empty')).toEqual({ path: 'd/empty', id: 'local:other', content: Buffer.from('now'), modTime: 7 });
    expect(s.listLocal('d').map((f) => f.path)).toEqual(['d/.DS_Store', 'd/empty']);
    expect(s.listLocal('').map((f) => f.path)).toEqual(['top']);
    expect(s.getLocal('d/.DS_Store')!.content.toString()).toBe('junk');
    s.removeLocal('d/empty');
    s.removeLocal('d/absent');
    expect(s.getLocal('d/empty')).toBeUndefined();
  });

  it('keeps a 0-byte file as an empty buffer', () => {
    const s = store();
    s.putLocal(local('z'));
    expect(s.getLocal('z')!.content).toEqual(Buffer.alloc(0));
  });

  it('throws RangeError above maxLocalBytes and stores nothing', () => {
    const s = store(':memory:', 4);
    s.putLocal(local('ok', '1234'));
    expect(() => s.putLocal(local('big', '12345'))).toThrow(RangeError);
    expect(s.getLocal('big')).toBeUndefined();
    const d = store();
    expect(() => d.putLocal({ ...local('huge'), content: Buffer.alloc(16 * 1024 * 1024 + 1) })).toThrow(RangeError);
  });

  it('moveLocal moves a file or a whole tree, exact about boundaries', () => {
    const s = store();
    for (const p of ['a', 'a/x', 'a/b/y', 'ab/z', 'a.b', 'a_/q', 'o/keep']) s.putLocal(local(p, p));
    s.moveLocal('a', 'o/n');
    const all = ['o/n', 'o/n/x', 'o/n/b/y', 'ab/z', 'a.b', 'a_/q', 'o/keep'];
    for (const p of all) expect(s.getLocal(p), p).toBeDefined();
    expect(s.getLocal('o/n/b/y')).toEqual({ ...local('a/b/y', 'a/b/y'), path: 'o/n/b/y' });
    expect(s.listLocal('o/n/b').map((f) => f.path)).toEqual(['o/n/b/y']);
    expect(s.listLocal('a')).toEqual([]);
    expect(s.stats().local).toBe(7);
    s.moveLocal('a.b', 'c');
    expect(s.getLocal('c')!.content.toString()).toBe('a.b');
    s.moveLocal('missing', 'elsewhere');
    expect(s.stats().local).toBe(7);
  });

  it('moveLocal replaces a local file already at the destination, and handles a move into itself', () => {
    const s = store();
    s.putLocal(local('src/f', 'new'));
    s.putLocal(local('dst/f', 'old'));
    s.moveLocal('src', 'dst');
    expect(s.getLocal('dst/f')!.content.toString()).toBe('new');
    s.moveLocal('dst', 'dst/inner');
    expect(s.getLocal('dst/inner/f')!.content.toString()).toBe('new');
    expect(s.stats().local).toBe(1);
  });

  it("removeLocalTree is exact about boundaries; '' removes everything", () => {
    const s = store();
    for (const p of ['a', 'a/x', 'a/b/y', 'ab', 'a%', '%/a', '_', 'x_/1', 'xa/1']) s.putLocal(local(p));
    s.removeLocalTree('a');
    expect(s.getLocal('ab')).toBeDefined();
    expect(s.getLocal('a%')).toBeDefined();
    expect(s.getLocal('a/x')).toBeUndefined();
    s.removeLocalTree('x_');
    expect(s.getLocal('xa/1')).toBeDefined();
    s.removeLocalTree('%');
    expect(s.getLocal('a%')).toBeDefined();
    expect(s.stats().local).toBe(4);
    s.removeLocalTree('');
    expect(s.stats().local).toBe(0);
  });
});

describe('files on disk', () => {
  it('creates parent directories and persists everything across close and reopen', () => {
    const file = join(tempDir(), 'deep', 'er', 'meta.sqlite');
    const a = openMetaStore({ file });
    const entry = { path: 'd/f', name: 'f', kind: 'file' as const, size: 3, modTime: 9, id: 'u1', hashes: { whirlpool: 'w' } };
    a.putListing('d', [entry], 77);
    a.setDirId('d', '12');
    a.setMeta('u1', { modTime: 1, md5: 'm', sha1: 's' });
    a.setProp('u1', { ns: 'n', name: 'p', value: 'v' });
    a.putLocal(local('d/.DS_Store', 'x'));
    const before = a.stats();
    expect(before.bytes).toBeGreaterThan(0);
    a.close();
    a.close();
    const b = store(file);
    expect(b.getListing('d')).toEqual({ entries: [entry], fetchedAt: 77 });
    expect(b.getDirId('d')).toBe('12');
    expect(b.getMeta('u1')).toEqual({ modTime: 1, md5: 'm', sha1: 's' });
    expect(b.getProps('u1')).toEqual([{ ns: 'n', name: 'p', value: 'v' }]);
    expect(b.getLocal('d/.DS_Store')!.content.toString()).toBe('x');
    expect(b.stats()).toMatchObject({ listings: 1, entries: 1, dirIds: 1, meta: 1, props: 1, local: 1 });
  });

  it('uses WAL, synchronous=NORMAL and records the schema version', () => {
    const file = join(tempDir(), 'meta.sqlite');
    store(file).close();
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    } finally {
      db.close();
    }
  });

  it('counts the WAL file in stats().bytes', () => {
    const file = join(tempDir(), 'meta.sqlite');
    const s = store(file);
    s.putLocal(local('big', 'x'.repeat(100_000)));
    const wal = statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0;
    expect(s.stats().bytes).toBe(statSync(file).size + wal);
    expect(s.stats().bytes).toBeGreaterThan(100_000);
  });

  it('refuses a database written by a newer schema version, and a file that is not a database', () => {
    const dir = tempDir();
    const newer = join(dir, 'newer.sqlite');
    const db = new Database(newer);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openMetaStore({ file: newer })).toThrow(Error);
    const junk = join(dir, 'junk.sqlite');
    writeFileSync(junk, 'this is not sqlite, just some text long enough to fill a header........................................');
    expect(() => openMetaStore({ file: junk })).toThrow(expect.objectContaining({ code: 'SQLITE_NOTADB' }));
  });

  it('keeps named state records and the partial mark of a listing across a reopen', () => {
    const file = join(tempDir(), 'meta.sqlite');
    const a = store(file);
    a.setState('rate', '{"ban":1}');
    a.setState('rate', '{"ban":2}');
    a.putListing('big', [], 9, true);
    a.putListing('small', [], 9);
    a.close();
    const b = store(file);
    expect(b.getState('rate')).toBe('{"ban":2}');
    expect(b.getState('none')).toBeUndefined();
    expect(b.getListing('big')).toEqual({ entries: [], fetchedAt: 9, partial: true });
    expect(b.getListing('small')).toEqual({ entries: [], fetchedAt: 9 });
  });

  it('upgrades a database of the first schema version in place', () => {
    const file = join(tempDir(), 'meta.sqlite');
    const a = store(file);
    a.putListing('d', [], 5);
    a.close();
    const db = new Database(file);
    db.exec('ALTER TABLE listings DROP COLUMN partial; DROP TABLE state;');
    db.pragma('user_version = 1');
    db.close();
    const b = store(file);
    expect(b.getListing('d')).toEqual({ entries: [], fetchedAt: 5 });
    b.setState('k', 'v');
    expect(b.getState('k')).toBe('v');
  });

  it('stats() is zero bytes in memory', () => {
    expect(store().stats()).toEqual({ listings: 0, entries: 0, dirIds: 0, meta: 0, props: 0, local: 0, bytes: 0 });
  });
});

