import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FILE_URL_RE, type FileEntry, type FolderLsResponse } from '../api/types.ts';
import { KEY, start, type Started } from '../../test/support/emulator-http.ts';

let s: Started;
beforeEach(async () => {
  s = await start();
});
afterEach(async () => {
  await s.stop();
});

const WIRE_DATE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

async function mkdir(name: string, parent = 0): Promise<number> {
  const r = await s.api<{ folder_id: number }>('folder/mkdir.cgi', { name, folder_id: parent });
  expect(r.status).toBe(200);
  return r.json.folder_id;
}

describe('auth on the API host', () => {
  it('refuses a missing or wrong key with 401 #247 on every endpoint', async () => {
    for (const key of [null, 'wrong']) {
      const r = await s.api<{ status: string; message: string }>('folder/ls.cgi', { folder_id: 0 }, { key });
      expect(r.status).toBe(401);
      expect(r.json.status).toBe('KO');
      expect(r.json.message).toMatch(/#247$/);
    }
    expect((await s.api('nope/x.cgi', {}, { key: null })).status).toBe(401);
  });

  it('get_upload_server works without auth (GET and POST) but not with a wrong key', async () => {
    const g = await s.api<{ url: string; id: string; status?: string }>('upload/get_upload_server.cgi', undefined, { key: null, method: 'GET' });
    expect(g.status).toBe(200);
    expect(g.json.url).toMatch(/^up-\d\.1fichier\.com$/);
    expect(g.json.id).toMatch(/^[A-Za-z0-9]{10}$/);
    expect(g.json.status).toBeUndefined();
    expect((await s.api('upload/get_upload_server.cgi', { pretty: 1 })).status).toBe(200);
    expect((await s.api('upload/get_upload_server.cgi', undefined, { key: 'bad', method: 'GET' })).status).toBe(401);
  });
});

describe('request validation', () => {
  it('answers 400 KO to a body that is not JSON, 404 to an unknown path, 405 to GET', async () => {
    const bad = await s.api<{ status: string; message: string }>('folder/ls.cgi', undefined, { raw: '{nope' });
    expect(bad.status).toBe(400);
    expect(bad.json.status).toBe('KO');
    expect((await s.api('folder/ls.cgi', undefined, { raw: '[1]' })).status).toBe(400);
    const unknown = await s.api<{ message: string }>('folder/nothing.cgi', {});
    expect(unknown.status).toBe(404);
    expect(unknown.json.message).toMatch(/#\d+$/);
    expect((await s.api('folder/ls.cgi', undefined, { method: 'GET' })).status).toBe(405);
    expect((await s.api('folder/ls.cgi', { folder_id: 'abc' })).status).toBe(400);
  });

  it('indents the answer with pretty: 1', async () => {
    const res = await fetch(`${s.url}/v1/file/ls.cgi`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ folder_id: 0, pretty: 1 }),
    });
    expect(await res.text()).toMatch(/\n {2}"count": 0/);
  });
});

describe('user/info', () => {
  it('uses strings for the string-typed fields and sums sizes into cold_storage', async () => {
    await s.upload([{ name: 'a.txt', data: '12345' }, { name: 'b.txt', data: 'abc' }]);
    const r = await s.api<Record<string, unknown>>('user/info.cgi');
    expect(r.status).toBe(200);
    for (const k of ['email', 'offer', 'cdn', 'use_cdn', '2fa', 'mail_rm', 'upload_forbidden', 'stats_date', 'download_menu', 'default_port', 'ftp_mode']) {
      expect(typeof r.json[k]).toBe('string');
    }
    expect(r.json.subscription_end).toMatch(WIRE_DATE);
    expect(r.json.cold_storage).toBe(8);
    expect(r.json.available_cold_storage).toBe(5e12);
    expect(typeof r.json.page_limit).toBe('number');
  });
});

describe('folders', () => {
  it('mkdir, ls with id-keyed sub_folders (omitted when empty), files: 1 items', async () => {
    const empty = await s.api<FolderLsResponse>('folder/ls.cgi', { folder_id: 0 });
    expect(empty.json.status).toBe('OK');
    expect(empty.json.sub_folders).toBeUndefined();
    const a = await mkdir('A');
    expect(a).toBeGreaterThanOrEqual(100_000);
    await mkdir('B');
    const [link] = await s.upload([{ name: 'f.txt', data: 'x' }], a);
    expect((await s.api<FolderLsResponse>('folder/ls.cgi', { folder_id: a + 1, files: 1 })).json.items).toEqual([]);
    const ls = await s.api<FolderLsResponse>('folder/ls.cgi', { folder_id: 0 });
    expect(ls.json.sub_folders!.map((f) => f.name)).toEqual(['A', 'B']);
    expect(ls.json.sub_folders![0]).toEqual({ id: a, name: 'A', create_date: expect.stringMatching(WIRE_DATE), pass: 0 });
    expect(ls.json.items).toBeUndefined();
    const inA = await s.api<FolderLsResponse>('folder/ls.cgi', { folder_id: a, files: 1 });
    expect(inA.json.folder_id).toBe(a);
    expect(inA.json.name).toBe('A');
    expect(inA.json.sub_folders).toBeUndefined();
    expect(inA.json.items!.map((i) => i.url)).toEqual([link!.download]);
    expect((await s.api('folder/ls.cgi', { folder_id: 424242 })).status).toBe(404);
  });

  it('caps folder/ls at listLimit entries, sub-folders first', async () => {
    s.emu.control.setConfig({ listLimit: 3 });
    const d = await mkdir('D');
    await mkdir('x', d);
    await mkdir('y', d);
    await s.upload([{ name: '1', data: 'a' }, { name: '2', data: 'b' }], d);
    const r = await s.api<FolderLsResponse>('folder/ls.cgi', { folder_id: d, files: 1 });
    expect(r.json.sub_folders).toHaveLength(2);
    expect(r.json.items).toHaveLength(1);
  });

  it('mkdir refuses a duplicate name with a non-2xx KO and an unknown parent with 404', async () => {
    await mkdir('same');
    const dup = await s.api<{ status: string }>('folder/mkdir.cgi', { name: 'same', folder_id: 0 });
    expect(dup.status).toBe(403);
    expect(dup.json.status).toBe('KO');
    expect((await s.api('folder/mkdir.cgi', { name: 'x', folder_id: 999 })).status).toBe(404);
    expect((await s.api('folder/mkdir.cgi', { name: '', folder_id: 0 })).status).toBe(400);
  });

  it('stores names verbatim', async () => {
    const name = ' ＂weird／name＂ ␠ é $ ';
    const id = await mkdir(name);
    const ls = await s.api<FolderLsResponse>('folder/ls.cgi', { folder_id: 0 });
    expect(ls.json.sub_folders!.find((f) => f.id === id)!.name).toBe(name);
  });

  it('rm refuses a non-empty folder with 200 KO, removes an empty one', async () => {
    const p = await mkdir('P');
    const c = await mkdir('C', p);
    const r = await s.api<{ status: string; message: string }>('folder/rm.cgi', { folder_id: p });
    expect(r.status).toBe(200);
    expect(r.json.status).toBe('KO');
    expect(r.json.message).toMatch(/#\d+$/);
    expect((await s.api<{ status: string }>('folder/rm.cgi', { folder_id: c })).json.status).toBe('OK');
    expect((await s.api<{ status: string }>('folder/rm.cgi', { folder_id: p })).json.status).toBe('OK');
    expect((await s.api('folder/rm.cgi', { folder_id: p })).status).toBe(404);
    expect((await s.api<{ status: string }>('folder/rm.cgi', { folder_id: 0 })).json.status).toBe('KO');
  });

  it('mv moves and renames (destination absent = root) and refuses moving into a descendant', async () => {
    const a = await mkdir('A');
    const b = await mkdir('B', a);
    const mv = await s.api<{ status: string; old_name: string; new_name: string }>('folder/mv.cgi', { folder_id: b, destination_user: '', rename: 'B2' });
    expect(mv.json).toEqual({ status: 'OK', old_name: 'B', new_name: 'B2' });
    const root = await s.api<FolderLsResponse>('folder/ls.cgi', { folder_id: 0 });
    expect(root.json.sub_folders!.map((f) => f.name).sort()).toEqual(['A', 'B2']);
    const both = await s.api<{ new_name: string }>('folder/mv.cgi', { folder_id: b, destination_folder_id: a, rename: 'B3' });
    expect(both.json.new_name).toBe('B3');
    const inA = await s.api<FolderLsResponse>('folder/ls.cgi', { folder_id: a });
    expect(inA.json.sub_folders!.map((f) => [f.id, f.name])).toEqual([[b, 'B3']]);
    const loop = await s.api<{ status: string }>('folder/mv.cgi', { folder_id: a, destination_folder_id: b });
    expect(loop.status).toBe(200);
    expect(loop.json.status).toBe('KO');
    const self = await s.api<{ status: string }>('folder/mv.cgi', { folder_id: a, destination_folder_id: a });
    expect(self.json.status).toBe('KO');
  });
});

describe('files', () => {
  it('file/ls lists a folder or every file (-1) with entries shaped as on the wire', async () => {
    const d = await mkdir('D');
    await s.upload([{ name: 'root.txt', data: 'r' }]);
    await s.upload([{ name: 'in.md', data: '# hi' }], d);
    const ls = await s.api<{ status: string; count: number; items: FileEntry[] }>('file/ls.cgi', { folder_id: d });
    expect(ls.json.count).toBe(1);
    const e = ls.json.items[0]!;
    expect(Object.keys(e).sort()).toEqual(['acl', 'cdn', 'checksum', 'content-type', 'date', 'filename', 'pass', 'size', 'url']);
    expect(e.url).toMatch(FILE_URL_RE);
    expect(e.url).toMatch(/^https:\/\/1fichier\.com\/\?[a-z0-9]{20}$/);
    expect(e['content-type']).toBe('text/markdown');
    expect(e.checksum).toMatch(/^[0-9a-f]{128}$/);
    expect(e.date).toMatch(WIRE_DATE);
    expect(e.size).toBe(4);
    const all = await s.api<{ count: number }>('file/ls.cgi', { folder_id: -1 });
    expect(all.json.count).toBe(2);
    const future = await s.api<{ count: number }>('file/ls.cgi', { folder_id: -1, sent_after: '2999-01-01 00:00:00' });
    expect(future.json.count).toBe(0);
    const past = await s.api<{ count: number }>('file/ls.cgi', { folder_id: -1, sent_before: '2999-01-01 00:00:00' });
    expect(past.json.count).toBe(2);
    expect((await s.api('file/ls.cgi', { folder_id: -1, sent_before: 'yesterday' })).status).toBe(400);
    expect((await s.api('file/ls.cgi', { folder_id: 777 })).status).toBe(404);
  });

  it('file/info by URL, 404 #469 when unknown', async () => {
    const d = await mkdir('Dir');
    const [l] = await s.upload([{ name: 'x.bin', data: 'xyz' }], d);
    const info = await s.api<FileEntry & { folder_id: number; path: string }>('file/info.cgi', { url: l!.download });
    expect(info.status).toBe(200);
    expect(info.json).toMatchObject({ url: l!.download, filename: 'x.bin', size: 3, folder_id: d, path: 'Dir', 'content-type': 'application/octet-stream' });
    const gone = await s.api<{ message: string }>('file/info.cgi', { url: 'https://1fichier.com/?aaaaaaaaaaaaaaaaaaaa' });
    expect(gone.status).toBe(404);
    expect(gone.json.message).toMatch(/#469$/);
  });

  it('duplicate file names are allowed', async () => {
    await s.upload([{ name: 'dup.txt', data: 'one' }]);
    await s.upload([{ name: 'dup.txt', data: 'two' }]);
    const ls = await s.api<{ items: FileEntry[] }>('file/ls.cgi', { folder_id: 0 });
    expect(ls.json.items.map((i) => i.filename)).toEqual(['dup.txt', 'dup.txt']);
    expect(new Set(ls.json.items.map((i) => i.url)).size).toBe(2);
  });

  it('rename and mv keep the URL; mv to the same place and name is refused', async () => {
    const d = await mkdir('D');
    const [l] = await s.upload([{ name: 'a.txt', data: 'abc' }]);
    const url = l!.download;
    const ren = await s.api<{ status: string; renamed: number; urls: unknown[] }>('file/rename.cgi', { urls: [{ url, filename: 'b.txt' }], pretty: 0 });
    expect(ren.json).toEqual({ status: 'OK', renamed: 1, urls: [{ url, old_filename: 'a.txt', new_filename: 'b.txt' }] });
    const mv = await s.api<{ status: string; urls: string[]; moved: number }>('file/mv.cgi', { urls: [url], destination_folder_id: d, rename: 'c.json' });
    expect(mv.json).toMatchObject({ status: 'OK', urls: [url], moved: 1 });
    const info = await s.api<FileEntry & { folder_id: number }>('file/info.cgi', { url });
    expect(info.json).toMatchObject({ filename: 'c.json', folder_id: d, 'content-type': 'application/json' });
    const same = await s.api<{ status: string }>('file/mv.cgi', { urls: [url], destination_folder_id: d });
    expect(same.status).toBe(200);
    expect(same.json.status).toBe('KO');
    const none = await s.api<{ status: string; message: string }>('file/rename.cgi', { urls: [{ url: 'https://1fichier.com/?zzzzzzzzzzzzzzzzzzzz', filename: 'q' }] });
    expect(none.status).toBe(200);
    expect(none.json.status).toBe('KO');
    expect(none.json.message).toMatch(/#312$/);
    expect((await s.api('file/mv.cgi', { urls: [url], destination_folder_id: 5555 })).status).toBe(404);
    const [other] = await s.upload([{ name: 'o.txt', data: 'o' }]);
    const two = await s.api<{ status: string }>('file/mv.cgi', { urls: [url, other!.download], destination_folder_id: 0, rename: 'both' });
    expect(two.status).toBe(200);
    expect(two.json.status).toBe('KO');
  });

  it('cp gives a new URL with the same bytes; rm counts removals', async () => {
    const d = await mkdir('D');
    const [l] = await s.upload([{ name: 'src.txt', data: 'copy me' }]);
    const cp = await s.api<{ status: string; copied: number; urls: { from_url: string; to_url: string }[] }>('file/cp.cgi', {
      urls: [l!.download],
      folder_id: d,
      rename: 'dst.txt',
    });
    expect(cp.json.status).toBe('OK');
    expect(cp.json.copied).toBe(1);
    const to = cp.json.urls[0]!.to_url;
    expect(to).not.toBe(l!.download);
    expect(to).toMatch(FILE_URL_RE);
    const info = await s.api<FileEntry>('file/info.cgi', { url: to });
    expect(info.json.filename).toBe('dst.txt');
    expect(info.json.checksum).toBe(l!.whirlpool);
    const rm = await s.api<{ status: string; removed: number }>('file/rm.cgi', { files: [{ url: l!.download }, { url: 'https://1fichier.com/?nothere00000000000' }] });
    expect(rm.json).toEqual({ status: 'OK', removed: 1 });
    expect(await (await s.download(to)).text()).toBe('copy me');
    expect((await s.api('file/info.cgi', { url: l!.download })).status).toBe(404);
  });

  it('chattr sets the password that get_token then requires', async () => {
    const [l] = await s.upload([{ name: 'secret.txt', data: 'shh' }]);
    const ch = await s.api<{ status: string; updated: number }>('file/chattr.cgi', { urls: [l!.download], pass: 'hunter22', description: 'd' });
    expect(ch.json).toMatchObject({ status: 'OK', updated: 1 });
    const info = await s.api<FileEntry & { description: string }>('file/info.cgi', { url: l!.download });
    expect(info.json.pass).toBe(1);
    expect(info.json.description).toBe('d');
    const noPass = await s.api<{ message: string }>('download/get_token.cgi', { url: l!.download });
    expect(noPass.status).toBe(403);
    expect(noPass.json.message).toMatch(/#631$/);
    expect((await s.api('download/get_token.cgi', { url: l!.download, pass: 'hunter22' })).status).toBe(200);
    expect((await s.api('file/chattr.cgi', { urls: [l!.download], pass: 'short' })).status).toBe(400);
    expect((await s.api('file/chattr.cgi', { urls: ['https://1fichier.com/?nothere00000000000'], cdn: 1 })).status).toBe(404);
  });

  it('get_token answers a real-looking download host; unknown file => 404 #469', async () => {
    const [l] = await s.upload([{ name: 'x', data: 'y' }]);
    const t = await s.api<{ status: string; url: string }>('download/get_token.cgi', { url: l!.download, single: 1 });
    expect(t.json.status).toBe('OK');
    expect(t.json.url).toMatch(/^https:\/\/a-\d\.1fichier\.com\/[A-Za-z0-9]{32}$/);
    const unknown = await s.api<{ message: string }>('download/get_token.cgi', { url: 'https://1fichier.com/?nothere00000000000' });
    expect(unknown.status).toBe(404);
    expect(unknown.json.message).toMatch(/#469$/);
  });
});
