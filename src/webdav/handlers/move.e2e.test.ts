import { describe, expect, it } from 'vitest';
import { davPerTest, vfsExists, vfsText, type Reply } from '../../../test/support/dav-kit.ts';

const dav = davPerTest();

const move = (from: string, to: string, headers: Record<string, string> = {}): Promise<Reply> =>
  dav().send('MOVE', from, { headers: { Destination: `${dav().url}${to}`, ...headers } });

const LOCKINFO = '<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>';

const text = (path: string): Promise<string> => vfsText(dav(), path);

const exists = (path: string): Promise<boolean> => vfsExists(dav(), path);

describe('MOVE', () => {
  it('renames a file server-side: 201, no download or upload', async () => {
    await dav().kit.vfs.writeFile('a.txt', Buffer.from('alpha'));
    dav().kit.remote.reset();
    const r = await move('/a.txt', 'b.txt');
    expect(r.status).toBe(201);
    expect(dav().kit.remote.calls.move).toBe(1);
    expect(dav().kit.remote.calls.put ?? 0).toBe(0);
    expect(dav().kit.remote.calls.openRead ?? 0).toBe(0);
    expect(await exists('a.txt')).toBe(false);
    expect(await text('b.txt')).toBe('alpha');
  });

  it('replaces an existing file with 204 (safe-save), 412 with Overwrite: F', async () => {
    await dav().kit.vfs.writeFile('doc', Buffer.from('v1'));
    await dav().kit.vfs.writeFile('.doc.tmp', Buffer.from('v2'));
    expect((await move('/.doc.tmp', 'doc', { Overwrite: 'F' })).status).toBe(412);
    expect(await text('doc')).toBe('v1');
    expect((await move('/.doc.tmp', 'doc')).status).toBe(204);
    expect(await text('doc')).toBe('v2');
    expect(await exists('.doc.tmp')).toBe(false);
  });

  it('moves a collection with its members into another folder', async () => {
    await dav().kit.vfs.mkdir('src');
    await dav().kit.vfs.writeFile('src/f', Buffer.from('deep'));
    await dav().kit.vfs.mkdir('other');
    expect((await move('/src/', 'other/dst/')).status).toBe(201);
    expect(await exists('src')).toBe(false);
    expect(await text('other/dst/f')).toBe('deep');
  });

  it('replaces an existing collection with Overwrite: T (204)', async () => {
    await dav().kit.vfs.mkdir('a');
    await dav().kit.vfs.writeFile('a/f', Buffer.from('a'));
    await dav().kit.vfs.mkdir('b');
    await dav().kit.vfs.writeFile('b/g', Buffer.from('b'));
    expect((await move('/a/', 'b/', { Overwrite: 'F' })).status).toBe(412);
    expect((await move('/a/', 'b/', { Overwrite: 'T' })).status).toBe(204);
    expect(await text('b/f')).toBe('a');
    expect(await exists('b/g')).toBe(false);
  });

  it('follows the Windows New-folder flow (MKCOL then MOVE)', async () => {
    expect((await dav().send('MKCOL', '/New folder')).status).toBe(201);
    expect((await move('/New%20folder/', 'Holiday/')).status).toBe(201);
    expect((await dav().kit.vfs.stat('Holiday')).kind).toBe('dir');
    expect(await exists('New folder')).toBe(false);
  });

  it('answers 403 onto itself or into itself, 400 for Depth 0 on a collection', async () => {
    await dav().kit.vfs.mkdir('dir');
    await dav().kit.vfs.writeFile('a.txt', Buffer.from('x'));
    expect((await move('/a.txt', 'a.txt')).status).toBe(403);
    expect((await move('/dir/', 'dir/inside/')).status).toBe(403);
    expect((await move('/dir/', 'moved/', { Depth: '0' })).status).toBe(400);
    expect(await exists('dir')).toBe(true);
    expect((await move('/dir/', 'moved/', { Depth: 'infinity' })).status).toBe(201);
  });

  it('answers 409 for a missing destination parent, 404 for a missing source, 502 for another host', async () => {
    await dav().kit.vfs.writeFile('a.txt', Buffer.from('x'));
    expect((await move('/a.txt', 'nope/a.txt')).status).toBe(409);
    expect((await move('/missing', 'b')).status).toBe(404);
    expect((await dav().send('MOVE', '/a.txt', { headers: { Destination: 'http://other.example:81/b' } })).status).toBe(502);
    expect((await dav().send('MOVE', '/a.txt')).status).toBe(400);
    expect(await text('a.txt')).toBe('x');
  });

  it('honours X-OC-Mtime and keeps dead properties', async () => {
    await dav().kit.vfs.writeFile('a.txt', Buffer.from('x'));
    await dav().kit.vfs.patchProps('a.txt', [{ op: 'set', prop: { ns: 'urn:x', name: 'k', value: 'v' } }]);
    const r = await move('/a.txt', 'b.txt', { 'X-OC-Mtime': '1500000000.5' });
    expect(r.status).toBe(201);
    expect(r.headers['x-oc-mtime']).toBe('accepted');
    expect((await dav().kit.vfs.stat('b.txt')).modTime).toBe(1_500_000_000_500);
    expect(await dav().kit.vfs.getProps('b.txt')).toEqual([{ ns: 'urn:x', name: 'k', value: 'v' }]);
  });

  it('needs the source lock token (423), then drops the source locks', async () => {
    await dav().kit.vfs.writeFile('a.txt', Buffer.from('x'));
    const token = String((await dav().send('LOCK', '/a.txt', { body: LOCKINFO })).headers['lock-token']);
    expect((await move('/a.txt', 'b.txt')).status).toBe(423);
    expect(await exists('a.txt')).toBe(true);
    expect((await move('/a.txt', 'b.txt', { If: `(${token})` })).status).toBe(201);
    expect(dav().dav.shared.locks.locksBelow('a.txt')).toEqual([]);
    expect(dav().dav.shared.locks.locksCovering('b.txt')).toEqual([]);
  });

  it('refuses to move a collection holding a lock below without its token', async () => {
    await dav().kit.vfs.mkdir('c');
    await dav().kit.vfs.writeFile('c/f', Buffer.from('x'));
    const token = String((await dav().send('LOCK', '/c/f', { body: LOCKINFO })).headers['lock-token']);
    expect((await move('/c/', 'd/')).status).toBe(423);
    expect((await move('/c/', 'd/', { If: `<${dav().url}c/f> (${token})` })).status).toBe(201);
    expect(dav().dav.shared.locks.locksBelow('c')).toEqual([]);
  });

  it('keeps the destination lock after a safe-save over a locked target', async () => {
    await dav().kit.vfs.writeFile('doc', Buffer.from('v1'));
    await dav().kit.vfs.writeFile('tmp', Buffer.from('v2'));
    const token = String((await dav().send('LOCK', '/doc', { body: LOCKINFO })).headers['lock-token']);
    expect((await move('/tmp', 'doc')).status).toBe(423);
    expect((await move('/tmp', 'doc', { If: `<${dav().url}doc> (${token})` })).status).toBe(204);
    expect(await text('doc')).toBe('v2');
    expect((await dav().send('UNLOCK', '/doc', { headers: { 'Lock-Token': token } })).status).toBe(204);
  });
});
