/**
 * Economy of the full stack (WebDAV server → VFS → fichier remote → emulator), measured at the emulator:
 * - a PROPFIND Depth 1 of a folder of 2,000 files costs at most one API call cold and none warm;
 * - a 1-byte Range GET at the end of a big file (`bytes=-1`, `bytes=N-1-N-1`) moves at most 64 KiB from the
 *   emulator (the range end caps the VFS's first read chunk, 128 MiB by default) and returns the right byte.
 * The big file is written through the server with a streamed PUT from a generator (O(1) memory here).
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { testBytes } from './support/bytes.ts';
import { uploadNodeUrl } from '../src/api/hosts.ts';
import { UPLOAD_PATH } from '../src/api/types.ts';
import { startDavStack, type DavStack } from './support/stack.ts';

/** Size of the big file: see the report (500 MB through the emulator, measured below the time budget). */
const BIG = 500 * 1000 * 1000;
const FILES = 2000;
const MAX_RANGE_BYTES_OUT = 64 * 1024;

/** The big file's content: a 1 MiB pseudo-random block repeated, each copy starting with its index (uint32 BE). */
const BLOCK = testBytes(1 << 20, 42);
function bigChunk(k: number, len: number): Buffer {
  const b = Buffer.from(BLOCK.subarray(0, len));
  if (len >= 4) b.writeUInt32BE(k, 0);
  return b;
}
function bigByte(offset: number): number {
  const k = Math.floor(offset / BLOCK.length);
  const at = offset % BLOCK.length;
  return at < 4 ? Buffer.from([k >>> 24, (k >>> 16) & 0xff, (k >>> 8) & 0xff, k & 0xff])[at]! : BLOCK[at]!;
}
async function* bigContent(size: number): AsyncGenerator<Buffer> {
  for (let k = 0, at = 0; at < size; k++, at += BLOCK.length) yield bigChunk(k, Math.min(BLOCK.length, size - at));
}

describe('WebDAV server economy: ranged reads and big listings (emulator counts)', () => {
  let stack: DavStack;
  let auth: string;
  const url = (p: string) => `${stack.url}${p}`;
  const dav = async (method: string, p: string, headers: Record<string, string> = {}, body?: Readable | string) => {
    const res = await request(url(p), { method: method as 'GET', headers: { authorization: auth, ...headers }, body });
    return { status: res.statusCode, headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()) };
  };

  beforeAll(async () => {
    stack = await startDavStack();
    auth = `Basic ${Buffer.from(`${stack.user}:${stack.pass}`).toString('base64')}`;
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it(`PROPFIND Depth 1 of a folder of ${FILES} files: at most one API call cold, none warm`, { timeout: 40_000 }, async () => {
    // 2,000 files in one multipart upload.cgi, straight at the emulator (the VFS has seen nothing yet).
    const client = stack.emu.client();
    const { folder_id: folderId } = await client.folderMkdir(0, 'many');
    const node = await client.getUploadServer();
    const boundary = 'fdavRangesBoundary7f3a';
    async function* multipart(): AsyncGenerator<Buffer> {
      yield Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="did"\r\n\r\n${folderId}\r\n`);
      for (let i = 0; i < FILES; i++) {
        yield Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file[]"; filename="f${String(i).padStart(4, '0')}.txt"\r\n\r\n`);
        yield Buffer.from(`file number ${i}\n`);
        yield Buffer.from('\r\n');
      }
      yield Buffer.from(`--${boundary}--\r\n`);
    }
    const up = await request(uploadNodeUrl(node.url, `${UPLOAD_PATH}?id=${node.id}`, stack.emu.apiBase), {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.emu.key}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: Readable.from(multipart()),
    });
    await up.body.dump();
    expect(up.statusCode).toBe(302);

    // Resolve the folder itself (the root's listing), so "cold" measures the folder's own listing.
    expect((await dav('PROPFIND', 'many/', { depth: '0' })).status).toBe(207);
    const t0 = (await stack.emu.stats()).total;
    const cold = await dav('PROPFIND', 'many/', { depth: '1' });
    const t1 = (await stack.emu.stats()).total;
    const warm = await dav('PROPFIND', 'many/', { depth: '1' });
    const t2 = (await stack.emu.stats()).total;

    expect(cold.status).toBe(207);
    expect(warm.status).toBe(207);
    const responses = (xml: Buffer) => (xml.toString('utf8').match(/<D:response>/g) ?? []).length;
    expect(responses(cold.body)).toBe(FILES + 1);
    expect(responses(warm.body)).toBe(FILES + 1);
    expect(cold.body.toString('utf8')).toContain('/many/f1999.txt');
    expect({ cold: t1 - t0 <= 1, warm: t2 - t1 }).toEqual({ cold: true, warm: 0 });
  });

  it(`a 1-byte Range GET at the end of a ${BIG / 1e6} MB file moves at most 64 KiB from the emulator`, { timeout: 60_000 }, async () => {
    const put = await dav('PUT', 'big.bin', { 'content-length': String(BIG), 'content-type': 'application/octet-stream' }, Readable.from(bigContent(BIG)));
    expect(put.status).toBe(201);
    const last = bigByte(BIG - 1);

    for (const range of ['bytes=-1', `bytes=${BIG - 1}-${BIG - 1}`]) {
      const before = (await stack.emu.stats()).bytesOut;
      const got = await dav('GET', 'big.bin', { range });
      const moved = (await stack.emu.stats()).bytesOut - before;
      expect({ range, status: got.status, contentRange: got.headers['content-range'], body: [...got.body] }).toEqual({
        range,
        status: 206,
        contentRange: `bytes ${BIG - 1}-${BIG - 1}/${BIG}`,
        body: [last],
      });
      expect(moved).toBeGreaterThan(0);
      expect(moved).toBeLessThanOrEqual(MAX_RANGE_BYTES_OUT);
    }

    // A byte in the middle, and one at a block start (the block index), through the same path.
    const mid = 123_456_789;
    const got = await dav('GET', 'big.bin', { range: `bytes=${mid}-${mid + 3}` });
    expect([...got.body]).toEqual([bigByte(mid), bigByte(mid + 1), bigByte(mid + 2), bigByte(mid + 3)]);
    const blockStart = 300 * BLOCK.length;
    const head = await dav('GET', 'big.bin', { range: `bytes=${blockStart}-${blockStart + 3}` });
    expect(head.body.readUInt32BE(0)).toBe(300);
  });
});
