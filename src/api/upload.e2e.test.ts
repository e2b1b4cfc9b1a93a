import { buffer as collect } from 'node:stream/consumers';
import { describe, it, expect } from 'vitest';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import busboy from 'busboy';
import { multipartFraming } from './upload.ts';
import { sendJson, sendHtml, type RecordedRequest, serverPerTest, type TestServer } from '../../test/support/recording-server.ts';

const KEY = 'UploadKey_0123456789abcdefghijkl';

interface Parsed {
  fields: Record<string, string>;
  files: { name: string; filename: string; mimeType: string; size: number }[];
  raw: Buffer;
}

/** Parses a multipart body with busboy. */
function parseMultipart(headers: IncomingMessage['headers'], raw: Buffer): Promise<Parsed> {
  return new Promise((resolve, reject) => {
    const out: Parsed = { fields: {}, files: [], raw };
    const bb = busboy({ headers, defParamCharset: 'utf8' });
    bb.on('field', (name, value) => (out.fields[name] = value));
    bb.on('file', (name, stream, info) => {
      let size = 0;
      stream.on('data', (c: Buffer) => (size += c.length));
      stream.on('end', () => out.files.push({ name, filename: info.filename ?? '', mimeType: info.mimeType, size }));
    });
    bb.on('close', () => resolve(out));
    bb.on('error', reject);
    bb.end(raw);
  });
}

interface Behaviour {
  /** end.pl answers before the JSON one ("please wait" pages). */
  waits?: number;
  links?: (size: number, filename: string) => unknown[];
  uploadStatus?: number;
  /** Pause reading the upload body after this many bytes until `resume` is called. */
  onBody?: (req: IncomingMessage, record: RecordedRequest) => Promise<Buffer>;
}

const serve = serverPerTest(KEY);

async function setup(b: Behaviour = {}) {
  const parsed: Parsed[] = [];
  let endCalls = 0;
  const handle = async (req: IncomingMessage, res: ServerResponse, record: RecordedRequest) => {
    const url = req.url ?? '';
    if (url.startsWith('/upload.cgi')) {
      const raw = b.onBody ? await b.onBody(req, record) : await collect(req);
      record.body = raw;
      parsed.push(await parseMultipart(req.headers, raw));
      if (b.uploadStatus) return sendJson(res, b.uploadStatus, { status: 'KO', message: 'node error' });
      res.writeHead(302, { location: '/end.pl?xid=Abc123', 'content-length': 0 });
      return res.end();
    }
    await collect(req);
    if (url.startsWith('/v1/upload/get_upload_server.cgi')) return sendJson(res, 200, { url: 'up2.1fichier.com', id: 'Abc123' });
    if (url.startsWith('/end.pl')) {
      if (endCalls++ < (b.waits ?? 0)) return sendHtml(res, 200, '<html><body>Veuillez patienter</body></html>');
      const p = parsed[parsed.length - 1];
      const f = p?.files[0];
      const size = f?.size ?? 0;
      const filename = f?.filename ?? '';
      const links = b.links ? b.links(size, filename) : [{ download: 'https://1fichier.com/?newfile01', filename, size: String(size), whirlpool: 'AB'.repeat(64), remove: '' }];
      return sendJson(res, 200, { incoming: 0, links });
    }
    sendJson(res, 404, { status: 'KO', message: 'Resource not found #469' });
  };
  const { server, client } = await serve({ streaming: handle }, { endPollMaxMs: 300 });
  return { server, client, parsed };
}

function paths(s: TestServer): string[] {
  return s.requests.map((r) => `${r.method} ${r.url.split('?')[0]}`);
}

describe('multipartFraming', () => {
  it('frames did then file[] with a quoted raw UTF-8 filename, no part Content-Type, unquoted boundary', () => {
    const f = multipartFraming('été ✓.txt', 12, 'BOUND');
    expect(f.contentType).toBe('multipart/form-data; boundary=BOUND');
    expect(f.head.toString('utf8')).toBe(
      '--BOUND\r\nContent-Disposition: form-data; name="did"\r\n\r\n12\r\n' +
        '--BOUND\r\nContent-Disposition: form-data; name="file[]"; filename="été ✓.txt"\r\n\r\n',
    );
    expect(f.tail.toString()).toBe('\r\n--BOUND--\r\n');
    expect(f.contentLength(10)).toBe(f.head.length + 10 + f.tail.length);
  });

  it('refuses names that cannot be framed', () => {
    for (const bad of ['a"b', 'a\\b', 'a\nb', '']) expect(() => multipartFraming(bad, 0)).toThrow(expect.objectContaining({ kind: 'upload' }));
  });
});

describe('upload', () => {
  it('runs the three steps with exact Content-Length and returns the stored file', async () => {
    const { server, client, parsed } = await setup({ waits: 2 });
    const data = Buffer.alloc(300_000, 7);
    const out = await client.upload(Readable.from([data.subarray(0, 1000), data.subarray(1000)]), { filename: 'été ✓.bin', size: data.length, folderId: 42 });
    expect(out).toEqual({ url: 'https://1fichier.com/?newfile01', filename: 'été ✓.bin', size: data.length, whirlpool: 'ab'.repeat(64) });
    expect(paths(server)).toEqual(['GET /v1/upload/get_upload_server.cgi', 'POST /upload.cgi', 'GET /end.pl', 'GET /end.pl', 'GET /end.pl']);
    const post = server.requests[1]!;
    expect(post.url).toBe('/upload.cgi?id=Abc123');
    expect(post.headers['transfer-encoding']).toBeUndefined();
    expect(Number(post.headers['content-length'])).toBe(post.body.length);
    expect(post.headers['content-type']).toMatch(/^multipart\/form-data; boundary=[^"]+$/);
    expect(post.headers['authorization']).toBe(`Bearer ${KEY}`);
    expect(post.body.toString('utf8')).not.toMatch(/Content-Type/i);
    expect(parsed[0]?.fields).toEqual({ did: '42' });
    expect(parsed[0]?.files).toEqual([{ name: 'file[]', filename: 'été ✓.bin', mimeType: 'text/plain', size: data.length }]); // busboy's default: the part has no Content-Type
    const end = server.requests[4]!;
    expect([end.url, end.headers['json'], end.headers['authorization']]).toEqual(['/end.pl?xid=Abc123', '1', `Bearer ${KEY}`]);
  });

  it('refuses an empty file before any call', async () => {
    const { server, client } = await setup();
    await expect(client.upload(Readable.from([]), { filename: 'e', size: 0, folderId: 0 })).rejects.toMatchObject({ kind: 'upload' });
    expect(server.requests).toHaveLength(0);
  });

  it('never retries the upload POST; after a 5xx it asks end.pl whether the file landed', async () => {
    const { server, client } = await setup({ uploadStatus: 503 });
    const out = await client.upload(Readable.from([Buffer.from('abc')]), { filename: 'a', size: 3, folderId: 0 });
    expect(out).toMatchObject({ url: 'https://1fichier.com/?newfile01', size: 3 });
    expect(paths(server)).toEqual(['GET /v1/upload/get_upload_server.cgi', 'POST /upload.cgi', 'GET /end.pl']);
  });

  it('says the outcome is unknown when the POST failed with a 5xx and end.pl shows no file', async () => {
    const { server, client } = await setup({ uploadStatus: 503, links: () => [] });
    await expect(client.upload(Readable.from([Buffer.from('abc')]), { filename: 'a', size: 3, folderId: 0 })).rejects.toMatchObject({
      kind: 'upload',
      outcomeUnknown: true,
      cause: expect.objectContaining({ kind: 'server', httpStatus: 503, endpoint: 'upload.cgi' }),
    });
    expect(paths(server).filter((p) => p === 'POST /upload.cgi')).toHaveLength(1);
  });

  it('a refused POST (4xx) stored nothing: no end.pl, the refusal is reported', async () => {
    const { server, client } = await setup({ uploadStatus: 403 });
    await expect(client.upload(Readable.from([Buffer.from('abc')]), { filename: 'a', size: 3, folderId: 0 })).rejects.toMatchObject({ endpoint: 'upload.cgi', httpStatus: 403 });
    expect(paths(server)).toEqual(['GET /v1/upload/get_upload_server.cgi', 'POST /upload.cgi']);
  });

  it('says the outcome is unknown when end.pl keeps answering without links', async () => {
    const { client } = await setup({ links: () => [] });
    await expect(client.upload(Readable.from([Buffer.from('abc')]), { filename: 'a', size: 3, folderId: 0 })).rejects.toMatchObject({ kind: 'upload', outcomeUnknown: true });
  });

  it('fails when 1fichier reports another size', async () => {
    const { client } = await setup({ links: (_s, filename) => [{ download: 'https://1fichier.com/?x1234', filename, size: '2', whirlpool: '00', remove: '' }] });
    await expect(client.upload(Readable.from([Buffer.from('abc')]), { filename: 'a', size: 3, folderId: 0 })).rejects.toMatchObject({ kind: 'upload' });
  });

  it('gives up polling end.pl after endPollMaxMs', async () => {
    const { server, client } = await setup({ waits: 1_000_000 });
    await expect(client.upload(Readable.from([Buffer.from('abc')]), { filename: 'a', size: 3, folderId: 0 })).rejects.toMatchObject({
      kind: 'upload',
      outcomeUnknown: true,
      cause: expect.objectContaining({ kind: 'protocol', endpoint: 'end.pl' }),
    });
    expect(server.requests.filter((r) => r.url.startsWith('/end.pl')).length).toBeGreaterThan(2);
  });

  it('fails when the source is shorter than the declared size', async () => {
    const { client } = await setup();
    await expect(client.upload(Readable.from([Buffer.from('abc')]), { filename: 'a', size: 10, folderId: 0 })).rejects.toMatchObject({ kind: 'upload', endpoint: 'upload.cgi' });
  });

  it('streams with backpressure: the source is not read far ahead of the server', async () => {
    const total = 64 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 1);
    let produced = 0;
    let receivedAtPause = 0;
    let producedAtPause = 0;
    const source = Readable.from(
      (function* gen() {
        while (produced < total) {
          produced += chunk.length;
          yield chunk;
        }
      })(),
    );
    const { client, parsed } = await setup({
      onBody: async (req) => {
        let received = 0;
        let headerBytes = Buffer.alloc(0);
        req.pause();
        // read 2 MiB, then stall for a while and look at how much the client produced meanwhile
        await new Promise<void>((resolve) => {
          const onData = (c: Buffer) => {
            if (headerBytes.length < 512) headerBytes = Buffer.concat([headerBytes, c.subarray(0, 512)]);
            received += c.length;
            if (received >= 2 * 1024 * 1024) {
              req.off('data', onData);
              req.pause();
              resolve();
            }
          };
          req.on('data', onData);
          req.resume();
        });
        await new Promise((r) => setTimeout(r, 300));
        receivedAtPause = received;
        producedAtPause = produced;
        await new Promise<void>((resolve) => {
          req.on('data', (c: Buffer) => (received += c.length));
          req.on('end', resolve);
          req.resume();
        });
        // busboy gets the real part headers around a 1-byte stand-in for the 64 MiB of file bytes
        const headEnd = headerBytes.indexOf('\r\n\r\n', headerBytes.indexOf('file[]')) + 4;
        const boundary = String(req.headers['content-type']).split('boundary=')[1];
        return Buffer.concat([headerBytes.subarray(0, headEnd), Buffer.from(`x\r\n--${boundary}--\r\n`)]);
      },
      links: (_s, filename) => [{ download: 'https://1fichier.com/?big12345', filename, size: String(total), whirlpool: '00', remove: '' }],
    });
    const out = await client.upload(source, { filename: 'big.bin', size: total, folderId: 0 });
    expect(out.size).toBe(total);
    expect(parsed[0]?.files[0]?.filename).toBe('big.bin');
    expect(receivedAtPause).toBeGreaterThanOrEqual(2 * 1024 * 1024);
    expect(producedAtPause - receivedAtPause).toBeLessThan(24 * 1024 * 1024);
  });
});
