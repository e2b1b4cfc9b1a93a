/**
 * The one Remote contract suite, the executable form of src/remote/types.ts (imports vitest).
 * `runRemoteContract` registers it against one implementation; it runs against the memory remote, the
 * fichier remote over the emulator and, through our own WebDAV server, the WebDAV remote.
 *
 * - `make` is called once per suite; every test works in its own fresh folder (mkdir'ed under one scratch
 *   folder `contract-<random>` at the root), so one remote instance serves all tests and tests never see
 *   each other's files. `remote.close`, then `cleanup`, run after the last test.
 * - Declared facts are not skips: each test reads `remote.facts` and expects the behaviour they declare
 *   (duplicates allowed or EEXIST; empty files stored or EINVAL; hashes computed or not).
 * - An optional feature (move, dirMove, copy, about, publicLink, commands) the remote does not have is declared
 *   in `absent` with the reason: its tests are then not registered, and one test asserts that exactly the
 *   declared features are absent. An undeclared absence fails that test and the feature's own tests.
 * - Any other skip is declared in `skip` with a reason, and shows in the output as "<test> [skipped:
 *   <reason>]". A skip naming no existing test, or without a reason, is itself a failure.
 * - Failures assert `err.code` (the test's message shows the code that came instead, or 'resolved').
 * - A read-only storage (facts.readOnly: a public shared folder) cannot make its own test folders: its suite is
 *   remote-contract-read-only.ts, with the same options and the same rule for absent features.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinPath } from '../../src/core/path.ts';
import type { HashType, Remote, RemoteEntry, RemoteOptional } from '../../src/remote/types.ts';
import { whirlpoolHex } from '../../src/util/whirlpool.ts';
import { testBytes } from './bytes.ts';
import { codeOf } from './errors.ts';
import { readAll, streamOf } from './remote-kit.ts';

export interface RemoteContractOptions {
  /** Shown in the suite title. */
  name: string;
  /** Builds the remote under test (once per suite). */
  make: () => Promise<{ remote: Remote; cleanup?: () => Promise<void> }>;
  /** The optional features this remote does not have, each with the reason. */
  absent?: Partial<Record<Feature, string>>;
  /** Tests not run against this remote, each group with the reason (listed in the output). */
  skip?: { reason: string; tests: string[] }[];
}

/** What one test gets: the remote and a fresh empty folder of its own. */
interface Ctx {
  remote: Remote;
  /** The test's own folder (empty at the start). */
  dir: RemoteEntry;
  /** The path of `rel` below the test's folder. */
  at(rel: string): string;
  /** Stores `data` as `name` in `parent` (default: the test's folder) and returns the new entry. */
  put(name: string, data: Buffer, parent?: RemoteEntry): Promise<RemoteEntry>;
  /** Creates folder `name` in `parent` (default: the test's folder). */
  mkdir(name: string, parent?: RemoteEntry): Promise<RemoteEntry>;
  /** The entry of a folder that existed and was removed (for the "gone" cases). */
  gone(): Promise<RemoteEntry>;
  /** The optional feature the test was registered for (a method is bound to the remote). */
  need<K extends Feature>(feature: K): NonNullable<RemoteOptional[K]>;
}

/** The optional features of a Remote (RemoteOptional), each declared `absent` with a reason when a remote lacks it. */
export const FEATURES = ['move', 'dirMove', 'copy', 'about', 'publicLink', 'commands'] as const;
export type Feature = (typeof FEATURES)[number];

/** The optional feature of `remote` a test was registered for (a method bound to the remote); throws when absent. */
export function featureOf<K extends Feature>(remote: Remote, feature: K): NonNullable<RemoteOptional[K]> {
  const f: unknown = remote[feature];
  if (f === undefined) throw new Error(`optional feature ${feature} is absent: declare it in \`absent\` with the reason`);
  return (typeof f === 'function' ? f.bind(remote) : f) as NonNullable<RemoteOptional[K]>;
}

/** Registers the test that exactly the features declared in `absent` are absent from the remote, each with a reason. */
export function itChecksAbsentFeatures(remote: () => Remote | undefined, absent: Partial<Record<Feature, string>>): void {
  it('optional features: exactly the ones declared absent are absent, each with a reason', () => {
    const r = remote();
    const missing = FEATURES.filter((f) => r?.[f] === undefined);
    expect(missing).toEqual(FEATURES.filter((f) => f in absent));
    expect(Object.entries(absent).filter(([, reason]) => !reason?.trim())).toEqual([]);
  });
}
type TestFn = (c: Ctx) => Promise<void>;
interface Case {
  name: string;
  fn: TestFn;
  /** The optional feature the case tests (not registered when the remote declares it absent). */
  feature?: Feature;
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
  /** A case of an optional feature. */
  const of = (feature: Feature) => (name: string, fn: TestFn): void => void cases.push({ name, fn, feature });
  const moveTest = of('move');
  const dirMoveTest = of('dirMove');
  const copyTest = of('copy');
  const aboutTest = of('about');
  const publicLinkTest = of('publicLink');
  const commandsTest = of('commands');

  // ---- folders, list, stat
  test('list of an empty folder is empty', async ({ remote, dir }) => {
    expect(await remote.list(dir.path)).toEqual([]);
  });
  test('stat of the root is a dir', async ({ remote }) => {
    const root = await remote.stat('');
    expect({ kind: root.kind, path: root.path }).toEqual({ kind: 'dir', path: '' });
  });
  test('mkdir creates a folder that list and stat show', async ({ remote, dir, at }) => {
    const made = await remote.mkdir(dir, 'sub');
    expect(made).toMatchObject({ kind: 'dir', name: 'sub', path: at('sub'), size: 0 });
    expect(made.id).not.toBe('');
    const listed = await remote.list(dir.path);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ kind: 'dir', name: 'sub', path: at('sub'), id: made.id });
    expect(await remote.stat(at('sub'))).toMatchObject({ kind: 'dir', id: made.id });
    expect(await remote.list(at('sub'))).toEqual([]);
  });
  test('nested folders: mkdir, list and stat two levels down', async ({ remote, at, mkdir }) => {
    const a = await mkdir('a');
    const b = await remote.mkdir(a, 'b');
    expect(b.id).not.toBe(a.id);
    expect(await remote.stat(at('a/b'))).toMatchObject({ kind: 'dir', id: b.id, path: at('a/b') });
    expect(names(await remote.list(at('a')))).toEqual(['b']);
  });
  test('mkdir at the root of the remote works from the root entry', async ({ remote }) => {
    const root = await remote.stat('');
    const name = `contract-root-${randomBytes(4).toString('hex')}`;
    const made = await remote.mkdir(root, name);
    try {
      expect(made).toMatchObject({ kind: 'dir', name, path: name });
      expect((await remote.stat(name)).id).toBe(made.id);
    } finally {
      await remote.rmdir(made);
    }
  });
  test('mkdir of an existing folder throws EEXIST', async ({ remote, dir, mkdir }) => {
    await mkdir('x');
    expect(await codeOf(remote.mkdir(dir, 'x'))).toBe('EEXIST');
    expect(names(await remote.list(dir.path))).toEqual(['x']);
  });
  test('mkdir over an existing file follows facts.duplicateNames', async ({ remote, dir, put }) => {
    const f = await put('f', testBytes(10));
    if (remote.facts.duplicateNames) {
      const d = await remote.mkdir(dir, 'f');
      expect((await remote.list(dir.path)).map((e) => ({ kind: e.kind, id: e.id })).sort((a, b) => a.kind.localeCompare(b.kind))).toEqual([
        { kind: 'dir', id: d.id },
        { kind: 'file', id: f.id },
      ]);
    } else {
      expect(await codeOf(remote.mkdir(dir, 'f'))).toBe('EEXIST');
    }
  });
  test('mkdir in a removed folder throws ENOENT', async ({ remote, gone }) => {
    expect(await codeOf(remote.mkdir(await gone(), 'sub'))).toBe('ENOENT');
  });
  test('mkdir with a file as parent throws ENOTDIR', async ({ remote, put }) => {
    expect(await codeOf(remote.mkdir(await put('f', testBytes(10)), 'sub'))).toBe('ENOTDIR');
  });
  test('list of a missing folder throws ENOENT', async ({ remote, at }) => {
    expect(await codeOf(remote.list(at('missing')))).toBe('ENOENT');
  });
  test('list of a file throws ENOTDIR', async ({ remote, at, put }) => {
    await put('f', testBytes(10));
    expect(await codeOf(remote.list(at('f')))).toBe('ENOTDIR');
  });
  test('stat of a missing path throws ENOENT (also with a missing parent)', async ({ remote, at }) => {
    expect(await codeOf(remote.stat(at('missing')))).toBe('ENOENT');
    expect(await codeOf(remote.stat(at('missing/deeper')))).toBe('ENOENT');
  });
  test('stat below a file throws ENOTDIR', async ({ remote, at, put }) => {
    await put('f', testBytes(10));
    expect(await codeOf(remote.stat(at('f/x')))).toBe('ENOTDIR');
  });
  test('list shows files and folders with their kinds, sizes and paths', async ({ remote, dir, at, put, mkdir }) => {
    const sub = await mkdir('sub');
    const f = await put('file.bin', testBytes(123));
    const listed = await remote.list(dir.path);
    expect(listed.map((e) => ({ name: e.name, kind: e.kind, size: e.size, path: e.path, id: e.id })).sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: 'file.bin', kind: 'file', size: 123, path: at('file.bin'), id: f.id },
      { name: 'sub', kind: 'dir', size: 0, path: at('sub'), id: sub.id },
    ]);
  });

  // ---- put and read
  test('put then list and stat show the file', async ({ remote, dir, at, put }) => {
    const data = testBytes(1000, 7);
    const e = await put('hello.bin', data);
    expect(e).toMatchObject({ kind: 'file', name: 'hello.bin', path: at('hello.bin'), size: 1000 });
    expect(e.id).not.toBe('');
    expect(Number.isFinite(e.modTime) && e.modTime > 0).toBe(true);
    expect((await remote.list(dir.path)).map((x) => ({ name: x.name, id: x.id, size: x.size }))).toEqual([{ name: 'hello.bin', id: e.id, size: 1000 }]);
    expect(await remote.stat(at('hello.bin'))).toMatchObject({ kind: 'file', id: e.id, size: 1000 });
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
  test('openRead of spans: first byte, middle, to the end', async ({ remote, put }) => {
    const data = testBytes(10_000, 5);
    const e = await put('r.bin', data);
    expect((await readAll(remote, e, { start: 0, end: 0 })).equals(data.subarray(0, 1))).toBe(true);
    expect((await readAll(remote, e, { start: 1234, end: 5677 })).equals(data.subarray(1234, 5678))).toBe(true);
    expect((await readAll(remote, e, { start: 9000, end: 9999 })).equals(data.subarray(9000))).toBe(true);
    expect((await readAll(remote, e, { start: 9999, end: 9999 })).equals(data.subarray(9999))).toBe(true);
  });
  test('openRead of a span outside the file throws ERANGE (never clamped)', async ({ remote, put }) => {
    const e = await put('r.bin', testBytes(100));
    expect(await codeOf(readAll(remote, e, { start: 100, end: 100 }))).toBe('ERANGE');
    expect(await codeOf(readAll(remote, e, { start: 5000, end: 6000 }))).toBe('ERANGE');
  });
  test('openRead of a directory throws EISDIR', async ({ remote, mkdir }) => {
    expect(await codeOf(remote.openRead(await mkdir('d')))).toBe('EISDIR');
  });
  test('put with fewer bytes than declared throws EINVAL and stores nothing', async ({ remote, dir }) => {
    const p = remote.put(dir, 'short.bin', streamOf(testBytes(50)), { size: 100 });
    expect(await codeOf(p)).toBe('EINVAL');
    expect(await remote.list(dir.path)).toEqual([]);
  });
  test('put with more bytes than declared throws EINVAL and stores nothing', async ({ remote, dir }) => {
    const p = remote.put(dir, 'long.bin', streamOf(testBytes(150)), { size: 100 });
    expect(await codeOf(p)).toBe('EINVAL');
    expect(await remote.list(dir.path)).toEqual([]);
  });
  test('put of an empty file follows facts.emptyFiles', async ({ remote, dir, at, put }) => {
    if (remote.facts.emptyFiles) {
      const e = await put('empty', Buffer.alloc(0));
      expect(e).toMatchObject({ kind: 'file', size: 0 });
      expect((await readAll(remote, e)).length).toBe(0);
      expect(await remote.stat(at('empty'))).toMatchObject({ size: 0, id: e.id });
    } else {
      expect(await codeOf(put('empty', Buffer.alloc(0)))).toBe('EINVAL');
      expect(await remote.list(dir.path)).toEqual([]);
    }
  });
  test('put into a removed folder follows facts.putFailsOnMissingParent', async ({ remote, gone }) => {
    const parent = await gone();
    const p = remote.put(parent, 'f.bin', streamOf(testBytes(10)), { size: 10 });
    if (remote.facts.putFailsOnMissingParent) {
      expect(await codeOf(p)).toBe('ENOENT');
    } else {
      // Stored somewhere else by the storage (1fichier: at the root): found again by its id, then removed.
      const stray = await p;
      await remote.remove(stray);
      expect(await codeOf(remote.remove(stray))).toBe('ENOENT');
    }
  });
  test('put with a file as parent throws ENOTDIR', async ({ put }) => {
    const f = await put('f', testBytes(10));
    expect(await codeOf(put('g.bin', testBytes(10), f))).toBe('ENOTDIR');
  });
  test('an aborted put stores nothing', async ({ remote, dir }) => {
    const ac = new AbortController();
    const data = testBytes(200_000, 9);
    // Half the bytes are there at once; when the remote has taken them and asks for more, the caller aborts.
    const source = new Readable({ highWaterMark: 1024, read: () => ac.abort(new Error('test abort')) });
    source.push(data.subarray(0, 100_000));
    const p = remote.put(dir, 'aborted.bin', source, { size: data.length, signal: ac.signal });
    expect(await codeOf(p)).not.toBe('resolved');
    expect(ac.signal.aborted).toBe(true);
    expect(await remote.list(dir.path)).toEqual([]);
  });
  test('concurrent puts in one folder all land', async ({ remote, dir, put }) => {
    const n = 8;
    const made = await Promise.all(Array.from({ length: n }, (_, i) => put(`c${i}.bin`, testBytes(1000 + i, 100 + i))));
    expect(new Set(made.map((e) => e.id)).size).toBe(n);
    const listed = await remote.list(dir.path);
    expect(names(listed)).toEqual(Array.from({ length: n }, (_, i) => `c${i}.bin`).sort());
    for (let i = 0; i < n; i++) {
      const e = byName(listed, `c${i}.bin`)[0];
      expect(e && (await readAll(remote, e)).equals(testBytes(1000 + i, 100 + i))).toBe(true);
    }
  });

  // ---- names
  for (const [label, name] of SPECIAL_NAMES) {
    test(`names round-trip: ${label}`, async ({ remote, dir, at, put }) => {
      const folder = await remote.mkdir(dir, name);
      expect(names(await remote.list(dir.path))).toEqual([name]);
      expect(await remote.stat(at(name))).toMatchObject({ kind: 'dir', id: folder.id, name });
      const data = testBytes(64, 21);
      const f = await put(name, data, folder);
      expect(f.name).toBe(name);
      const listed = await remote.list(at(name));
      expect(listed.map((e) => ({ name: e.name, path: e.path }))).toEqual([{ name, path: at(`${name}/${name}`) }]);
      const st = await remote.stat(at(`${name}/${name}`));
      expect(st.id).toBe(f.id);
      expect((await readAll(remote, st)).equals(data)).toBe(true);
      if (remote.move) {
        const plain = await put('plain.bin', data);
        const renamed = await remote.move(plain, dir, `${name}.renamed`);
        expect(renamed.name).toBe(`${name}.renamed`);
        expect(names(await remote.list(dir.path))).toEqual([name, `${name}.renamed`].sort());
      }
    });
  }

  // ---- remove, rmdir
  test('remove deletes the file: ENOENT afterwards and on a second remove', async ({ remote, dir, at, put }) => {
    const e = await put('gone.bin', testBytes(10));
    await remote.remove(e);
    expect(await remote.list(dir.path)).toEqual([]);
    expect(await codeOf(remote.stat(at('gone.bin')))).toBe('ENOENT');
    expect(await codeOf(remote.openRead(e))).toBe('ENOENT');
    expect(await codeOf(remote.remove(e))).toBe('ENOENT');
  });
  test('remove of a directory throws EISDIR', async ({ remote, dir, mkdir }) => {
    const d = await mkdir('d');
    expect(await codeOf(remote.remove(d))).toBe('EISDIR');
    expect(names(await remote.list(dir.path))).toEqual(['d']);
  });
  test('rmdir of a folder with a file throws ENOTEMPTY', async ({ remote, at, put, mkdir }) => {
    const d = await mkdir('d');
    await put('f', testBytes(10), d);
    expect(await codeOf(remote.rmdir(d))).toBe('ENOTEMPTY');
    expect(names(await remote.list(at('d')))).toEqual(['f']);
  });
  test('rmdir of a folder with a sub-folder throws ENOTEMPTY', async ({ remote, at, mkdir }) => {
    const d = await mkdir('d');
    await mkdir('e', d);
    expect(await codeOf(remote.rmdir(d))).toBe('ENOTEMPTY');
    expect(names(await remote.list(at('d')))).toEqual(['e']);
  });
  test('rmdir of an empty folder removes it', async ({ remote, dir, at, mkdir }) => {
    await remote.rmdir(await mkdir('d'));
    expect(await remote.list(dir.path)).toEqual([]);
    expect(await codeOf(remote.stat(at('d')))).toBe('ENOENT');
  });
  test('rmdir of a removed folder throws ENOENT', async ({ remote, gone }) => {
    expect(await codeOf(remote.rmdir(await gone()))).toBe('ENOENT');
  });
  test('rmdir of a file throws ENOTDIR', async ({ remote, put }) => {
    expect(await codeOf(remote.rmdir(await put('f', testBytes(10))))).toBe('ENOTDIR');
  });
  test('rmdir of the root throws EINVAL', async ({ remote }) => {
    expect(await codeOf(remote.rmdir(await remote.stat('')))).toBe('EINVAL');
  });

  // ---- duplicates
  test('put onto a taken name follows facts.duplicateNames', async ({ remote, dir, at, put }) => {
    const first = await put('dup.bin', testBytes(10, 1));
    if (remote.facts.duplicateNames) {
      const second = await put('dup.bin', testBytes(20, 2));
      expect(second.id).not.toBe(first.id);
      const listed = byName(await remote.list(dir.path), 'dup.bin');
      expect(listed.map((e) => e.id).sort()).toEqual([first.id, second.id].sort());
      for (const e of listed) expect((await readAll(remote, e)).equals(e.id === first.id ? testBytes(10, 1) : testBytes(20, 2))).toBe(true);
      expect([first.id, second.id]).toContain((await remote.stat(at('dup.bin'))).id);
      await remote.remove(first);
      expect((await remote.list(dir.path)).map((e) => e.id)).toEqual([second.id]);
    } else {
      expect(await codeOf(put('dup.bin', testBytes(20, 2)))).toBe('EEXIST');
      const listed = await remote.list(dir.path);
      expect(listed.map((e) => ({ id: e.id, size: e.size }))).toEqual([{ id: first.id, size: 10 }]);
    }
  });

  // ---- move
  moveTest('move within a folder (rename) keeps the id and bytes', async ({ remote, dir, at, put, need }) => {
    const move = need('move');
    const data = testBytes(500, 4);
    const e = await put('old.bin', data);
    const m = await move(e, dir, 'new.bin');
    expect(m).toMatchObject({ id: e.id, name: 'new.bin', path: at('new.bin'), size: 500, kind: 'file' });
    expect((await remote.list(dir.path)).map((x) => ({ name: x.name, id: x.id }))).toEqual([{ name: 'new.bin', id: e.id }]);
    expect(await codeOf(remote.stat(at('old.bin')))).toBe('ENOENT');
    expect((await readAll(remote, m)).equals(data)).toBe(true);
  });
  moveTest('move across folders keeps the id (same name and renamed)', async ({ remote, at, put, mkdir, need }) => {
    const move = need('move');
    const a = await mkdir('a');
    const b = await mkdir('b');
    const data = testBytes(300, 8);
    const e = await put('f.bin', data, a);
    const m = await move(e, b, 'f.bin');
    expect(m).toMatchObject({ id: e.id, path: at('b/f.bin') });
    expect(await remote.list(at('a'))).toEqual([]);
    expect((await remote.list(at('b'))).map((x) => x.id)).toEqual([e.id]);
    const r = await move(m, a, 'g.bin');
    expect(r).toMatchObject({ id: e.id, name: 'g.bin', path: at('a/g.bin') });
    expect(await remote.list(at('b'))).toEqual([]);
    expect((await remote.stat(at('a/g.bin'))).id).toBe(e.id);
    expect((await readAll(remote, r)).equals(data)).toBe(true);
  });
  moveTest('move onto a taken name follows facts.duplicateNames', async ({ remote, dir, put, need }) => {
    const move = need('move');
    const a = await put('a.bin', testBytes(10, 1));
    const b = await put('b.bin', testBytes(20, 2));
    if (remote.facts.duplicateNames) {
      const m = await move(a, dir, 'b.bin');
      expect(m.id).toBe(a.id);
      expect(byName(await remote.list(dir.path), 'b.bin').map((e) => e.id).sort()).toEqual([a.id, b.id].sort());
    } else {
      expect(await codeOf(move(a, dir, 'b.bin'))).toBe('EEXIST');
      expect((await remote.list(dir.path)).map((e) => ({ name: e.name, id: e.id })).sort((x, y) => x.name.localeCompare(y.name))).toEqual([
        { name: 'a.bin', id: a.id },
        { name: 'b.bin', id: b.id },
      ]);
    }
  });
  moveTest('move into a removed folder throws ENOENT', async ({ put, gone, need }) => {
    const move = need('move');
    const e = await put('f.bin', testBytes(10));
    expect(await codeOf(move(e, await gone(), 'f.bin'))).toBe('ENOENT');
  });
  moveTest('move of a removed file throws ENOENT', async ({ remote, dir, put, need }) => {
    const move = need('move');
    const e = await put('f.bin', testBytes(10));
    await remote.remove(e);
    expect(await codeOf(move(e, dir, 'g.bin'))).toBe('ENOENT');
  });

  // ---- dirMove
  const tree = async ({ remote, put, mkdir }: Ctx, at: string) => {
    const d = await mkdir(at);
    const f = await put('f.bin', testBytes(100, 31), d);
    const s = await remote.mkdir(d, 's');
    const g = await put('g.bin', testBytes(200, 32), s);
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
  dirMoveTest('dirMove renames a folder, keeping contents and ids', async (c) => {
    const dirMove = c.need('dirMove');
    const ids = await tree(c, 'src');
    const m = await dirMove(ids.d, c.dir, 'dst');
    expect(m).toMatchObject({ kind: 'dir', id: ids.d.id, name: 'dst', path: c.at('dst') });
    expect(names(await c.remote.list(c.dir.path))).toEqual(['dst']);
    await expectTree(c.remote, c.at('dst'), ids);
  });
  dirMoveTest('dirMove across folders keeps contents and ids', async (c) => {
    const dirMove = c.need('dirMove');
    const ids = await tree(c, 'src');
    const other = await c.mkdir('other');
    const moved = await dirMove(ids.d, other, 'src');
    expect(names(await c.remote.list(c.dir.path))).toEqual(['other']);
    await expectTree(c.remote, c.at('other/src'), ids);
    await dirMove(moved, c.dir, 'back');
    await expectTree(c.remote, c.at('back'), ids);
  });
  dirMoveTest('dirMove into itself throws EINVAL', async (c) => {
    const dirMove = c.need('dirMove');
    const ids = await tree(c, 'src');
    expect(await codeOf(dirMove(ids.d, ids.d, 'inner'))).toBe('EINVAL');
    expect(await codeOf(dirMove(ids.d, ids.s, 'deeper'))).toBe('EINVAL');
    await expectTree(c.remote, c.at('src'), ids);
  });
  dirMoveTest('dirMove onto an existing folder throws EEXIST; onto a file name follows facts.duplicateNames', async (c) => {
    const dirMove = c.need('dirMove');
    const ids = await tree(c, 'src');
    await c.mkdir('taken');
    const file = await c.put('file.bin', testBytes(10));
    expect(await codeOf(dirMove(ids.d, c.dir, 'taken'))).toBe('EEXIST');
    expect(await c.remote.list(c.at('taken'))).toEqual([]);
    await expectTree(c.remote, c.at('src'), ids);
    if (c.remote.facts.duplicateNames) {
      const moved = await dirMove(ids.d, c.dir, 'file.bin');
      expect(byName(await c.remote.list(c.dir.path), 'file.bin').map((e) => e.id).sort()).toEqual([moved.id, file.id].sort());
    } else {
      expect(await codeOf(dirMove(ids.d, c.dir, 'file.bin'))).toBe('EEXIST');
      await expectTree(c.remote, c.at('src'), ids);
    }
  });
  dirMoveTest('dirMove of a removed folder or into a removed folder throws ENOENT', async (c) => {
    const dirMove = c.need('dirMove');
    const src = await c.mkdir('src');
    expect(await codeOf(dirMove(await c.gone(), c.dir, 'dst'))).toBe('ENOENT');
    expect(await codeOf(dirMove(src, await c.gone(), 'dst'))).toBe('ENOENT');
    expect(names(await c.remote.list(c.dir.path))).toEqual(['src']);
  });

  // ---- copy
  copyTest('copy gives a new id and identical bytes; the source stays', async ({ remote, dir, at, put, mkdir, need }) => {
    const copy = need('copy');
    const other = await mkdir('other');
    const data = testBytes(777, 12);
    const e = await put('src.bin', data);
    const same = await copy(e, dir, 'copy.bin');
    const across = await copy(e, other, 'src.bin');
    for (const [c, path] of [[same, at('copy.bin')], [across, at('other/src.bin')]] as const) {
      expect(c).toMatchObject({ kind: 'file', path, size: 777 });
      expect(c.id).not.toBe(e.id);
      expect((await remote.stat(path)).id).toBe(c.id);
      expect((await readAll(remote, c)).equals(data)).toBe(true);
    }
    expect(same.id).not.toBe(across.id);
    expect((await remote.stat(at('src.bin'))).id).toBe(e.id);
    expect((await readAll(remote, e)).equals(data)).toBe(true);
  });
  copyTest('copy onto a taken name follows facts.duplicateNames', async ({ remote, dir, put, need }) => {
    const copy = need('copy');
    const a = await put('a.bin', testBytes(10, 1));
    const b = await put('b.bin', testBytes(20, 2));
    if (remote.facts.duplicateNames) {
      const c = await copy(a, dir, 'b.bin');
      expect(byName(await remote.list(dir.path), 'b.bin').map((e) => e.id).sort()).toEqual([b.id, c.id].sort());
    } else {
      expect(await codeOf(copy(a, dir, 'b.bin'))).toBe('EEXIST');
      expect((await remote.list(dir.path)).length).toBe(2);
    }
  });
  copyTest('copy into a removed folder throws ENOENT', async ({ put, gone, need }) => {
    const copy = need('copy');
    const e = await put('f.bin', testBytes(10));
    expect(await codeOf(copy(e, await gone(), 'f.bin'))).toBe('ENOENT');
  });

  // ---- about, publicLink
  aboutTest('about returns non-negative numbers that add up', async ({ need }) => {
    const a = await need('about')();
    for (const v of [a.total, a.used, a.free]) if (v !== undefined) expect(Number.isFinite(v) && v >= 0).toBe(true);
    if (a.total !== undefined && a.used !== undefined && a.free !== undefined) expect(a.used + a.free).toBe(a.total);
  });
  publicLinkTest('publicLink gives a stable link for a file, ENOENT once removed', async ({ remote, put, need }) => {
    const publicLink = need('publicLink');
    const e = await put('shared.bin', testBytes(10));
    const link = await publicLink(e);
    expect(typeof link === 'string' && link.length > 0).toBe(true);
    expect(await publicLink(e)).toBe(link);
    await remote.remove(e);
    expect(await codeOf(publicLink(e))).toBe('ENOENT');
  });

  // ---- backend commands (their shapes are the storage's own; these are the codes every one documents)
  commandsTest('commands: directLink gives a link for a file; EISDIR for a folder, ENOENT once removed', async ({ remote, put, mkdir, need }) => {
    const commands = need('commands');
    const e = await put('linked.bin', testBytes(10));
    const link = await commands.directLink(e);
    expect(typeof link === 'string' && link.length > 0).toBe(true);
    expect(await codeOf(commands.directLink(await mkdir('d')))).toBe('EISDIR');
    await remote.remove(e);
    expect(await codeOf(commands.directLink(e))).toBe('ENOENT');
  });
  commandsTest('commands: remoteUpload into a file throws ENOTDIR; the job list is a list; an unknown job throws ENOENT', async ({ put, need }) => {
    const commands = need('commands');
    expect(await codeOf(commands.remoteUpload(['http://127.0.0.1:1/x'], await put('f', testBytes(10))))).toBe('ENOTDIR');
    expect(Array.isArray(await commands.remoteUploadJobs())).toBe(true);
    expect(await codeOf(commands.remoteUploadJob(987_654_321))).toBe('ENOENT');
  });

  return cases;
}

/** Registers the contract suite for one Remote implementation (call at the top level of a *.test.ts file). */
export function runRemoteContract(opts: RemoteContractOptions): void {
  const cases = contractCases();
  const absent = opts.absent ?? {};
  const skipped = new Map<string, string>();
  for (const s of opts.skip ?? []) for (const t of s.tests) skipped.set(t, s.reason);

  describe(`Remote contract: ${opts.name}`, () => {
    let remote: Remote | undefined;
    let scratch: RemoteEntry | undefined;
    let cleanup: (() => Promise<void>) | undefined;
    let n = 0;

    beforeAll(async () => {
      const made = await opts.make();
      remote = made.remote;
      cleanup = made.cleanup;
      scratch = await remote.mkdir(await remote.stat(''), `contract-${randomBytes(4).toString('hex')}`);
    });
    afterAll(async () => {
      await remote?.close?.();
      await cleanup?.();
    });

    it('declares facts.readOnly false (it is written to)', () => {
      expect(remote?.facts.readOnly).toBe(false);
    });

    it('declared skips name existing tests and give a reason', () => {
      const known = new Set(cases.map((c) => c.name));
      const bad = (opts.skip ?? []).flatMap((s) => s.tests.filter((t) => !known.has(t) || s.reason.trim() === '').map((t) => `${t} (${s.reason})`));
      expect(bad).toEqual([]);
    });

    itChecksAbsentFeatures(() => remote, absent);

    for (const c of cases) {
      if (c.feature && c.feature in absent) continue;
      const reason = skipped.get(c.name);
      if (reason !== undefined) {
        it.skip(`${c.name} [skipped: ${reason}]`, () => undefined);
        continue;
      }
      it(c.name, async () => {
        if (!remote || !scratch) throw new Error('make() failed');
        const r = remote;
        const dir = await r.mkdir(scratch, `t${++n}`);
        let removed = 0;
        const ctx: Ctx = {
          remote: r,
          dir,
          at: (rel) => joinPath(dir.path, rel),
          put: (name, data, parent = dir) => r.put(parent, name, streamOf(data), { size: data.length }),
          mkdir: (name, parent = dir) => r.mkdir(parent, name),
          gone: async () => {
            const d = await r.mkdir(scratch!, `${dir.name}-gone-${++removed}`);
            await r.rmdir(d);
            return d;
          },
          need: (feature) => featureOf(r, feature),
        };
        await c.fn(ctx);
      });
    }
  });
}
