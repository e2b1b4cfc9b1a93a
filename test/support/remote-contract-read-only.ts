/**
 * The Remote contract for a read-only storage (facts.readOnly: a public shared folder), which cannot make its own
 * test folders: `make` returns a remote whose root holds exactly READ_ONLY_FIXTURE (put there by other means, e.g.
 * the account that shares the folder). The cases check listing, stat and reads of the fixture, and that every
 * write throws EROFS and changes nothing. Optional features follow remote-contract.ts's rule: each one the remote
 * lacks is declared in `absent` with the reason; no other test is skipped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Remote, RemoteEntry, RemoteOptional } from '../../src/remote/types.ts';
import { testBytes } from './bytes.ts';
import { codeOf } from './errors.ts';
import { featureOf, itChecksAbsentFeatures, type Feature, type RemoteContractOptions } from './remote-contract.ts';
import { readAll, streamOf } from './remote-kit.ts';

/**
 * What the root of a read-only remote under test holds, exactly (a flat folder of files; 1fichier stores no empty
 * file). Two files share one name: a storage with facts.duplicateNames lists both.
 */
export const READ_ONLY_FIXTURE: readonly { name: string; data: Buffer }[] = [
  { name: 'plain.txt', data: Buffer.from('a plain text file\n') },
  { name: 'big.bin', data: testBytes(300_000, 41) },
  { name: 'Ünïcödé façade 日本語 ñ.txt', data: testBytes(64, 42) },
  { name: '😀 party 🎉.bin', data: testBytes(65, 43) },
  { name: 'a name  with spaces.txt', data: testBytes(66, 44) },
  { name: '100% %20 %2F #hash.txt', data: testBytes(67, 45) },
  { name: 'ｆ＂＜＞＄＼␠‛ look-alikes.txt', data: testBytes(68, 46) },
  { name: 'twice.txt', data: Buffer.from('the first of two files named twice.txt') },
  { name: 'twice.txt', data: Buffer.from('the second one') },
];

/** What one read-only test gets: the remote and the fixture as listed (file entries). */
interface RoCtx {
  remote: Remote;
  files: RemoteEntry[];
  need<K extends Feature>(feature: K): NonNullable<RemoteOptional[K]>;
}

/** The fixture's data for a listed entry: the fixture's sizes are all different, so the size tells which file it is. */
function fixtureOf(e: RemoteEntry): Buffer {
  const found = READ_ONLY_FIXTURE.filter((f) => f.data.length === e.size);
  if (found.length !== 1) throw new Error(`${e.name} (${e.size} bytes) is not one file of the fixture`);
  return found[0]!.data;
}

interface RoCase {
  name: string;
  fn: (c: RoCtx) => Promise<void>;
  /** The optional feature the case tests (not registered when the remote declares it absent). */
  feature?: Feature;
}

function readOnlyCases(): RoCase[] {
  const cases: RoCase[] = [];
  const test = (name: string, fn: RoCase['fn'], feature?: Feature): void => void cases.push({ name, fn, ...(feature ? { feature } : {}) });
  const unique = [...new Set(READ_ONLY_FIXTURE.map((f) => f.name))];

  test('read-only: stat of the root is a dir', async ({ remote }) => {
    const root = await remote.stat('');
    expect({ kind: root.kind, path: root.path }).toEqual({ kind: 'dir', path: '' });
  });
  test('read-only: list of the root shows the fixture: names, kinds, sizes, distinct ids', async ({ remote, files }) => {
    const listed = await remote.list('');
    expect(listed.every((e) => e.kind === 'file' && e.path === e.name)).toBe(true);
    expect(new Set(listed.map((e) => e.id)).size).toBe(listed.length);
    if (remote.facts.duplicateNames) {
      expect(listed.map((e) => [e.name, e.size]).sort()).toEqual(READ_ONLY_FIXTURE.map((f) => [f.name, f.data.length]).sort());
    } else {
      expect(new Set(listed.map((e) => e.name)).size).toBe(listed.length);
      expect(listed.map((e) => e.size).sort()).toEqual(READ_ONLY_FIXTURE.map((f) => f.data.length).sort());
      for (const name of unique) expect(listed.map((e) => e.name)).toContain(name);
    }
    expect(files.length).toBe(READ_ONLY_FIXTURE.length);
  });
  test('read-only: names round-trip: every name stats and reads its own bytes', async ({ remote }) => {
    for (const name of unique) {
      const st = await remote.stat(name);
      expect(st).toMatchObject({ kind: 'file', name, path: name });
      expect((await readAll(remote, st)).equals(fixtureOf(st))).toBe(true);
    }
  });
  test('read-only: duplicates follow facts.duplicateNames; each listed file reads its own bytes', async ({ remote, files }) => {
    const twice = files.filter((f) => f.name === 'twice.txt');
    expect(twice.length).toBe(remote.facts.duplicateNames ? 2 : 1);
    for (const f of files) expect((await readAll(remote, f)).equals(fixtureOf(f)), f.name).toBe(true);
  });
  test('read-only: missing paths throw ENOENT, paths below a file ENOTDIR', async ({ remote }) => {
    expect(await codeOf(remote.stat('missing.txt'))).toBe('ENOENT');
    expect(await codeOf(remote.stat('missing/deeper'))).toBe('ENOENT');
    expect(await codeOf(remote.list('missing'))).toBe('ENOENT');
    expect(await codeOf(remote.stat('plain.txt/x'))).toBe('ENOTDIR');
    expect(await codeOf(remote.list('plain.txt'))).toBe('ENOTDIR');
  });
  test('read-only: openRead of spans, outside the file ERANGE, of the root EISDIR', async ({ remote, files }) => {
    const big = files.find((f) => f.name === 'big.bin')!;
    const data = fixtureOf(big);
    expect((await readAll(remote, big, { start: 0, end: 0 })).equals(data.subarray(0, 1))).toBe(true);
    expect((await readAll(remote, big, { start: 123_456, end: 234_567 })).equals(data.subarray(123_456, 234_568))).toBe(true);
    expect((await readAll(remote, big, { start: data.length - 1, end: data.length - 1 })).equals(data.subarray(-1))).toBe(true);
    expect(await codeOf(readAll(remote, big, { start: data.length, end: data.length }))).toBe('ERANGE');
    expect(await codeOf(remote.openRead(await remote.stat('')))).toBe('EISDIR');
  });
  test('read-only: every write throws EROFS and changes nothing', async ({ remote, files }) => {
    const root = await remote.stat('');
    const file = files.find((f) => f.name === 'plain.txt')!;
    const writes: [string, () => Promise<unknown>][] = [
      ['put', () => remote.put(root, 'new.bin', streamOf(testBytes(10)), { size: 10 })],
      ['put over a file', () => remote.put(root, 'plain.txt', streamOf(testBytes(10)), { size: 10 })],
      ['mkdir', () => remote.mkdir(root, 'folder')],
      ['remove', () => remote.remove(file)],
    ];
    const { move, copy, dirMove } = remote;
    if (move) writes.push(['move', () => move.call(remote, file, root, 'moved.txt')]);
    if (copy) writes.push(['copy', () => copy.call(remote, file, root, 'copied.txt')]);
    if (dirMove) writes.push(['dirMove', () => dirMove.call(remote, root, root, 'x')]);
    for (const [what, write] of writes) expect(`${what}: ${await codeOf(write())}`).toBe(`${what}: EROFS`);
    // The root is never removable: a storage may say so (EINVAL) before it says read-only.
    expect(['EROFS', 'EINVAL']).toContain(await codeOf(remote.rmdir(root)));
    expect((await remote.list('')).map((e) => e.id).sort()).toEqual(files.map((e) => e.id).sort());
  });
  test('read-only: about returns non-negative numbers that add up', async ({ need }) => {
    const a = await need('about')();
    for (const v of [a.total, a.used, a.free]) if (v !== undefined) expect(Number.isFinite(v) && v >= 0).toBe(true);
    if (a.total !== undefined && a.used !== undefined && a.free !== undefined) expect(a.used + a.free).toBe(a.total);
  }, 'about');
  test('read-only: publicLink gives a stable link for a file', async ({ files, need }) => {
    const publicLink = need('publicLink');
    const file = files.find((f) => f.name === 'plain.txt')!;
    const link = await publicLink(file);
    expect(typeof link === 'string' && link.length > 0).toBe(true);
    expect(await publicLink(file)).toBe(link);
  }, 'publicLink');
  test('read-only: commands give a direct link for a file, EISDIR for a folder, refuse uploads into it', async ({ remote, files, need }) => {
    const commands = need('commands');
    const file = files.find((f) => f.name === 'plain.txt')!;
    expect(await commands.directLink(file)).toMatch(/^https?:\/\//);
    const root = await remote.stat('');
    expect(await codeOf(commands.directLink(root))).toBe('EISDIR');
    expect(await codeOf(commands.remoteUpload(['http://127.0.0.1:1/x'], root))).toBe('EROFS');
  }, 'commands');
  return cases;
}

/** Registers the read-only contract suite for one Remote implementation (see the module doc). */
export function runReadOnlyRemoteContract(opts: Omit<RemoteContractOptions, 'skip'>): void {
  const cases = readOnlyCases();
  const absent = opts.absent ?? {};
  describe(`Remote contract (read-only): ${opts.name}`, () => {
    let remote: Remote | undefined;
    let cleanup: (() => Promise<void>) | undefined;
    let files: RemoteEntry[] = [];

    beforeAll(async () => {
      const made = await opts.make();
      remote = made.remote;
      cleanup = made.cleanup;
      files = await remote.list('');
    });
    afterAll(async () => {
      await remote?.close?.();
      await cleanup?.();
    });

    it('declares facts.readOnly', () => {
      expect(remote?.facts.readOnly).toBe(true);
    });

    itChecksAbsentFeatures(() => remote, absent);

    for (const c of cases) {
      if (c.feature && c.feature in absent) continue;
      it(c.name, async () => {
        if (!remote) throw new Error('make() failed');
        const r = remote;
        await c.fn({
          remote: r,
          files,
          need: (feature) => featureOf(r, feature),
        });
      });
    }
  });
}
