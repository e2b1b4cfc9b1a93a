import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { FileEntry, RemoteInfoResponse, RemoteLsResponse } from '../api/types.ts';
import { isLoopbackHost } from './remote-upload.ts';
import { start, type Started } from '../../test/support/emulator-http.ts';

let s: Started | undefined;
let origin: Server | undefined;
afterEach(async () => {
  await s?.stop();
  await new Promise<void>((r) => (origin ? origin.close(() => r()) : r()));
  s = undefined;
  origin = undefined;
});

describe('remote upload', () => {
  it('recognises loopback hosts only', () => {
    for (const h of ['localhost', '127.0.0.1', '127.8.9.10', '[::1]', '::1']) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['example.com', '10.0.0.1', '128.0.0.1', '[::2]', 'localhost.evil.com']) expect(isLoopbackHost(h)).toBe(false);
  });

  it('fetches loopback URLs into the folder (name from the last path segment), refuses others', async () => {
    let seenHeader: string | undefined;
    origin = createServer((req, res) => {
      seenHeader = req.headers['x-test'] as string | undefined;
      if (req.url === '/missing') return void res.writeHead(404).end();
      res.end('remote body');
    });
    await new Promise<void>((r) => origin!.listen(0, '127.0.0.1', () => r()));
    const port = (origin.address() as AddressInfo).port;
    s = await start();
    const d = (await s.api<{ folder_id: number }>('folder/mkdir.cgi', { name: 'R', folder_id: 0 })).json.folder_id;
    const urls = [`http://127.0.0.1:${port}/dir/remote%20file.txt`, 'http://example.com/x.txt', `http://127.0.0.1:${port}/missing`];
    const req = await s.api<{ status: string; id: number; date: string; urls: string[] }>('remote/request.cgi', { urls, folder_id: d, headers: ['X-Test: yes'] });
    expect(req.json).toMatchObject({ status: 'OK', urls });
    await s.emu.control.idle();
    expect(seenHeader).toBe('yes');
    const info = await s.api<RemoteInfoResponse>('remote/info.cgi', { id: req.json.id });
    expect(info.json.execution_date).not.toBeNull();
    expect(info.json.links).toBe(1);
    expect(info.json.result.map((r) => r.status)).toEqual(['OK', 'KO', 'KO']);
    const ls = await s.api<{ items: FileEntry[] }>('file/ls.cgi', { folder_id: d });
    expect(ls.json.items.map((i) => [i.filename, i.url])).toEqual([['remote file.txt', info.json.result[0]!.download_link]]);
    expect(await (await s.download(ls.json.items[0]!.url)).text()).toBe('remote body');
    const list = await s.api<RemoteLsResponse>('remote/ls.cgi');
    expect(list.json.data.map((j) => j.id)).toEqual([req.json.id]);
    expect((await s.api('remote/info.cgi', { id: 999_999 })).status).toBe(404);
    expect((await s.api('remote/request.cgi', { urls: ['http://127.0.0.1/x'], folder_id: 31337 })).status).toBe(404);
  });
});
