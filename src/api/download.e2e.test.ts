import { buffer as readAll } from 'node:stream/consumers';
import { describe, it, expect } from 'vitest';
import type { ServerResponse } from 'node:http';
import { parseContentRange, rangeHeader } from './download.ts';
import { sendJson, type RecordedRequest, serverPerTest } from '../../test/support/recording-server.ts';

const KEY = 'DownloadKey_0123456789abcdefghij';
const FILE = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));

/** Serves FILE at /tok/* with RFC 7233 single ranges; `lie` corrupts the Content-Range; `ignore` answers 200. */
function rangeServer(mode: 'ok' | 'lie' | 'ignore' = 'ok') {
  return (req: RecordedRequest, res: ServerResponse) => {
    if (!req.url.startsWith('/tok/')) return sendJson(res, 404, { status: 'KO', message: 'Resource not found #469' });
    const m = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers['range'] ?? ''));
    if (!m || mode === 'ignore') {
      res.writeHead(200, { 'content-length': FILE.length, 'content-type': 'application/octet-stream' });
      return res.end(FILE);
    }
    const start = Number(m[1]);
    const end = Math.min(m[2] ? Number(m[2]) : FILE.length - 1, FILE.length - 1);
    if (start >= FILE.length) {
      res.writeHead(416, { 'content-range': `bytes */${FILE.length}`, 'content-length': 0 });
      return res.end();
    }
    const shown = mode === 'lie' ? start + 1 : start;
    res.writeHead(206, { 'content-range': `bytes ${shown}-${end}/${FILE.length}`, 'content-length': end - start + 1 });
    res.end(FILE.subarray(start, end + 1));
  };
}

const serve = serverPerTest(KEY);

function setup(handler: (req: RecordedRequest, res: ServerResponse) => void, downloadConcurrency = 8) {
  return serve({ buffered: handler }, { downloadConcurrency });
}

describe('download', () => {
  it('streams the whole file from a 1fichier token URL mapped to the emulator', async () => {
    const { server, client } = await setup(rangeServer());
    const out = await client.download('https://a-4.1fichier.com/tok/abc');
    expect([out.status, out.size, out.totalSize]).toEqual([200, 1000, 1000]);
    expect((await readAll(out.body)).equals(FILE)).toBe(true);
    const r = server.requests[0];
    expect([r?.method, r?.url, r?.headers['range'], r?.headers['authorization']]).toEqual(['GET', '/tok/abc', undefined, `Bearer ${KEY}`]);
  });

  it('sends Range and validates the 206 answer', async () => {
    const { server, client } = await setup(rangeServer());
    const out = await client.download(`${server.origin}/tok/abc`, { start: 100, end: 199 });
    expect([out.status, out.size, out.totalSize]).toEqual([206, 100, 1000]);
    expect((await readAll(out.body)).equals(FILE.subarray(100, 200))).toBe(true);
    expect(server.requests[0]?.headers['range']).toBe('bytes=100-199');
  });

  it('accepts an open-ended range; an end past the file is not clamped but refused as a mismatch', async () => {
    const { server, client } = await setup(rangeServer());
    const open = await client.download(`${server.origin}/tok/a`, { start: 990 });
    expect((await readAll(open.body)).equals(FILE.subarray(990))).toBe(true);
    expect([open.size, open.totalSize]).toEqual([10, 1000]);
    await expect(client.download(`${server.origin}/tok/a`, { start: 995, end: 5000 })).rejects.toMatchObject({ kind: 'protocol' });
  });

  it('rejects a Content-Range that does not match the request', async () => {
    const { server, client } = await setup(rangeServer('lie'));
    await expect(client.download(`${server.origin}/tok/a`, { start: 10, end: 20 })).rejects.toMatchObject({ kind: 'protocol', httpStatus: 206 });
  });

  it('rejects a 200 answer to a partial Range request', async () => {
    const { server, client } = await setup(rangeServer('ignore'));
    await expect(client.download(`${server.origin}/tok/a`, { start: 10 })).rejects.toMatchObject({ kind: 'protocol', httpStatus: 200 });
  });

  it('maps 416 to the range kind', async () => {
    const { server, client } = await setup(rangeServer());
    await expect(client.download(`${server.origin}/tok/a`, { start: 5000 })).rejects.toMatchObject({ kind: 'range', httpStatus: 416 });
  });

  it('decodes a KO answer (expired token -> not-found)', async () => {
    const { server, client } = await setup(rangeServer());
    await expect(client.download(`${server.origin}/gone`)).rejects.toMatchObject({ kind: 'not-found', code: 469 });
  });

  it('rejects a whole-file answer of another size than expected', async () => {
    const { server, client } = await setup(rangeServer());
    await expect(client.download(`${server.origin}/tok/a`, { expectedSize: 5 })).rejects.toMatchObject({ kind: 'protocol' });
  });

  it('caps concurrent downloads and frees the slot when the body closes', async () => {
    const { server, client } = await setup(rangeServer(), 2);
    const a = await client.download(`${server.origin}/tok/1`);
    const b = await client.download(`${server.origin}/tok/2`);
    let thirdDone = false;
    const third = client.download(`${server.origin}/tok/3`).then((r) => {
      thirdDone = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect([thirdDone, server.requests.length]).toEqual([false, 2]);
    a.body.destroy();
    const c = await third;
    expect(server.requests.length).toBe(3);
    await readAll(b.body);
    await readAll(c.body);
  });
});

describe('range helpers', () => {
  it('builds Range headers', () => {
    expect(rangeHeader(undefined, undefined)).toBeUndefined();
    expect(rangeHeader(0, 9)).toBe('bytes=0-9');
    expect(rangeHeader(5, undefined)).toBe('bytes=5-');
    expect(() => rangeHeader(5, 4)).toThrow(RangeError);
    expect(() => rangeHeader(-1, undefined)).toThrow(RangeError);
  });

  it('parses Content-Range', () => {
    expect(parseContentRange('bytes 0-9/100')).toEqual({ first: 0, last: 9, total: 100 });
    expect(parseContentRange('bytes 0-9/*')).toEqual({ first: 0, last: 9 });
    expect(parseContentRange('bytes 9-0/100')).toBeUndefined();
    expect(parseContentRange('bytes 0-100/100')).toBeUndefined();
    expect(parseContentRange(undefined)).toBeUndefined();
  });
});
