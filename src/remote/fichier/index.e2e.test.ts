/**
 * The fichier remote over the emulator: what each operation costs in API calls, names stored as rclone
 * stores them, error codes, and folder ids learnt from listings and mkdir.
 */
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryDirIdIndex, createFichierRemote, toStoredName } from './index.ts';
import { testBytes as bytes } from '../../../test/support/bytes.ts';
import { codeOf } from '../../../test/support/errors.ts';
import { emulatedRemote, type EmulatedRemote } from '../../../test/support/fichier-remote.ts';
import { mkdirAt } from '../../../test/support/remote-kit.ts';

const LS = '/v1/folder/ls.cgi';

/** Stored (raw) names of the files and folders of folder `id`, straight from the API. */
async function storedNames(t: EmulatedRemote, id: number): Promise<string[]> {
  const res = await t.client.folderLs(id, { files: true });
  return [...(res.sub_folders ?? []).map((s) => s.name), ...(res.items ?? []).map((f) => f.filename)];
}

describe('fichier remote over the emulator', () => {
  let t: EmulatedRemote;
  beforeAll(async () => {
    t = await emulatedRemote();
    await t.put('root file', bytes(1));
  });
  afterAll(async () => t.stop());

  it('listing costs one API call per folder that holds files', async () => {
    await t.mkdir('econ');
    await t.mkdir('econ/a');
    await t.mkdir('econ/a/b');
    for (const p of ['econ/f', 'econ/a/f', 'econ/a/b/f']) await t.put(p, bytes(10));
    const fresh = createFichierRemote({ client: t.client });
    await t.mark();
    await fresh.list('');
    expect(await t.since()).toEqual({ [LS]: 1, total: 1 });
    await t.mark();
    expect((await fresh.list('econ')).map((e) => e.name).sort()).toEqual(['a', 'f']);
    expect(await t.since()).toEqual({ [LS]: 1, total: 1 });
    await t.mark();
    await fresh.list('econ/a');
    await fresh.list('econ/a/b');
    expect(await t.since()).toEqual({ [LS]: 2, total: 2 });
  });

  it('a deep path on a cold remote lists each ancestor once, then the folder', async () => {
    const fresh = createFichierRemote({ client: t.client });
    await t.mark();
    expect((await fresh.list('econ/a/b')).map((e) => e.name)).toEqual(['f']);
    expect(await t.since()).toEqual({ [LS]: 4, total: 4 });
  });

  it('a folder without files also lists in one call (items: [] when asked with files: 1)', async () => {
    await t.mkdir('nofiles');
    await t.mkdir('nofiles/sub');
    await t.mark();
    expect((await t.remote.list('nofiles')).map((e) => e.name)).toEqual(['sub']);
    expect(await t.since()).toEqual({ [LS]: 1, total: 1 });
  });

  it('entries carry decoded names, ids, sizes, UTC dates, MIME type and Whirlpool', async () => {
    await t.mkdir('meta');
    const put = await t.put('meta/x $1.txt', Buffer.from('hello\n'));
    const [e] = await t.remote.list('meta');
    expect(e).toMatchObject({ name: 'x $1.txt', path: 'meta/x $1.txt', kind: 'file', size: 6, id: put.id, mimeType: 'text/plain' });
    expect(e!.hashes.whirlpool).toBe(put.hashes.whirlpool);
    expect(e!.hashes.whirlpool).toMatch(/^[0-9a-f]{128}$/);
    expect(Math.abs(e!.modTime - Date.now())).toBeLessThan(60_000);
    expect(put.id).toMatch(/^https:\/\/1fichier\.com\/\?[a-z0-9]{5,20}$/);
  });

  it('names with every special character round-trip through put, mkdir, list and stat, stored as rclone stores them', async () => {
    const names = [
      ' lead and trail ',
      `quotes ' " \``,
      '$dollar\\back<lt>gt',
      'fullwidth ＄＂＜＞＼ already',
      'fullwidth slash ／ and nul ␀',
      '．',
      '．．',
      '...',
      `quote mark ‛ and ‛FF`,
      '␠ symbol space ␠',
      'tab\tand\x01ctl\x7Fdel',
      'café 🎉 日本語 #%?*:|',
    ];
    const dir = await t.mkdir('names');
    const dirs = await t.mkdir('names-dirs');
    for (const n of names) await t.put(`names/${n}`, Buffer.from(n));
    for (const n of names) await t.mkdir(`names-dirs/${n}`);
    const nested = await t.mkdir(`names-dirs/${names[0]}/${names[2]}`);
    const listed = await t.remote.list('names');
    expect(listed.map((e) => e.name).sort()).toEqual([...names].sort());
    expect((await t.remote.list('names-dirs')).map((e) => e.name).sort()).toEqual([...names].sort());
    for (const n of names) expect(await t.remote.stat(`names/${n}`)).toMatchObject({ name: n, kind: 'file' });
    for (const n of names) expect(await t.remote.stat(`names-dirs/${n}`)).toMatchObject({ name: n, kind: 'dir' });
    for (const e of listed) expect((await t.read(e)).toString()).toBe(e.name);
    expect((await t.remote.stat(`names-dirs/${names[0]}/${names[2]}`)).id).toBe(nested.id);
    const stored = await storedNames(t, Number(dir.id));
    expect(stored.sort()).toEqual(names.map(toStoredName).sort());
    expect((await storedNames(t, Number(dirs.id))).sort()).toEqual(names.map(toStoredName).sort());
    expect(stored).toContain('quotes ＇ ＂ ｀');
    expect(stored).toContain('fullwidth ‛＄‛＂‛＜‛＞‛＼ already');
    expect(stored).toContain('␠lead and trail␠');
  });

  it('move: file/rename in place, file/mv across folders, ids kept, new names encoded', async () => {
    const a = await t.mkdir('mv');
    const b = await t.mkdir('mv/b');
    const f = await t.put('mv/f.txt', bytes(100));
    await t.mark();
    const r = await t.remote.move!(f, a, 'it\'s $5.txt');
    expect(await t.since()).toEqual({ '/v1/file/rename.cgi': 1, total: 1 });
    expect(r).toMatchObject({ id: f.id, name: "it's $5.txt", path: "mv/it's $5.txt" });
    expect(await storedNames(t, Number(a.id))).toContain('it＇s ＄5.txt');
    await t.mark();
    const m = await t.remote.move!(r, b, 'it\'s $5.txt');
    expect(await t.since()).toEqual({ '/v1/file/mv.cgi': 1, total: 1 });
    expect(m).toMatchObject({ id: f.id, path: "mv/b/it's $5.txt" });
    const m2 = await t.remote.move!(m, a, 'g.txt');
    expect(m2).toMatchObject({ id: f.id, path: 'mv/g.txt', name: 'g.txt' });
    expect((await t.remote.list('mv')).map((e) => [e.name, e.id])).toEqual([['b', b.id], ['g.txt', f.id]]);
    expect(await t.read(m2)).toEqual(bytes(100));
  });

  it('copy: file/cp, new id, encoded name; dirMove: folder/mv, id kept', async () => {
    const cp = await t.mkdir('cp');
    const d = await t.mkdir('cp/d');
    const f = await t.put('cp/f.bin', bytes(50, 2));
    await t.mark();
    const c = await t.remote.copy!(f, d, '"copy".bin');
    expect(await t.since()).toEqual({ '/v1/file/cp.cgi': 1, total: 1 });
    expect(c.id).not.toBe(f.id);
    expect(c).toMatchObject({ name: '"copy".bin', path: 'cp/d/"copy".bin', size: 50 });
    expect(await storedNames(t, Number(d.id))).toEqual(['＂copy＂.bin']);
    expect(await t.read(c)).toEqual(bytes(50, 2));
    await t.mark();
    const moved = await t.remote.dirMove!(d, cp, '<moved>');
    expect(await t.since()).toEqual({ '/v1/folder/mv.cgi': 1, total: 1 });
    expect(moved).toMatchObject({ id: d.id, kind: 'dir', name: '<moved>', path: 'cp/<moved>' });
    expect((await t.remote.list('cp/<moved>')).map((e) => e.id)).toEqual([c.id]);
    const back = await t.remote.dirMove!(moved, await t.remote.stat(''), 'top level');
    expect(back.id).toBe(d.id);
    expect((await t.remote.stat('top level/"copy".bin')).id).toBe(c.id);
  });

  it('errors map to their codes; checks that need no call make none', async () => {
    const err = await t.mkdir('err');
    const full = await t.mkdir('err/full');
    const f = await t.put('err/full/f', bytes(10));
    const root = await t.remote.stat('');
    expect(await codeOf(t.remote.rmdir(full))).toBe('ENOTEMPTY');
    expect(await codeOf(t.remote.list('err/nope'))).toBe('ENOENT');
    expect(await codeOf(t.remote.mkdir(err, 'full'))).toBe('EEXIST');
    await t.mark();
    expect(await codeOf(t.remote.rmdir(root))).toBe('EINVAL');
    expect(await codeOf(t.remote.rmdir(f))).toBe('ENOTDIR');
    expect(await codeOf(t.remote.mkdir(f, 'sub'))).toBe('ENOTDIR');
    expect(await codeOf(t.remote.dirMove!(full, full, 'in'))).toBe('EINVAL');
    expect(await codeOf(t.remote.put(err, 'empty', Readable.from([]), { size: 0 }))).toBe('EINVAL');
    expect(await t.since()).toEqual({});
    const copy = await t.remote.copy!(f, err, 'copy');
    await t.remote.remove(copy);
    expect(await codeOf(t.remote.remove(copy))).toBe('ENOENT');
    expect(await codeOf(t.remote.openRead(copy))).toBe('ENOENT');
    expect(await codeOf(t.remote.move!(copy, err, 'renamed'))).toBe('ENOENT');
    expect(await codeOf(t.remote.publicLink!(copy))).toBe('ENOENT');
    expect(await t.remote.publicLink!(f)).toBe(f.id);
    const short = t.remote.put(err, 'short', Readable.from([bytes(5)]), { size: 6 });
    expect(await codeOf(short)).toBe('EINVAL');
  });

  it('acts on the entries it is handed without listing: mkdir, put, rmdir, move and copy cost their own calls only', async () => {
    const fresh = createFichierRemote({ client: t.client });
    const base = await t.mkdir('handed');
    const other = await t.mkdir('handed/other');
    await t.mark();
    const made = await fresh.mkdir(base, 'new');
    expect(await t.since()).toEqual({ '/v1/folder/mkdir.cgi': 1, total: 1 });
    await t.mark();
    const file = await fresh.put(made, 'f.bin', Readable.from([bytes(20)]), { size: 20 });
    expect(Object.keys(await t.since()).sort()).toEqual(['/end.pl', '/upload.cgi', '/v1/upload/get_upload_server.cgi', 'total']);
    await t.mark();
    const moved = await fresh.move!(file, other, 'f.bin');
    const copied = await fresh.copy!(moved, made, 'c.bin');
    await fresh.remove(copied);
    await fresh.remove(moved);
    await fresh.rmdir(made);
    expect(await t.since()).toEqual({ '/v1/file/mv.cgi': 1, '/v1/file/cp.cgi': 1, '/v1/file/rm.cgi': 2, '/v1/folder/rm.cgi': 1, total: 5 });
  });

  it('about: total = available_cold_storage, used = cold_storage, free = the rest', async () => {
    const info = await t.client.userInfo();
    const a = await t.remote.about!();
    expect(a).toEqual({ total: info.available_cold_storage, used: info.cold_storage, free: info.available_cold_storage - info.cold_storage, plan: 'Premium' });
    expect(a.used).toBeGreaterThan(0);
  });
});

describe('folder ids', () => {
  let t: EmulatedRemote;
  afterEach(async () => t.stop());

  it('an injected DirIdIndex receives every listed folder and mkdir, and saves the walk', async () => {
    t = await emulatedRemote();
    const dirIds = createMemoryDirIdIndex();
    const remote = createFichierRemote({ client: t.client, dirIds });
    const a = await remote.mkdir(await remote.stat(''), 'a');
    const b = await remote.mkdir(a, 'b');
    expect([dirIds.get('a'), dirIds.get('a/b')]).toEqual([a.id, b.id]);
    const other = createFichierRemote({ client: t.client, dirIds });
    await t.mark();
    await other.list('a/b');
    expect(await t.since()).toMatchObject({ [LS]: 1 });
  });

  it('a stale id (folder gone) is forgotten and the path resolved again', async () => {
    t = await emulatedRemote();
    const dirIds = createMemoryDirIdIndex();
    const remote = createFichierRemote({ client: t.client, dirIds });
    const a = await mkdirAt(remote, 'a');
    await t.put('a/f', bytes(3));
    dirIds.set('a', '987654');
    expect((await remote.list('a')).map((e) => e.name)).toEqual(['f']);
    expect(dirIds.get('a')).toBe(a.id);
  });

  it('temporary failures are EAGAIN, a refused key EACCES', async () => {
    t = await emulatedRemote({ pacer: { maxAttempts: 1, floodCooldownMs: 1 } });
    await t.emu.admin('faults', { failNext: [{ endpoint: 'folder/ls.cgi', count: 1, status: 503 }] });
    expect(await codeOf(t.remote.list(''))).toBe('EAGAIN');
    await t.emu.admin('faults', { failNext: [{ endpoint: 'folder/ls.cgi', count: 1, status: 403 }] });
    expect(await codeOf(t.remote.list(''))).toBe('EAGAIN');
    const bad = await emulatedRemote({ apiKey: 'WrongKey_0123456789_abcdefghijkl' });
    try {
      expect(await codeOf(bad.remote.list(''))).toBe('EACCES');
    } finally {
      await bad.stop();
    }
  });
});
