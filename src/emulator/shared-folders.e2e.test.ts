import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type Started } from '../../test/support/emulator-http.ts';

let s: Started;
let folderId: number;
let subId: number;

const page = (id: string, init: RequestInit & { query?: string } = {}): Promise<Response> => fetch(`${s.url}/dir/${id}${init.query ?? ''}`, init);
const form = (body: string): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
const shareIdOf = (url: string): string => new URL(url).pathname.replace('/dir/', '');

beforeAll(async () => {
  s = await start();
  folderId = (await s.api<{ folder_id: number }>('folder/mkdir.cgi', { name: 'Public', folder_id: 0 })).json.folder_id;
  subId = (await s.api<{ folder_id: number }>('folder/mkdir.cgi', { name: 'Sub', folder_id: folderId })).json.folder_id;
  await s.upload([{ name: 'a.txt', data: 'alpha' }, { name: 'b é.bin', data: Buffer.alloc(1000, 7) }], folderId);
  await s.upload([{ name: 'deep.txt', data: 'not listed: sub-folders are not part of the page' }], subId);
});

afterAll(() => s.stop());

describe('folder/share.cgi and the /dir/<id> page', () => {
  it('shares a folder under an alphanumeric id and lists its files flat as [{filename, link, size}]', async () => {
    const shared = await s.api<{ status: string; url: string }>('folder/share.cgi', { folder_id: folderId });
    expect(shared.status).toBe(200);
    expect(shared.json.url).toMatch(/^https:\/\/1fichier\.com\/dir\/[A-Za-z0-9]{8}$/);
    const again = await s.api<{ url: string }>('folder/share.cgi', { folder_id: folderId, share: 1 });
    expect(again.json.url).toBe(shared.json.url);

    const res = await page(shareIdOf(shared.json.url), { query: '?json=1' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const entries = (await res.json()) as { filename: string; link: string; size: number }[];
    const files = (await s.api<{ items: { filename: string; url: string; size: number }[] }>('file/ls.cgi', { folder_id: folderId })).json.items;
    expect(entries).toEqual(files.map((f) => ({ filename: f.filename, link: f.url, size: f.size })));
    expect(entries.map((e) => e.filename)).toEqual(['a.txt', 'b é.bin']);

    const lines = await (await page(shareIdOf(shared.json.url), { query: '?e=1' })).text();
    expect(lines).toBe(entries.map((e) => `${e.link};${e.filename};${e.size}\n`).join(''));
    const html = await page(shareIdOf(shared.json.url));
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('needs no API key, and an entry downloads through get_token with its link', async () => {
    const { url } = (await s.api<{ url: string }>('folder/share.cgi', { folder_id: folderId })).json;
    const entries = (await (await page(shareIdOf(url), { query: '?json=1' })).json()) as { filename: string; link: string }[];
    const a = entries.find((e) => e.filename === 'a.txt')!;
    const dl = await s.download(a.link);
    expect(await dl.text()).toBe('alpha');
  });

  it('a protected folder answers the password form without or with a wrong password, the list with the right one', async () => {
    const { url } = (await s.api<{ url: string }>('folder/share.cgi', { folder_id: folderId, pass: 'open sesame' })).json;
    const id = shareIdOf(url);
    const ls = (await s.api<{ sub_folders: { id: number; pass: number }[] }>('folder/ls.cgi', { folder_id: 0 })).json;
    expect(ls.sub_folders.find((f) => f.id === folderId)?.pass).toBe(1);

    for (const res of [await page(id, { query: '?json=1' }), await page(id, form('json=1')), await page(id, form('json=1&pass=wrong+one'))]) {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await res.text()).toMatch(/<input type="password" name="pass">/);
    }
    const ok = await page(id, form(`json=1&pass=${encodeURIComponent('open sesame').replace(/%20/g, '+')}`));
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as unknown[]).length).toBe(2);

    await s.api('folder/share.cgi', { folder_id: folderId, pass: '' });
    expect((await page(id, { query: '?json=1' })).status).toBe(200);
  });

  it('answers 404 for an unknown or unshared id; refuses the root, short passwords and groupware shares', async () => {
    expect((await page('NoSuchId1', { query: '?json=1' })).status).toBe(404);
    expect((await page('bad..id', { query: '?json=1' })).status).toBe(404);
    const { url } = (await s.api<{ url: string }>('folder/share.cgi', { folder_id: subId })).json;
    expect((await page(shareIdOf(url), { query: '?json=1' })).status).toBe(200);
    const off = await s.api<{ status: string }>('folder/share.cgi', { folder_id: subId, share: 0 });
    expect(off.json.status).toBe('OK');
    expect((await page(shareIdOf(url), { query: '?json=1' })).status).toBe(404);

    expect((await s.api<{ status: string; message: string }>('folder/share.cgi', { folder_id: 0 })).json.message).toMatch(/#913/);
    expect((await s.api('folder/share.cgi', { folder_id: folderId, pass: '12345' })).status).toBe(400);
    expect((await s.api('folder/share.cgi', { folder_id: folderId, shares: [{ email: 'x@y.z', rw: 0, hide_links: 0 }] })).status).toBe(400);
    expect((await s.api('folder/share.cgi', { folder_id: 987654 })).status).toBe(404);
  });
});
