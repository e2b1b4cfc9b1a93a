import { describe, expect, it } from 'vitest';
import { davPerTest, vfsExists } from '../../../test/support/dav-kit.ts';

const dav = davPerTest();

const exists = (path: string): Promise<boolean> => vfsExists(dav(), path);

describe('DELETE', () => {
  it('removes a file: 204', async () => {
    await dav().kit.vfs.writeFile('a.txt', Buffer.from('a'));
    expect((await dav().send('DELETE', '/a.txt')).status).toBe(204);
    expect(await exists('a.txt')).toBe(false);
  });

  it('removes a collection with its members: 204', async () => {
    await dav().kit.vfs.mkdir('dir');
    await dav().kit.vfs.mkdir('dir/sub');
    await dav().kit.vfs.writeFile('dir/sub/a.txt', Buffer.from('a'));
    expect((await dav().send('DELETE', '/dir/')).status).toBe(204);
    expect(await exists('dir')).toBe(false);
  });

  it('a missing resource is a 404', async () => {
    expect((await dav().send('DELETE', '/nope')).status).toBe(404);
  });

  it('the root cannot be deleted (403)', async () => {
    expect((await dav().send('DELETE', '/')).status).toBe(403);
  });

  it('a collection with Depth other than infinity is a 400', async () => {
    await dav().kit.vfs.mkdir('dir');
    expect((await dav().send('DELETE', '/dir', { headers: { depth: '0' } })).status).toBe(400);
    expect(await exists('dir')).toBe(true);
  });

  it('If-Match with a stale ETag is a 412', async () => {
    await dav().kit.vfs.writeFile('a.txt', Buffer.from('a'));
    expect((await dav().send('DELETE', '/a.txt', { headers: { 'if-match': '"stale"' } })).status).toBe(412);
    expect(await exists('a.txt')).toBe(true);
  });

  it('a lock below the collection needs its token (423), and is dropped after the delete', async () => {
    await dav().kit.vfs.mkdir('dir');
    await dav().kit.vfs.writeFile('dir/a.txt', Buffer.from('a'));
    const lock = dav().dav.shared.locks.lock('dir/a.txt', { scope: 'exclusive', depth: 0 });
    const refused = await dav().send('DELETE', '/dir');
    expect(refused.status).toBe(423);
    expect(refused.body.toString()).toContain('lock-token-submitted');
    expect(await exists('dir/a.txt')).toBe(true);
    const res = await dav().send('DELETE', '/dir', { headers: { if: `</dir/a.txt> (<${lock.token}>)` } });
    expect(res.status).toBe(204);
    expect(dav().dav.shared.locks.locksBelow('dir')).toEqual([]);
  });
});
