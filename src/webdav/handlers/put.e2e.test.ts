import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { WriteOptions } from '../../vfs/types.ts';
import { davPerTest, vfsExists, vfsText } from '../../../test/support/dav-kit.ts';

const dav = davPerTest();

const content = (path: string): Promise<string> => vfsText(dav(), path);

const exists = (path: string): Promise<boolean> => vfsExists(dav(), path);

/** Records the options of every openWrite the server makes. */
function recordWrites(): WriteOptions[] {
  const seen: WriteOptions[] = [];
  const original = dav().kit.vfs.openWrite.bind(dav().kit.vfs);
  dav().kit.vfs.openWrite = (path, opts) => {
    seen.push({ ...opts });
    return original(path, opts);
  };
  return seen;
}

const sha1 = (s: string | Buffer) => createHash('sha1').update(s).digest('hex');
const md5 = (s: string | Buffer) => createHash('md5').update(s).digest('hex');

describe('PUT', () => {
  it('creates a file: 201 with the ETag of the stored entry', async () => {
    const res = await dav().send('PUT', '/a.txt', { body: 'hello' });
    expect(res.status).toBe(201);
    const entry = await dav().kit.vfs.stat('a.txt');
    expect(res.headers['etag']).toBe(entry.etag);
    expect(await content('a.txt')).toBe('hello');
  });

  it('replaces a file: 204 and the new content', async () => {
    await dav().kit.vfs.writeFile('a.txt', Buffer.from('old'));
    const res = await dav().send('PUT', '/a.txt', { body: 'new content' });
    expect(res.status).toBe(204);
    expect(res.headers['etag']).toBe((await dav().kit.vfs.stat('a.txt')).etag);
    expect(await content('a.txt')).toBe('new content');
  });

  it('takes the size of a chunked body from X-Expected-Entity-Length (Finder)', async () => {
    const writes = recordWrites();
    const body = Buffer.alloc(300_000, 7);
    const res = await dav().send('PUT', '/f.bin', {
      headers: { 'x-expected-entity-length': String(body.length) },
      body: Readable.from([body.subarray(0, 100_000), body.subarray(100_000)]),
    });
    expect(res.status).toBe(201);
    expect(writes[0]?.size).toBe(body.length);
    expect((await dav().kit.vfs.stat('f.bin')).size).toBe(body.length);
  });

  it('stores a chunked body of unknown size', async () => {
    const writes = recordWrites();
    const res = await dav().send('PUT', '/u.txt', { body: Readable.from([Buffer.from('part1 '), Buffer.from('part2')]) });
    expect(res.status).toBe(201);
    expect(writes[0]?.size).toBeUndefined();
    expect(await content('u.txt')).toBe('part1 part2');
  });

  it('passes Content-Length as the size', async () => {
    const writes = recordWrites();
    await dav().send('PUT', '/s.txt', { body: 'abc' });
    expect(writes[0]?.size).toBe(3);
  });

  it('verifies OC-Checksum: a match stores the file with its digests', async () => {
    const res = await dav().send('PUT', '/c.txt', { headers: { 'oc-checksum': `SHA1:${sha1('data')} MD5:${md5('data')}` }, body: 'data' });
    expect(res.status).toBe(201);
    expect((await dav().kit.vfs.stat('c.txt')).hashes).toMatchObject({ sha1: sha1('data'), md5: md5('data') });
  });

  it('an OC-Checksum mismatch is a 400 and nothing is stored', async () => {
    const res = await dav().send('PUT', '/c.txt', { headers: { 'oc-checksum': `SHA1:${sha1('other')}` }, body: 'data' });
    expect(res.status).toBe(400);
    expect(await exists('c.txt')).toBe(false);
    expect(await dav().kit.backend.list('')).toEqual([]);
  });

  it('an OC-Checksum mismatch on a replace keeps the old version', async () => {
    await dav().kit.vfs.writeFile('c.txt', Buffer.from('old'));
    const res = await dav().send('PUT', '/c.txt', { headers: { 'oc-checksum': `MD5:${md5('other')}` }, body: 'new!' });
    expect(res.status).toBe(400);
    expect(await content('c.txt')).toBe('old');
  });

  it('ignores checksum algorithms it does not know, refuses a malformed SHA1', async () => {
    expect((await dav().send('PUT', '/x.txt', { headers: { 'oc-checksum': 'ADLER32:0123abcd' }, body: 'x' })).status).toBe(201);
    expect((await dav().send('PUT', '/y.txt', { headers: { 'oc-checksum': 'SHA1:xyz' }, body: 'y' })).status).toBe(400);
    expect(await exists('y.txt')).toBe(false);
  });

  it('X-OC-Mtime sets the modtime and is acknowledged', async () => {
    const res = await dav().send('PUT', '/m.txt', { headers: { 'x-oc-mtime': '1700000000' }, body: 'm' });
    expect(res.status).toBe(201);
    expect(res.headers['x-oc-mtime']).toBe('accepted');
    expect((await dav().kit.vfs.stat('m.txt')).modTime).toBe(1_700_000_000_000);
  });

  it('without X-OC-Mtime there is no acknowledgement header', async () => {
    const res = await dav().send('PUT', '/n.txt', { body: 'n' });
    expect(res.headers['x-oc-mtime']).toBeUndefined();
  });

  it('If-None-Match: * on an existing file is a 412 and changes nothing', async () => {
    await dav().kit.vfs.writeFile('a.txt', Buffer.from('old'));
    const res = await dav().send('PUT', '/a.txt', { headers: { 'if-none-match': '*' }, body: 'new' });
    expect(res.status).toBe(412);
    expect(await content('a.txt')).toBe('old');
    expect((await dav().send('PUT', '/b.txt', { headers: { 'if-none-match': '*' }, body: 'b' })).status).toBe(201);
  });

  it('If-Match with a stale ETag is a 412; with the current one it replaces', async () => {
    await dav().kit.vfs.writeFile('a.txt', Buffer.from('old'));
    expect((await dav().send('PUT', '/a.txt', { headers: { 'if-match': '"stale"' }, body: 'x' })).status).toBe(412);
    const etag = (await dav().kit.vfs.stat('a.txt')).etag;
    expect((await dav().send('PUT', '/a.txt', { headers: { 'if-match': etag }, body: 'x' })).status).toBe(204);
  });

  it('PUT on a collection or the root is a 405 with Allow', async () => {
    await dav().kit.vfs.mkdir('dir');
    const res = await dav().send('PUT', '/dir', { body: 'x' });
    expect(res.status).toBe(405);
    expect(res.headers['allow']).toBeDefined();
    expect((await dav().send('PUT', '/', { body: 'x' })).status).toBe(405);
  });

  it('a missing parent, or a file as parent, is a 409', async () => {
    expect((await dav().send('PUT', '/no/such/a.txt', { body: 'x' })).status).toBe(409);
    await dav().kit.vfs.writeFile('file.txt', Buffer.from('f'));
    expect((await dav().send('PUT', '/file.txt/a.txt', { body: 'x' })).status).toBe(409);
  });

  it('a locked file needs the lock token (423 without it)', async () => {
    await dav().kit.vfs.writeFile('l.txt', Buffer.from('old'));
    const lock = dav().dav.shared.locks.lock('l.txt', { scope: 'exclusive', depth: 0 });
    expect((await dav().send('PUT', '/l.txt', { body: 'x' })).status).toBe(423);
    expect(await content('l.txt')).toBe('old');
    const ok = await dav().send('PUT', '/l.txt', { headers: { if: `(<${lock.token}>)` }, body: 'x' });
    expect(ok.status).toBe(204);
  });

  it('a new member of a locked collection needs the lock token', async () => {
    await dav().kit.vfs.mkdir('dir');
    dav().dav.shared.locks.lock('dir', { scope: 'exclusive', depth: 0 });
    expect((await dav().send('PUT', '/dir/new.txt', { body: 'x' })).status).toBe(423);
  });

  it('a client that aborts mid-body leaves nothing stored', async () => {
    const total = 1_000_000;
    const writes = recordWrites();
    await new Promise<void>((resolve) => {
      const req = httpRequest(`${dav().url}abort.bin`, { method: 'PUT', headers: { 'content-length': String(total) } });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(200_000, 1), () => {
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 50);
      });
    });
    for (let i = 0; i < 100 && dav().kit.vfs.stats().activeWrites > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(writes).toHaveLength(1);
    expect(dav().kit.remote.calls.put).toBe(1);
    expect(dav().kit.vfs.stats().activeWrites).toBe(0);
    expect(await exists('abort.bin')).toBe(false);
    expect(await dav().kit.backend.list('')).toEqual([]);
  });
});
