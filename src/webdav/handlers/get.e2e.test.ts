import type { Readable } from 'node:stream';
import { request as httpRequest } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { httpDate } from '../conditional.ts';
import { startDav, type DavKit } from '../../../test/support/dav-kit.ts';

const SIZE = 1000;
const DATA = Buffer.from(Array.from({ length: SIZE }, (_, i) => (i * 7 + 3) % 251));

let d: DavKit;
beforeEach(async () => {
  d = await startDav();
  await d.kit.vfs.writeFile('data.bin', DATA);
  d.reads.length = 0;
});
afterEach(async () => {
  await d.close();
});

async function etagOf(path: string): Promise<string> {
  return (await d.kit.vfs.stat(path)).etag;
}

describe('GET/HEAD on a file', () => {
  it('answers 200 with the whole body and the validators', async () => {
    const entry = await d.kit.vfs.stat('data.bin');
    const res = await d.send('GET', '/data.bin');
    expect(res.status).toBe(200);
    expect(res.body.equals(DATA)).toBe(true);
    expect(res.headers['etag']).toBe(entry.etag);
    expect(res.headers['last-modified']).toBe(httpDate(entry.modTime));
    expect(res.headers['accept-ranges']).toBe('bytes');
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['content-length']).toBe(String(SIZE));
    expect(d.reads).toEqual([{ path: 'data.bin', range: undefined }]);
  });

  it('HEAD sends the same headers, no body, and reads nothing', async () => {
    const entry = await d.kit.vfs.stat('data.bin');
    const res = await d.send('HEAD', '/data.bin', { headers: { range: 'bytes=0-9' } });
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(0);
    expect(res.headers['etag']).toBe(entry.etag);
    expect(res.headers['last-modified']).toBe(httpDate(entry.modTime));
    expect(res.headers['accept-ranges']).toBe('bytes');
    expect(res.headers['content-length']).toBe(String(SIZE));
    expect(d.reads).toEqual([]);
  });

  it.each([
    ['first byte', 'bytes=0-0', 0, 0],
    ['middle', 'bytes=100-199', 100, 199],
    ['suffix', 'bytes=-10', 990, 999],
    ['open-ended', 'bytes=990-', 990, 999],
    ['end past the size', 'bytes=900-5000', 900, 999],
  ])('a single range (%s) is a 206 read as exactly those bytes', async (_label, range, start, end) => {
    const res = await d.send('GET', '/data.bin', { headers: { range } });
    expect(res.status).toBe(206);
    expect(res.headers['content-range']).toBe(`bytes ${start}-${end}/${SIZE}`);
    expect(res.headers['content-length']).toBe(String(end - start + 1));
    expect(res.headers['etag']).toBe(await etagOf('data.bin'));
    expect(res.body.equals(DATA.subarray(start, end + 1))).toBe(true);
    expect(d.reads).toEqual([{ path: 'data.bin', range: { start, end } }]);
  });

  it('several ranges are a multipart/byteranges body with an exact length, one read per part', async () => {
    const res = await d.send('GET', '/data.bin', { headers: { range: 'bytes=0-9,500-509' } });
    expect(res.status).toBe(206);
    const type = String(res.headers['content-type']);
    const boundary = /^multipart\/byteranges; boundary=(.+)$/.exec(type)?.[1];
    expect(boundary).toBeDefined();
    expect(res.headers['content-length']).toBe(String(res.body.length));
    const text = res.body.toString('latin1');
    const parts = text.split(`--${boundary}`).slice(1, -1);
    expect(parts).toHaveLength(2);
    const expected = [
      { start: 0, end: 9 },
      { start: 500, end: 509 },
    ];
    parts.forEach((part, i) => {
      const { start, end } = expected[i]!;
      expect(part).toContain(`Content-Range: bytes ${start}-${end}/${SIZE}`);
      const bytes = part.slice(part.indexOf('\r\n\r\n') + 4).replace(/\r\n$/, '');
      expect(Buffer.from(bytes, 'latin1').equals(DATA.subarray(start, end + 1))).toBe(true);
    });
    expect(text.endsWith(`--${boundary}--\r\n`)).toBe(true);
    expect(d.reads.map((r) => r.range)).toEqual(expected);
  });

  it('an unsatisfiable range is a 416 with bytes */size and no read', async () => {
    const res = await d.send('GET', '/data.bin', { headers: { range: 'bytes=2000-3000' } });
    expect(res.status).toBe(416);
    expect(res.headers['content-range']).toBe(`bytes */${SIZE}`);
    expect(d.reads).toEqual([]);
  });

  it('a Range with another unit is ignored (200 whole)', async () => {
    const res = await d.send('GET', '/data.bin', { headers: { range: 'items=0-1' } });
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(SIZE);
  });

  it('If-Range: a matching ETag honours the range, a stale one gets the whole file', async () => {
    const etag = await etagOf('data.bin');
    const hit = await d.send('GET', '/data.bin', { headers: { range: 'bytes=10-19', 'if-range': etag } });
    expect(hit.status).toBe(206);
    expect(hit.body.equals(DATA.subarray(10, 20))).toBe(true);
    const miss = await d.send('GET', '/data.bin', { headers: { range: 'bytes=10-19', 'if-range': '"stale"' } });
    expect(miss.status).toBe(200);
    expect(miss.body.equals(DATA)).toBe(true);
  });

  it('If-Range with the Last-Modified date honours the range', async () => {
    const entry = await d.kit.vfs.stat('data.bin');
    const res = await d.send('GET', '/data.bin', { headers: { range: 'bytes=0-3', 'if-range': httpDate(entry.modTime) } });
    expect(res.status).toBe(206);
  });
});

describe('conditional GET', () => {
  it('If-None-Match with the current ETag is a 304 with validators and no read', async () => {
    const etag = await etagOf('data.bin');
    for (const method of ['GET', 'HEAD']) {
      const res = await d.send(method, '/data.bin', { headers: { 'if-none-match': etag } });
      expect(res.status).toBe(304);
      expect(res.headers['etag']).toBe(etag);
      expect(res.body.length).toBe(0);
    }
    expect(d.reads).toEqual([]);
  });

  it('If-Modified-Since at or after the modtime is a 304', async () => {
    const entry = await d.kit.vfs.stat('data.bin');
    const res = await d.send('GET', '/data.bin', { headers: { 'if-modified-since': httpDate(entry.modTime + 60_000) } });
    expect(res.status).toBe(304);
  });

  it('If-Match with another ETag is a 412; with the current one a 200', async () => {
    expect((await d.send('GET', '/data.bin', { headers: { 'if-match': '"other"' } })).status).toBe(412);
    expect((await d.send('GET', '/data.bin', { headers: { 'if-match': await etagOf('data.bin') } })).status).toBe(200);
  });

  it('every answer about a file says it is not a page of this server: nosniff, and a sandbox unless it is media', async () => {
    const page = Buffer.from('<script>fetch("/", { method: "PROPFIND" })</script>');
    await d.kit.vfs.writeFile('page.html', page);
    await d.kit.vfs.writeFile('image.svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'));
    await d.kit.vfs.writeFile('clip.mp4', DATA);
    await d.kit.vfs.writeFile('photo.jpg', DATA);
    const etag = await etagOf('page.html');
    const sandboxed = [
      await d.send('GET', '/page.html'),
      await d.send('HEAD', '/page.html'),
      await d.send('GET', '/page.html', { headers: { range: 'bytes=0-9' } }),
      await d.send('GET', '/page.html', { headers: { range: 'bytes=0-1,5-6' } }),
      await d.send('GET', '/page.html', { headers: { 'if-none-match': etag } }),
      await d.send('GET', '/image.svg'),
      await d.send('GET', '/data.bin'),
    ];
    const media = [await d.send('GET', '/clip.mp4', { headers: { range: 'bytes=0-99' } }), await d.send('GET', '/photo.jpg')];
    expect([...sandboxed, ...media].map((a) => a.status)).toEqual([200, 200, 206, 206, 304, 200, 200, 206, 200]);
    for (const a of sandboxed) expect(a.headers['content-security-policy']).toBe('sandbox');
    for (const a of media) expect(a.headers['content-security-policy']).toBeUndefined();
    for (const a of [...sandboxed, ...media]) {
      expect(a.headers['x-content-type-options']).toBe('nosniff');
      expect(a.headers['content-disposition']).toBeUndefined();
    }
    // the types stay what they are, so browsers show the file inline and media players play it
    expect([sandboxed[0]!, sandboxed[5]!, ...media].map((a) => a.headers['content-type'])).toEqual(['text/html', 'image/svg+xml', 'video/mp4', 'image/jpeg']);
    expect(sandboxed[0]!.body.equals(page)).toBe(true);
  });

  it('a missing file is a 404', async () => {
    expect((await d.send('GET', '/nope.bin')).status).toBe(404);
    expect((await d.send('HEAD', '/nope.bin')).status).toBe(404);
  });
});

describe('GET on a collection', () => {
  it('is an escaped HTML listing, folders first, with encoded links', async () => {
    await d.kit.vfs.mkdir('dir');
    await d.kit.vfs.mkdir('dir/zeta');
    await d.kit.vfs.writeFile('dir/<b>&"x".txt', Buffer.from('hello'));
    await d.kit.vfs.writeFile('dir/alpha.txt', Buffer.from('a'));
    const res = await d.send('GET', '/dir/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = res.body.toString('utf8');
    expect(res.headers['content-length']).toBe(String(res.body.length));
    expect(html).not.toContain('<b>');
    expect(html).toContain('&lt;b&gt;&amp;"x".txt');
    expect(html).toContain('href="/dir/%3Cb%3E%26%22x%22.txt"');
    expect(html).toContain('href="/dir/zeta/"');
    expect(html).toContain('href="/"');
    expect(html.indexOf('zeta/')).toBeLessThan(html.indexOf('alpha.txt'));
    expect(html.indexOf('&lt;b&gt;')).toBeLessThan(html.indexOf('alpha.txt'));
  });

  it('HEAD on a collection has the headers and no body', async () => {
    const res = await d.send('HEAD', '/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(Number(res.headers['content-length'])).toBeGreaterThan(0);
    expect(res.body.length).toBe(0);
  });
});

describe('Finder probes', () => {
  it('a missing probe name in an existing folder is an empty file', async () => {
    const res = await d.send('GET', '/.metadata_never_index');
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe('0');
    expect(res.headers['etag']).toBeDefined();
    expect((await d.send('HEAD', '/.ql_disablethumbnails')).status).toBe(200);
    expect(d.reads).toEqual([]);
  });

  it('a probe in a missing folder, or another missing name, is a 404', async () => {
    expect((await d.send('GET', '/missing/.metadata_never_index')).status).toBe(404);
    expect((await d.send('GET', '/.localized')).status).toBe(404);
  });

  it('a real file of a probe name wins', async () => {
    await d.kit.vfs.writeFile('.ql_disablecache', Buffer.from('real'));
    const res = await d.send('GET', '/.ql_disablecache');
    expect(res.body.toString()).toBe('real');
  });
});

describe('streaming', () => {
  it('a client that goes away destroys the VFS read stream', async () => {
    const big = Buffer.alloc(8 * 1024 * 1024, 1);
    await d.kit.vfs.writeFile('big.bin', big);
    const streams: Readable[] = [];
    const original = d.kit.vfs.openRead.bind(d.kit.vfs);
    d.kit.vfs.openRead = async (path, range, signal) => {
      const s = await original(path, range, signal);
      streams.push(s);
      return s;
    };
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(`${d.url}big.bin`, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => undefined);
      req.setTimeout(5000, () => reject(new Error('timeout')));
      req.end();
    });
    for (let i = 0; i < 100 && !streams[0]?.destroyed; i++) await new Promise((r) => setTimeout(r, 20));
    expect(streams).toHaveLength(1);
    expect(streams[0]!.destroyed).toBe(true);
  });
});
