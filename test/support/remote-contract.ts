/**
 * The one Remote contract suite, the executable form of src/remote/types.ts (imports vitest).
 * `runRemoteContract` registers it against one implementation; it runs against the memory remote, the
 * fichier remote over the emulator and, through our own WebDAV server, the WebDAV remote.
 *
 * - `make` is called once per suite; every test works in its own fresh folder (mkdir'ed under one scratch
 *   folder `contract-<random>` at the root), so one remote instance serves all tests and tests never see
 *   each other's files. `cleanup` (then `remote.close`) runs after the last test.
 * - Declared facts are not skips: each test reads `remote.facts` and expects the behaviour they declare
 *   (duplicates allowed or EEXIST; empty files stored or EINVAL; hashes computed or not).
 * - An absent optional feature (move, dirMove, copy, about, publicLink) skips its tests at run time with a
 *   note naming the feature. Any other skip is declared in `skip` with a reason, and shows in the output as
 *   "<test> [skipped: <reason>]". A skip naming no existing test, or without a reason, is itself a failure.
 * - Failures assert `err.code` (the test's message shows the code that came instead, or 'resolved').
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whirlpoolHex } from '../../src/util/whirlpool.ts';
import { isFsError } from '../../src/core/errors.ts';
import { joinPath } from '../../src/core/path.ts';
import type { HashType, ReadRange, Remote, RemoteEntry, RemoteOptional } from '../../src/remote/types.ts';

export interface RemoteContractOptions {
  /** Shown in the suite title. */
  name: string;
  /** Builds the remote under test (once per suite). */
  make: () => Promise<{ remote: Remote; cleanup?: () => Promise<void> }>;
  /** Tests not run against this remote, each group with the reason (listed in the output). */
  skip?: { reason: string; tests: string[] }[];
}

/** What one test gets: the remote and a fresh empty folder of its own. */
interface Ctx {
  remote: Remote;
  dir: string;
  /** Stores `data` at `dir/<rel>` and returns the new entry. */
  put(rel: string, data: Buffer): Promise<RemoteEntry>;
  /** The entry of the optional feature, or a run-time skip naming it. */
  need<K extends Feature>(feature: K): NonNullable<RemoteOptional[K]>;
}

type Feature = 'move' | 'dirMove' | 'copy' | 'about' | 'publicLink';
type TestFn = (c: Ctx) => Promise<void>;
interface Case {
  name: string;
  fn: TestFn;
}

/** Deterministic pseudo-random bytes (xorshift32). */
export function testBytes(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

/** A byte stream (not object mode) of `data`, in 64 KiB chunks. */
export function streamOf(data: Buffer): Readable {
  const parts: Buffer[] = [];
  for (let at = 0; at < data.length; at += 65536) parts.push(data.subarray(at, at + 65536));
  return Readable.from(parts, { objectMode: false });
}

/** All bytes of a file (or of a range of it). */
export async function readAll(remote: Remote, file: RemoteEntry, range?: ReadRange): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of await remote.openRead(file, range)) parts.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(parts);
}

/** The FsError code a promise rejects with, 'resolved' if it does not reject, or a description of a foreign error. */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return isFsError(err) ? err.code : `not an FsError: ${String(err)}`;
  }
}

async function digest(t: HashType, data: Buffer): Promise<string> {
  return t === 'whirlpool' ? whirlpoolHex(data) : createHash(t).update(data).digest('hex');
}

const names = (entries: RemoteEntry[]): string[] => entries.map((e) => e.name).sort();
const byName = (entries: RemoteEntry[], name: string): RemoteEntry[] => entries.filter((e) => e.name === name);

/** Names that must survive put, mkdir, list, stat and rename exactly (rclone's encoder cases and more). */
const SPECIAL_NAMES: ReadonlyArray<readonly [string, string]> = [
  ['spaces', 'a name  with spaces.txt'],
  ['unicode', 'Ünïcödé façade 日本語 ñ.txt'],
  ['emoji', '😀 party 🎉.bin'],
  ['quotes', `it's "quoted" \`tick\`.txt`],
  ['dollar', '$HOME and $1.txt'],
  ['hash', '#1 #hash#.txt'],
  ['percent', '100% %20 %2F %.txt'],
  ['backslash', 'back\\slash\\name.txt'],
  ['leading and trailing spaces', '  padded name.txt  '],
  ['angle brackets, pipe, colon, star, question mark', 'a<b>c|d:e*f?.txt'],
  ['control character', 'tab\there.txt'],
  ['fullwidth look-alikes of encoded characters', 'ｆ＂＜＞＄＼␠‛.txt'],
  ['leading dot and trailing dot', '.hidden.'],
  ['punctuation', "a&b+c=d;e,f~[x]{y}(z)!@^.txt"],
];

function contractCases(): Case[] {
  const cases: Case[] = [];
  const test = (name: string, fn: TestFn): void => void cases.push({ name, fn });

  // ---- folders, list, stat
  test('list of an empty folder is empty', async ({ remote, dir }) => {
    expect(await remote.list(dir)).toEqual([]);
  });
  test('stat of the root is a dir', async ({ remote }) => {
    const root = await remote.stat('');
    expect({ kind: root.kind, path: root.path }).toEqual({ kind: 'dir', path: '' });
  });
  test('mkdir creates a folder that list and stat show', async ({ remote, dir }) => {
    const made = await remote.mkdir(joinPath(dir, 'sub'));
    expect(made).toMatchObject({ kind: 'dir', name: 'sub', path: joinPath(dir, 'sub'), size: 0 });
    expect(made.id).not.toBe('');
    const listed = await remote.list(dir);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ kind: 'dir', name: 'sub', path: joinPath(dir, 'sub'), id: made.id });
    expect(await remote.stat(joinPath(dir, 'sub'))).toMatchObject({ kind: 'dir', id: made.id });
    expect(await remote.list(joinPath(dir, 'sub'))).toEqual([]);
  });
  test('nested folders: mkdir, list and stat two levels down', async ({ remote, dir }) => {
    const a = await remote.mkdir(joinPath(dir, 'a'));
    const b = await remote.mkdir(joinPath(dir, 'a/b'));
    expect(b.id).not.toBe(a.id);
    expect(await remote.stat(joinPath(dir, 'a/b'))).toMatchObject({ kind: 'dir', id: b.id, path: joinPath(dir, 'a/b') });
    expect(names(await remote.list(joinPath(dir, 'a')))).toEqual(['b']);
  });
  test('mkdir of an existing folder throws EEXIST', async ({ remote, dir }) => {
    await remote.mkdir(joinPath(dir, 'x'));
    expect(await codeOf(remote.mkdir(joinPath(dir, 'x')))).toBe('EEXIST');
    expect(names(await remote.list(dir))).toEqual(['x']);
  });
  test('mkdir over an existing file throws EEXIST', async ({ remote, dir, put }) => {
    await put('f', testBytes(10));
    expect(await codeOf(remote.mkdir(joinPath(dir, 'f')))).toBe('EEXIST');
  });
  test('mkdir with a missing parent throws ENOENT', async ({ remote, dir }) => {
    expect(await codeOf(remote.mkdir(joinPath(dir, 'missing/sub')))).toBe('ENOENT');
  });
  test('mkdir under a file throws ENOTDIR', async ({ remote, dir, put }) => {
    await put('f', testBytes(10));
    expect(await codeOf(remote.mkdir(joinPath(dir, 'f/sub')))).toBe('ENOTDIR');
  });
  test('list of a missing folder throws ENOENT', async ({ remote, dir }) => {
    expect(await codeOf(remote.list(joinPath(dir, 'missing')))).toBe('ENOENT');
  });
  test('list of a file throws ENOTDIR', async ({ remote, dir, put }) => {
    await put('f', testBytes(10));
    expect(await codeOf(remote.list(joinPath(dir, 'f')))).toBe('ENOTDIR');
  });
  test('stat of a missing path throws ENOENT (also with a missing parent)', async ({ remote, dir }) => {
    expect(await codeOf(remote.stat(joinPath(dir, 'missing')))).toBe('ENOENT');
    expect(await codeOf(remote.stat(joinPath(dir, 'missing/deeper')))).toBe('ENOENT');
  });
  test('stat below a file throws ENOTDIR', async ({ remote, dir, put }) => {
    await put('f', testBytes(10));
    expect(await codeOf(remote.stat(joinPath(dir, 'f/x')))).toBe('ENOTDIR');
  });
  test('list shows files and folders with their kinds, sizes and paths', async ({ remote, dir, put }) => {
    const sub = await remote.mkdir(joinPath(dir, 'sub'));
    const f = await put('file.bin', testBytes(123));
    const listed = await remote.list(dir);
    expect(listed.map((e) => ({ name: e.name, kind: e.kind, size: e.size, path: e.path, id: e.id })).sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: 'file.bin', kind: 'file', size: 123, path: joinPath(dir, 'file.bin'), id: f.id },
      { name: 'sub', kind: 'dir', size: 0, path: joinPath(dir, 'sub'), id: sub.id },
    ]);
  });

  // ---- put and read
  test('put then list and stat show the file', async ({ remote, dir, put }) => {
    const data = testBytes(1000, 7);
    const e = await put('hello.bin', data);
    expect(e).toMatchObject({ kind: 'file', name: 'hello.bin', path: joinPath(dir, 'hello.bin'), size: 1000 });
    expect(e.id).not.toBe('');
    expect(Number.isFinite(e.modTime) && e.modTime > 0).toBe(true);
    expect((await remote.list(dir)).map((x) => ({ name: x.name, id: x.id, size: x.size }))).toEqual([{ name: 'hello.bin', id: e.id, size: 1000 }]);
    expect(await remote.stat(joinPath(dir, 'hello.bin'))).toMatchObject({ kind: 'file', id: e.id, size: 1000 });
  });
  test('put reports the hashes the remote declares', async ({ remote, put }) => {
    const data = testBytes(4096, 3);
    const e = await put('h.bin', data);
    const want: Partial<Record<HashType, string>> = {};
    for (const t of remote.facts.hashes) want[t] = await digest(t, data);
    expect(Object.fromEntries(remote.facts.hashes.map((t) => [t, e.hashes[t]]))).toEqual(want);
  });
  test('openRead returns the whole file', async ({ remote, put }) => {
    const data = testBytes(300_000, 11);
    const e = await put('big.bin', data);
    expect((await readAll(remote, e)).equals(data)).toBe(true);
  });
  test('openRead of ranges: first byte, middle, to the end', async ({ remote, put }) => {
    const data = testBytes(10_000, 5);
    const e = await put('r.bin', data);
    expect((await readAll(remote, e, { start: 0, end: 0 })).equals(data.subarray(0, 1))).toBe(true);
    expect((await readAll(remote, e, { start: 1234, end: 5677 })).equals(data.subarray(1234, 5678))).toBe(true);
    expect((await readAll(remote, e, { start: 9000 })).equals(data.subarray(9000))).toBe(true);
    expect((await readAll(remote, e, { start: 9999, end: 9999 })).equals(data.subarray(9999))).toBe(true);
  });
  test('openRead starting at or past the end throws ERANGE', async ({ remote, put }) => {
    const e = await put('r.bin', testBytes(100));
    expect(await codeOf(remote.openRead(e, { start: 100 }))).toBe('ERANGE');
    expect(await codeOf(remote.openRead(e, { start: 5000, end: 6000 }))).toBe('ERANGE');
  });
  test('openRead of a directory throws EISDIR', async ({ remote, dir }) => {
    const d = await remote.mkdir(joinPath(dir, 'd'));
    expect(await codeOf(remote.openRead(d))).toBe('EISDIR');
  });
  test('put with fewer bytes than declared throws EINVAL and stores nothing', async ({ remote, dir }) => {
    const p = remote.put(joinPath(dir, 'short.bin'), streamOf(testBytes(50)), { size: 100 });
    expect(await codeOf(p)).toBe('EINVAL');
    expect(await remote.list(dir)).toEqual([]);
  });
  test('put with more bytes than declared throws EINVAL and stores nothing', async ({ remote, dir }) => {
    const p = remote.put(joinPath(dir, 'long.bin'), streamOf(testBytes(150)), { size: 100 });
    expect(await codeOf(p)).toBe('EINVAL');
    expect(await remote.list(dir)).toEqual([]);
  });
  test('put of an empty file follows facts.emptyFiles', async ({ remote, dir, put }) => {
    if (remote.facts.emptyFiles) {
      const e = await put('empty', Buffer.alloc(0));
      expect(e).toMatchObject({ kind: 'file', size: 0 });
      expect((await readAll(remote, e)).length).toBe(0);
      expect(await remote.stat(joinPath(dir, 'empty'))).toMatchObject({ size: 0, id: e.id });
    } else {
      expect(await codeOf(put('empty', Buffer.alloc(0)))).toBe('EINVAL');
      expect(await remote.list(dir)).toEqual([]);
    }
  });
  test('put into a missing folder throws ENOENT', async ({ put }) => {
    expect(await codeOf(put('missing/f.bin', testBytes(10)))).toBe('ENOENT');
  });
  test('put below a file throws ENOTDIR', async ({ put }) => {
    await put('f', testBytes(10));
    expect(await codeOf(put('f/g.bin', testBytes(10)))).toBe('ENOTDIR');
  });
  test('an aborted put stores nothing', async ({ remote, dir }) => {
    const ac = new AbortController();
    const data = testBytes(200_000, 9);
    const source = new Readable({ read() {} });
    source.push(data.subarray(0, 100_000));
    const p = remote.put(joinPath(dir, 'aborted.bin'), source, { size: data.length, signal: ac.signal });
    setTimeout(() => ac.abort(new Error('test abort')), 50);
    expect(await codeOf(p)).not.toBe('resolved');
    expect(await remote.list(dir)).toEqual([]);
  });
  test('concurrent puts in one folder all land', async ({ remote, dir, put }) => {
    const n = 8;
    const made = await Promise.all(Array.from({ length: n }, (_, i) => put(`c${i}.bin`, testBytes(1000 + i, 100 + i))));
    expect(new Set(made.map((e) => e.id)).size).toBe(n);
    const listed = await remote.list(dir);
    expect(names(listed)).toEqual(Array.from({ length: n }, (_, i) => `c${i}.bin`).sort());
    for (let i = 0; i < n; i++) {
      const e = byName(listed, `c${i}.bin`)[0];
      expect(e && (await readAll(remote, e)).equals(testBytes(1000 + i, 100 + i))).toBe(true);
    }
  });

  // ---- names
  for (const [label, name] of SPECIAL_NAMES) {
    test(`names round-trip: ${label}`, async ({ remote, dir, put }) => {
      const folder = await remote.mkdir(joinPath(dir, name));
      expect(names(await remote.list(dir))).toEqual([name]);
      expect(await remote.stat(joinPath(dir, name))).toMatchObject({ kind: 'dir', id: folder.id, name });
      const data = testBytes(64, 21);
      const f = await put(`${name}/${name}`, data);
      expect(f.name).toBe(name);
      const listed = await remote.list(joinPath(dir, name));
      expect(listed.map((e) => ({ name: e.name, path: e.path }))).toEqual([{ name, path: joinPath(dir, `${name}/${name}`) }]);
      const st = await remote.stat(joinPath(dir, `${name}/${name}`));
      expect(st.id).toBe(f.id);
      expect((await readAll(remote, st)).equals(data)).toBe(true);
      if (remote.move) {
        const plain = await put('plain.bin', data);
        const renamed = await remote.move(plain, joinPath(dir, `${name}.renamed`));
        expect(renamed.name).toBe(`${name}.renamed`);
        expect(names(await remote.list(dir))).toEqual([name, `${name}.renamed`].sort());
      }
    });
  }

  // ---- remove, rmdir
  test('remove deletes the file: ENOENT afterwards and on a second remove', async ({ remote, dir, put }) => {
    const e = await put('gone.bin', testBytes(10));
    await remote.remove(e);
    expect(await remote.list(dir)).toEqual([]);
    expect(await codeOf(remote.stat(joinPath(dir, 'gone.bin')))).toBe('ENOENT');
    expect(await codeOf(remote.openRead(e))).toBe('ENOENT');
    expect(await codeOf(remote.remove(e))).toBe('ENOENT');
  });
  test('remove of a directory throws EISDIR', async ({ remote, dir }) => {
    const d = await remote.mkdir(joinPath(dir, 'd'));
    expect(await codeOf(remote.remove(d))).toBe('EISDIR');
    expect(names(await remote.list(dir))).toEqual(['d']);
  });
  test('rmdir of a folder with a file throws ENOTEMPTY', async ({ remote, dir, put }) => {
    await remote.mkdir(joinPath(dir, 'd'));
    await put('d/f', testBytes(10));
    expect(await codeOf(remote.rmdir(joinPath(dir, 'd')))).toBe('ENOTEMPTY');
    expect(names(await remote.list(joinPath(dir, 'd')))).toEqual(['f']);
  });
  test('rmdir of a folder with a sub-folder throws ENOTEMPTY', async ({ remote, dir }) => {
    await remote.mkdir(joinPath(dir, 'd'));
    await remote.mkdir(joinPath(dir, 'd/e'));
    expect(await codeOf(remote.rmdir(joinPath(dir, 'd')))).toBe('ENOTEMPTY');
    expect(names(await remote.list(joinPath(dir, 'd')))).toEqual(['e']);
  });
  test('rmdir of an empty folder removes it', async ({ remote, dir }) => {
    await remote.mkdir(joinPath(dir, 'd'));
    await remote.rmdir(joinPath(dir, 'd'));
    expect(await remote.list(dir)).toEqual([]);
    expect(await codeOf(remote.stat(joinPath(dir, 'd')))).toBe('ENOENT');
  });
  test('rmdir of a missing folder throws ENOENT', async ({ remote, dir }) => {
    expect(await codeOf(remote.rmdir(joinPath(dir, 'missing')))).toBe('ENOENT');
  });
  test('rmdir of a file throws ENOTDIR', async ({ remote, dir, put }) => {
    await put('f', testBytes(10));
    expect(await codeOf(remote.rmdir(joinPath(dir, 'f')))).toBe('ENOTDIR');
  });
  test('rmdir of the root throws EINVAL', async ({ remote }) => {
    expect(await codeOf(remote.rmdir(''))).toBe('EINVAL');
  });

  // ---- duplicates
  test('put onto a taken name follows facts.duplicateNames', async ({ remote, dir, put }) => {
    const first = await put('dup.bin', testBytes(10, 1));
    if (remote.facts.duplicateNames) {
      const second = await put('dup.bin', testBytes(20, 2));
      expect(second.id).not.toBe(first.id);
      const listed = byName(await remote.list(dir), 'dup.bin');
      expect(listed.map((e) => e.id).sort()).toEqual([first.id, second.id].sort());
      for (const e of listed) expect((await readAll(remote, e)).equals(e.id === first.id ? testBytes(10, 1) : testBytes(20, 2))).toBe(true);
      expect([first.id, second.id]).toContain((await remote.stat(joinPath(dir, 'dup.bin'))).id);
      await remote.remove(first);
      expect((await remote.list(dir)).map((e) => e.id)).toEqual([second.id]);
    } else {
      expect(await codeOf(put('dup.bin', testBytes(20, 2)))).toBe('EEXIST');
      const listed = await remote.list(dir);
      expect(listed.map((e) => ({ id: e.id, size: e.size }))).toEqual([{ id: first.id, size: 10 }]);
    }
  });

  // ---- move
  test('move within a folder (rename) keeps the id and bytes', async ({ remote, dir, put, need }) => {
    const move = need('move');
    const data = testBytes(500, 4);
    const e = await put('old.bin', data);
    const m = await move(e, joinPath(dir, 'new.bin'));
    expect(m).toMatchObject({ id: e.id, name: 'new.bin', path: joinPath(dir, 'new.bin'), size: 500, kind: 'file' });
    expect((await remote.list(dir)).map((x) => ({ name: x.name, id: x.id }))).toEqual([{ name: 'new.bin', id: e.id }]);
    expect(await codeOf(remote.stat(joinPath(dir, 'old.bin')))).toBe('ENOENT');
    expect((await readAll(remote, m)).equals(data)).toBe(true);
  });
  test('move across folders keeps the id (same name and renamed)', async ({ remote, dir, put, need }) => {
    const move = need('move');
    await remote.mkdir(joinPath(dir, 'a'));
    await remote.mkdir(joinPath(dir, 'b'));
    const data = testBytes(300, 8);
    const e = await put('a/f.bin', data);
    const m = await move(e, joinPath(dir, 'b/f.bin'));
    expect(m).toMatchObject({ id: e.id, path: joinPath(dir, 'b/f.bin') });
    expect(await remote.list(joinPath(dir, 'a'))).toEqual([]);
    expect((await remote.list(joinPath(dir, 'b'))).map((x) => x.id)).toEqual([e.id]);
    const r = await move(m, joinPath(dir, 'a/g.bin'));
    expect(r).toMatchObject({ id: e.id, name: 'g.bin', path: joinPath(dir, 'a/g.bin') });
    expect(await remote.list(joinPath(dir, 'b'))).toEqual([]);
    expect((await remote.stat(joinPath(dir, 'a/g.bin'))).id).toBe(e.id);
    expect((await readAll(remote, r)).equals(data)).toBe(true);
  });
  test('move onto a taken name follows facts.duplicateNames', async ({ remote, dir, put, need }) => {
    const move = need('move');
    const a = await put('a.bin', testBytes(10, 1));
    const b = await put('b.bin', testBytes(20, 2));
    if (remote.facts.duplicateNames) {
      const m = await move(a, joinPath(dir, 'b.bin'));
      expect(m.id).toBe(a.id);
      expect(byName(await remote.list(dir), 'b.bin').map((e) => e.id).sort()).toEqual([a.id, b.id].sort());
    } else {
      expect(await codeOf(move(a, joinPath(dir, 'b.bin')))).toBe('EEXIST');
      expect((await remote.list(dir)).map((e) => ({ name: e.name, id: e.id })).sort((x, y) => x.name.localeCompare(y.name))).toEqual([
        { name: 'a.bin', id: a.id },
        { name: 'b.bin', id: b.id },
      ]);
    }
  });
  test('move into a missing folder throws ENOENT', async ({ dir, put, need }) => {
    const move = need('move');
    const e = await put('f.bin', testBytes(10));
    expect(await codeOf(move(e, joinPath(dir, 'missing/f.bin')))).toBe('ENOENT');
  });
  test('move of a removed file throws ENOENT', async ({ remote, dir, put, need }) => {
    const move = need('move');
    const e = await put('f.bin', testBytes(10));
    await remote.remove(e);
    expect(await codeOf(move(e, joinPath(dir, 'g.bin')))).toBe('ENOENT');
  });

  // ---- dirMove
  const tree = async ({ remote, dir, put }: Ctx, at: string) => {
    const d = await remote.mkdir(joinPath(dir, at));
    const f = await put(`${at}/f.bin`, testBytes(100, 31));
    const s = await remote.mkdir(joinPath(dir, `${at}/s`));
    const g = await put(`${at}/s/g.bin`, testBytes(200, 32));
    return { d, f, s, g };
  };
  const expectTree = async (remote: Remote, at: string, ids: Awaited<ReturnType<typeof tree>>) => {
    expect((await remote.stat(at)).id).toBe(ids.d.id);
    expect((await remote.list(at)).map((e) => ({ name: e.name, id: e.id, path: e.path })).sort((x, y) => x.name.localeCompare(y.name))).toEqual([
      { name: 'f.bin', id: ids.f.id, path: joinPath(at, 'f.bin') },
      { name: 's', id: ids.s.id, path: joinPath(at, 's') },
    ]);
    const g = await remote.stat(joinPath(at, 's/g.bin'));
    expect(g.id).toBe(ids.g.id);
    expect((await readAll(remote, g)).equals(testBytes(200, 32))).toBe(true);
  };
  test('dirMove renames a folder, keeping contents and ids', async (c) => {
    const dirMove = c.need('dirMove');
    const ids = await tree(c, 'src');
    const m = await dirMove(joinPath(c.dir, 'src'), joinPath(c.dir, 'dst'));
    expect(m).toMatchObject({ kind: 'dir', id: ids.d.id, name: 'dst', path: joinPath(c.dir, 'dst') });
    expect(names(await c.remote.list(c.dir))).toEqual(['dst']);
    await expectTree(c.remote, joinPath(c.dir, 'dst'), ids);
  });
  test('dirMove across folders keeps contents and ids', async (c) => {
    const dirMove = c.need('dirMove');
    const ids = await tree(c, 'src');
    await c.remote.mkdir(joinPath(c.dir, 'other'));
    await dirMove(joinPath(c.dir, 'src'), joinPath(c.dir, 'other/src'));
    expect(names(await c.remote.list(c.dir))).toEqual(['other']);
    await expectTree(c.remote, joinPath(c.dir, 'other/src'), ids);
    await dirMove(joinPath(c.dir, 'other/src'), joinPath(c.dir, 'back'));
    await expectTree(c.remote, joinPath(c.dir, 'back'), ids);
  });
  test('dirMove into itself throws EINVAL', async (c) => {
    const dirMove = c.need('dirMove');
    const ids = await tree(c, 'src');
    expect(await codeOf(dirMove(joinPath(c.dir, 'src'), joinPath(c.dir, 'src/inner')))).toBe('EINVAL');
    expect(await codeOf(dirMove(joinPath(c.dir, 'src'), joinPath(c.dir, 'src/s/deeper')))).toBe('EINVAL');
    await expectTree(c.remote, joinPath(c.dir, 'src'), ids);
  });
  test('dirMove onto an existing folder or file throws EEXIST', async (c) => {
    const dirMove = c.need('dirMove');
    const ids = await tree(c, 'src');
    await c.remote.mkdir(joinPath(c.dir, 'taken'));
    await c.put('file.bin', testBytes(10));
    expect(await codeOf(dirMove(joinPath(c.dir, 'src'), joinPath(c.dir, 'taken')))).toBe('EEXIST');
    expect(await codeOf(dirMove(joinPath(c.dir, 'src'), joinPath(c.dir, 'file.bin')))).toBe('EEXIST');
    expect(await c.remote.list(joinPath(c.dir, 'taken'))).toEqual([]);
    await expectTree(c.remote, joinPath(c.dir, 'src'), ids);
  });
  test('dirMove of a missing folder or into a missing parent throws ENOENT', async (c) => {
    const dirMove = c.need('dirMove');
    await c.remote.mkdir(joinPath(c.dir, 'src'));
    expect(await codeOf(dirMove(joinPath(c.dir, 'missing'), joinPath(c.dir, 'dst')))).toBe('ENOENT');
    expect(await codeOf(dirMove(joinPath(c.dir, 'src'), joinPath(c.dir, 'missing/dst')))).toBe('ENOENT');
    expect(names(await c.remote.list(c.dir))).toEqual(['src']);
  });

  // ---- copy
  test('copy gives a new id and identical bytes; the source stays', async ({ remote, dir, put, need }) => {
    const copy = need('copy');
    await remote.mkdir(joinPath(dir, 'other'));
    const data = testBytes(777, 12);
    const e = await put('src.bin', data);
    const same = await copy(e, joinPath(dir, 'copy.bin'));
    const across = await copy(e, joinPath(dir, 'other/src.bin'));
    for (const [c, path] of [[same, joinPath(dir, 'copy.bin')], [across, joinPath(dir, 'other/src.bin')]] as const) {
      expect(c).toMatchObject({ kind: 'file', path, size: 777 });
      expect(c.id).not.toBe(e.id);
      expect((await remote.stat(path)).id).toBe(c.id);
      expect((await readAll(remote, c)).equals(data)).toBe(true);
    }
    expect(same.id).not.toBe(across.id);
    expect((await remote.stat(joinPath(dir, 'src.bin'))).id).toBe(e.id);
    expect((await readAll(remote, e)).equals(data)).toBe(true);
  });
  test('copy onto a taken name follows facts.duplicateNames', async ({ remote, dir, put, need }) => {
    const copy = need('copy');
    const a = await put('a.bin', testBytes(10, 1));
    const b = await put('b.bin', testBytes(20, 2));
    if (remote.facts.duplicateNames) {
      const c = await copy(a, joinPath(dir, 'b.bin'));
      expect(byName(await remote.list(dir), 'b.bin').map((e) => e.id).sort()).toEqual([b.id, c.id].sort());
    } else {
      expect(await codeOf(copy(a, joinPath(dir, 'b.bin')))).toBe('EEXIST');
      expect((await remote.list(dir)).length).toBe(2);
    }
  });

  // ---- about, publicLink
  test('about returns non-negative numbers that add up', async ({ need }) => {
    const a = await need('about')();
    for (const v of [a.total, a.used, a.free]) if (v !== undefined) expect(Number.isFinite(v) && v >= 0).toBe(true);
    if (a.total !== undefined && a.used !== undefined && a.free !== undefined) expect(a.used + a.free).toBe(a.total);
  });
  test('publicLink gives a stable link for a file, ENOENT once removed', async ({ remote, put, need }) => {
    const publicLink = need('publicLink');
    const e = await put('shared.bin', testBytes(10));
    const link = await publicLink(e);
    expect(typeof link === 'string' && link.length > 0).toBe(true);
    expect(await publicLink(e)).toBe(link);
    await remote.remove(e);
    expect(await codeOf(publicLink(e))).toBe('ENOENT');
  });

  return cases;
}

/** Registers the contract suite for one Remote implementation (call at the top level of a *.test.ts file). */
export function runRemoteContract(opts: RemoteContractOptions): void {
  const cases = contractCases();
  const skipped = new Map<string, string>();
  for (const s of opts.skip ?? []) for (const t of s.tests) skipped.set(t, s.reason);

  describe(`Remote contract: ${opts.name}`, () => {
    let remote: Remote | undefined;
    let cleanup: (() => Promise<void>) | undefined;
    const scratch = `contract-${randomBytes(4).toString('hex')}`;
    let n = 0;

    beforeAll(async () => {
      const made = await opts.make();
      remote = made.remote;
      cleanup = made.cleanup;
      await remote.mkdir(scratch);
    });
    afterAll(async () => {
      await remote?.close?.();
      await cleanup?.();
    });

    it('declared skips name existing tests and give a reason', () => {
      const known = new Set(cases.map((c) => c.name));
      const bad = (opts.skip ?? []).flatMap((s) => s.tests.filter((t) => !known.has(t) || s.reason.trim() === '').map((t) => `${t} (${s.reason})`));
      expect(bad).toEqual([]);
    });

    for (const c of cases) {
      const reason = skipped.get(c.name);
      if (reason !== undefined) {
        it.skip(`${c.name} [skipped: ${reason}]`, () => undefined);
        continue;
      }
      it(c.name, async (tctx) => {
        if (!remote) throw new Error('make() failed');
        const r = remote;
        const dir = joinPath(scratch, `t${++n}`);
        await r.mkdir(dir);
        const ctx: Ctx = {
          remote: r,
          dir,
          put: (rel, data) => r.put(joinPath(dir, rel), streamOf(data), { size: data.length }),
          need: (feature) => {
            const f = r[feature];
            if (!f) return tctx.skip(`optional feature ${feature} is absent`);
            return f.bind(r) as NonNullable<RemoteOptional[typeof feature]>;
          },
        };
        await c.fn(ctx);
      });
    }
  });
}
