import { describe, expect, it } from 'vitest';
import { davPerTest, startDav } from '../../../test/support/dav-kit.ts';

const dav = davPerTest();

describe('MKCOL', () => {
  it('creates a collection: 201', async () => {
    const res = await dav().send('MKCOL', '/new');
    expect(res.status).toBe(201);
    expect((await dav().kit.vfs.stat('new')).kind).toBe('dir');
  });

  it('an existing collection or file is a 405 with Allow', async () => {
    await dav().kit.vfs.mkdir('dir');
    await dav().kit.vfs.writeFile('f.txt', Buffer.from('f'));
    const res = await dav().send('MKCOL', '/dir/');
    expect(res.status).toBe(405);
    expect(res.headers['allow']).toBeDefined();
    expect((await dav().send('MKCOL', '/f.txt')).status).toBe(405);
    expect((await dav().send('MKCOL', '/')).status).toBe(405);
  });

  it('a missing parent, or a file as parent, is a 409', async () => {
    expect((await dav().send('MKCOL', '/a/b')).status).toBe(409);
    await dav().kit.vfs.writeFile('f.txt', Buffer.from('f'));
    expect((await dav().send('MKCOL', '/f.txt/sub')).status).toBe(409);
  });

  it('a body is a 415 and nothing is created', async () => {
    const res = await dav().send('MKCOL', '/withbody', { headers: { 'content-type': 'text/xml' }, body: '<x/>' });
    expect(res.status).toBe(415);
    expect((await dav().send('PROPFIND', '/withbody', { headers: { depth: '0' } })).status).toBe(404);
  });

  it('a locked parent needs the lock token (423)', async () => {
    await dav().kit.vfs.mkdir('locked');
    const lock = dav().dav.shared.locks.lock('locked', { scope: 'exclusive', depth: 0 });
    expect((await dav().send('MKCOL', '/locked/sub')).status).toBe(423);
    expect((await dav().send('MKCOL', '/locked/sub', { headers: { if: `</locked/> (<${lock.token}>)` } })).status).toBe(201);
  });

  it('a read-only server answers 403', async () => {
    const ro = await startDav({ readOnly: true });
    try {
      expect((await ro.send('MKCOL', '/x')).status).toBe(403);
    } finally {
      await ro.close();
    }
  });
});
