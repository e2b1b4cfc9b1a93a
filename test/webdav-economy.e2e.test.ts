/**
 * API economy of single WebDAV requests through the full stack (server → VFS → fichier remote → emulator),
 * counted at the emulator: a request looks its path up once, and when the folders it touches are cached it
 * costs exactly the calls of what it does, no listing:
 * - MKCOL = folder/mkdir;
 * - PUT of a new file = get_upload_server + upload.cgi + end.pl;
 * - GET of a file (whole or ranged) = get_token + one download (the token is then reused: download only);
 * - MOVE to another folder = file/mv; DELETE = file/rm; PROPPATCH = nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import type { CallCounter } from './support/emulator.ts';
import { startDavStack, type DavStack } from './support/stack.ts';

const LS = '/v1/folder/ls.cgi';
const UPLOAD_CALLS = ['/end.pl', '/upload.cgi', '/v1/upload/get_upload_server.cgi'];

describe('WebDAV request economy in cached folders (emulator counts)', () => {
  let stack: DavStack;
  let auth: string;
  let counter: CallCounter;
  /** Calls (and downloads) since the last mark(), by emulator path; `total` is the API calls. */
  const mark = () => counter.mark();
  const since = () => counter.since();

  const dav = async (method: string, p: string, headers: Record<string, string> = {}, body?: string) => {
    const res = await request(`${stack.url}${p}`, { method: method as 'GET', headers: { authorization: auth, ...headers }, body });
    return { status: res.statusCode, headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()) };
  };

  beforeAll(async () => {
    stack = await startDavStack();
    counter = stack.emu.counter();
    auth = `Basic ${Buffer.from(`${stack.user}:${stack.pass}`).toString('base64')}`;
    expect((await dav('MKCOL', '/docs/')).status).toBe(201);
    expect((await dav('MKCOL', '/docs/archive/')).status).toBe(201);
    expect((await dav('PUT', '/docs/old.txt', {}, 'an existing file')).status).toBe(201);
    // Warm the cache of both folders the way a client does: a listing of each.
    for (const p of ['/', '/docs/', '/docs/archive/']) expect((await dav('PROPFIND', p, { Depth: '1' })).status).toBe(207);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('MKCOL in a cached folder costs exactly one API call: folder/mkdir', async () => {
    await mark();
    expect((await dav('MKCOL', '/docs/new/')).status).toBe(201);
    expect(await since()).toEqual({ '/v1/folder/mkdir.cgi': 1, total: 1 });
  });

  it('MKCOL at the root costs exactly folder/mkdir too (the root is known without a call)', async () => {
    await mark();
    expect((await dav('MKCOL', '/top/')).status).toBe(201);
    expect(await since()).toEqual({ '/v1/folder/mkdir.cgi': 1, total: 1 });
  });

  it('PUT of a new file into a cached folder costs the upload calls only, no listing', async () => {
    await mark();
    expect((await dav('PUT', '/docs/new.txt', { 'Content-Type': 'text/plain' }, 'fresh content')).status).toBe(201);
    const calls = await since();
    expect(calls[LS]).toBeUndefined();
    expect(Object.keys(calls).filter((k) => k !== 'total').sort()).toEqual(UPLOAD_CALLS);
    expect(calls['/v1/upload/get_upload_server.cgi']).toBe(1);
    expect(calls['/upload.cgi']).toBe(1);
  });

  it('GET of a cached file costs get_token + one download, then the download only; a ranged GET the same', async () => {
    await mark();
    const whole = await dav('GET', '/docs/old.txt');
    expect(whole.body.toString()).toBe('an existing file');
    expect(await since()).toEqual({ '/v1/download/get_token.cgi': 1, download: 1, total: 1 });
    await mark();
    const ranged = await dav('GET', '/docs/old.txt', { Range: 'bytes=3-10' });
    expect([ranged.status, ranged.body.toString()]).toEqual([206, 'existing']);
    expect(await since()).toEqual({ download: 1 });
  });

  it('MOVE to another cached folder costs file/mv; DELETE costs file/rm; PROPPATCH costs nothing', async () => {
    await mark();
    const moved = await dav('MOVE', '/docs/new.txt', { Destination: `${stack.url}docs/archive/new.txt` });
    expect(moved.status).toBe(201);
    expect(await since()).toEqual({ '/v1/file/mv.cgi': 1, total: 1 });
    await mark();
    const patch =
      '<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><x:c xmlns:x="urn:x">blue</x:c></D:prop></D:set></D:propertyupdate>';
    expect((await dav('PROPPATCH', '/docs/archive/new.txt', { 'Content-Type': 'application/xml' }, patch)).status).toBe(207);
    expect(await since()).toEqual({});
    await mark();
    expect((await dav('DELETE', '/docs/archive/new.txt')).status).toBe(204);
    expect(await since()).toEqual({ '/v1/file/rm.cgi': 1, total: 1 });
  });
});
