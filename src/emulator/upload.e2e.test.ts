import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FileEntry } from '../api/types.ts';
import { whirlpoolHex } from '../util/whirlpool.ts';
import { KEY, start, type Started } from '../../test/support/emulator-http.ts';

let s: Started;
beforeEach(async () => {
  s = await start();
});
afterEach(async () => {
  await s.stop();
});

async function session(): Promise<string> {
  return (await s.api<{ id: string }>('upload/get_upload_server.cgi', undefined, { method: 'GET' })).json.id;
}

/** A multipart body exactly as rclone writes it: unquoted boundary, no part Content-Type, raw UTF-8 name. */
function rcloneMultipart(did: string, filename: string, data: Buffer): { body: Buffer; type: string } {
  const b = 'rcloneboundary0123456789';
  const head = `--${b}\r\nContent-Disposition: form-data; name="did"\r\n\r\n${did}\r\n--${b}\r\nContent-Disposition: form-data; name="file[]"; filename="${filename}"\r\n\r\n`;
  return { body: Buffer.concat([Buffer.from(head, 'utf8'), data, Buffer.from(`\r\n--${b}--\r\n`)]), type: `multipart/form-data; boundary=${b}` };
}

describe('upload node', () => {
  it('three steps: 302 to end.pl, HTML without JSON header, links with a string size and the real whirlpool', async () => {
    const id = await session();
    const data = Buffer.from('hello upload');
    const name = 'été ＂quoted＂.txt';
    const mp = rcloneMultipart('0', name, data);
    const up = await fetch(`${s.url}/upload.cgi?id=${id}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': mp.type },
      body: mp.body,
      redirect: 'manual',
    });
    expect(up.status).toBe(302);
    expect(up.headers.get('location')).toBe(`/end.pl?xid=${id}`);
    await up.arrayBuffer();
    const html = await fetch(`${s.url}/end.pl?xid=${id}`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    expect(await html.text()).toMatch(/<table/);
    for (let i = 0; i < 2; i++) {
      const end = await fetch(`${s.url}/end.pl?xid=${id}`, { headers: { authorization: `Bearer ${KEY}`, JSON: '1' } });
      const json = (await end.json()) as { incoming: number; links: Record<string, unknown>[]; status?: string };
      expect(json.status).toBeUndefined();
      expect(json.incoming).toBe(0);
      expect(json.links).toHaveLength(1);
      expect(json.links[0]).toEqual({
        download: expect.stringMatching(/^https:\/\/1fichier\.com\/\?[a-z0-9]{20}$/),
        filename: name,
        size: String(data.length),
        whirlpool: await whirlpoolHex(data),
        remove: '',
      });
    }
  });

  it('stores several files of one request into did; an unknown did goes to the root', async () => {
    const d = (await s.api<{ folder_id: number }>('folder/mkdir.cgi', { name: 'D', folder_id: 0 })).json.folder_id;
    const links = await s.upload([{ name: 'a', data: 'A' }, { name: 'b', data: 'BB' }], d);
    expect(links.map((l) => [l.filename, l.size])).toEqual([['a', '1'], ['b', '2']]);
    expect((await s.api<{ count: number }>('file/ls.cgi', { folder_id: d })).json.count).toBe(2);
    await s.upload([{ name: 'lost', data: 'x' }], 987654);
    await s.upload([{ name: 'junk', data: 'y' }], 'not-a-number');
    const root = await s.api<{ items: FileEntry[] }>('file/ls.cgi', { folder_id: 0 });
    expect(root.json.items.map((i) => i.filename)).toEqual(['lost', 'junk']);
  });

  it('refuses 0-byte files (no link, not listed)', async () => {
    const links = await s.upload([{ name: 'empty', data: '' }, { name: 'full', data: 'z' }]);
    expect(links.map((l) => l.filename)).toEqual(['full']);
    expect((await s.api<{ count: number }>('file/ls.cgi', { folder_id: -1 })).json.count).toBe(1);
  });

  it('handles a file bigger than one stream chunk', async () => {
    const big = Buffer.alloc(1_500_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    const [l] = await s.upload([{ name: 'big.bin', data: big }]);
    expect(l!.whirlpool).toBe(await whirlpoolHex(big));
    const back = Buffer.from(await (await s.download(l!.download)).arrayBuffer());
    expect(back.equals(big)).toBe(true);
  });

  it('answers 401 without or with a wrong key, 404 for an unknown id, on upload.cgi and end.pl', async () => {
    const id = await session();
    const mp = rcloneMultipart('0', 'x', Buffer.from('x'));
    for (const headers of [{}, { authorization: 'Bearer nope' }] as Record<string, string>[]) {
      const up = await fetch(`${s.url}/upload.cgi?id=${id}`, { method: 'POST', headers: { ...headers, 'content-type': mp.type }, body: mp.body, redirect: 'manual' });
      expect(up.status).toBe(401);
      expect(((await up.json()) as { message: string }).message).toMatch(/#247$/);
      expect((await fetch(`${s.url}/end.pl?xid=${id}`, { headers: { ...headers, JSON: '1' } })).status).toBe(401);
    }
    const auth = { authorization: `Bearer ${KEY}` };
    const unknown = await fetch(`${s.url}/upload.cgi?id=NoSuchId00`, { method: 'POST', headers: { ...auth, 'content-type': mp.type }, body: mp.body, redirect: 'manual' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { status: string }).status).toBe('KO');
    expect((await fetch(`${s.url}/end.pl?xid=NoSuchId00`, { headers: { ...auth, JSON: '1' } })).status).toBe(404);
    expect((await s.api<{ count: number }>('file/ls.cgi', { folder_id: -1 })).json.count).toBe(0);
  });

  it('lists a file only once all its bytes have arrived', async () => {
    s.emu.control.setFaults({ bandwidth: { upBytesPerSec: 100_000 } });
    const pending = s.upload([{ name: 'slow.bin', data: Buffer.alloc(40_000, 9) }]);
    await new Promise((r) => setTimeout(r, 100));
    expect((await s.api<{ count: number }>('file/ls.cgi', { folder_id: -1 })).json.count).toBe(0);
    const [l] = await pending;
    expect(l!.size).toBe('40000');
    expect((await s.api<{ count: number }>('file/ls.cgi', { folder_id: -1 })).json.count).toBe(1);
  });

  it('counts upload calls and bytes in the stats', async () => {
    await s.upload([{ name: 'a', data: 'abcdef' }]);
    const st = s.emu.stats();
    expect(st.calls['/upload.cgi']).toBe(1);
    expect(st.calls['/end.pl']).toBe(1);
    expect(st.calls['/v1/upload/get_upload_server.cgi']).toBe(1);
    expect(st.total).toBe(1);
    expect(st.bytesIn).toBeGreaterThan(6);
  });
});
