import { describe, expect, it } from 'vitest';
import { davPerTest, vfsExists, vfsText, type Reply } from '../../../test/support/dav-kit.ts';

const dav = davPerTest();

const copy = (from: string, to: string, headers: Record<string, string> = {}): Promise<Reply> =>
  dav().send('COPY', from, { headers: { Destination: `${dav().url}${to}`, ...headers } });

const text = (path: string): Promise<string> => vfsText(dav(), path);

const exists = (path: string): Promise<boolean> => vfsExists(dav(), path);

describe('COPY', () => {
  it('copies a file server-side: 201, no download or upload', async () => {
    await dav().kit.vfs.writeFile('a.txt', Buffer.from('alpha'));
    dav().kit.remote.reset();
    const r = await copy('/a.txt', 'b.txt');
    expect(r.status).toBe(201);
    expect(dav().kit.remote.calls.copy).toBe(1);
    expect(dav().kit.remote.calls.put ?? 0).toBe(0);
    expect(dav().kit.remote.calls.openRead ?? 0).toBe(0);
    expect(await text('b.txt')).toBe('alpha');
    expect(await text('a.txt')).toBe('alpha');
  });

  it('replaces an existing destination with 204 (missing Overwrite means T)', async () => {
    await dav().kit.vfs.writeFile('a.txt', Buffer.from('new'));
    await dav().kit.vfs.writeFile('b.txt', Buffer.from('old'));
    expect((await copy('/a.txt', 'b.txt')).status).toBe(204);
    expect(await text('b.txt')).toBe('new');
    await dav().kit.vfs.writeFile('a.txt', Buffer.from('newer'));
    expect((await copy('/a.txt', 'b.txt', { Overwrite: 'T' })).status).toBe(204);
    expect(await text('b.txt')).toBe('newer');
  });

  it('answers 412 with Overwrite: F onto an existing destination, and changes nothing', async () => {
    await dav().kit.vfs.writeFile('a.txt', Buffer.from('new'));
    await dav().kit.vfs.writeFile('b.txt', Buffer.from('old'));
    expect((await copy('/a.txt', 'b.txt', { Overwrite: 'F' })).status).toBe(412);
    expect(await text('b.txt')).toBe('old');
    expect((await copy('/a.txt', 'c.txt', { Overwrite: 'F' })).status).toBe(201);
  });

  it('answers 409 when the destination parent is missing or a file', async () => {
    await dav().kit.vfs.writeFile('a.txt', Buffer.from('x'));
    expect((await copy('/a.txt', 'nope/b.txt')).status).toBe(409);
    expect((await copy('/a.txt', 'a.txt/b.txt')).status).toBe(409);
  });

  it('answers 404 for a missing source, 400 without Destination or with bad headers', async () => {
    await dav().kit.vfs.writeFile('a.txt', Buffer.from('x'));
    expect((await copy('/missing', 'b')).status).toBe(404);
    expect((await dav().send('COPY', '/a.txt')).status).toBe(400);
    expect((await copy('/a.txt', 'b', { Overwrite: 'maybe' })).status).toBe(400);
    expect((await copy('/a.txt', 'b', { Depth: '1' })).status).toBe(400);
  });

  it('answers 403 onto itself or into itself, 502 for another host', async () => {
    await dav().kit.vfs.mkdir('dir');
    await dav().kit.vfs.writeFile('a.txt', Buffer.from('x'));
    expect((await copy('/a.txt', 'a.txt')).status).toBe(403);
    expect((await copy('/dir/', 'dir/sub/')).status).toBe(403);
    const r = await dav().send('COPY', '/a.txt', { headers: { Destination: 'http://elsewhere.example/b.txt' } });
    expect(r.status).toBe(502);
  });

  it('copies a collection with its members (Depth infinity), and replaces one with 204', async () => {
    await dav().kit.vfs.mkdir('src');
    await dav().kit.vfs.mkdir('src/sub');
    await dav().kit.vfs.writeFile('src/sub/f', Buffer.from('deep'));
    expect((await copy('/src/', 'dst/')).status).toBe(201);
    expect(await text('dst/sub/f')).toBe('deep');
    expect((await copy('/src/', 'dst/', { Overwrite: 'F' })).status).toBe(412);
    await dav().kit.vfs.writeFile('dst/extra', Buffer.from('gone'));
    expect((await copy('/src/', 'dst/', { Overwrite: 'T' })).status).toBe(204);
    expect(await exists('dst/extra')).toBe(false);
    expect(await text('dst/sub/f')).toBe('deep');
  });

  it('Depth 0 copies only the collection, with its dead properties', async () => {
    await dav().kit.vfs.mkdir('src');
    await dav().kit.vfs.writeFile('src/f', Buffer.from('x'));
    await dav().kit.vfs.patchProps('src', [{ op: 'set', prop: { ns: 'urn:x', name: 'color', value: 'red' } }]);
    expect((await copy('/src/', 'shallow/', { Depth: '0' })).status).toBe(201);
    expect((await dav().kit.vfs.stat('shallow')).kind).toBe('dir');
    expect(await dav().kit.vfs.readdir('shallow')).toEqual([]);
    expect(await dav().kit.vfs.getProps('shallow')).toEqual([{ ns: 'urn:x', name: 'color', value: 'red' }]);
  });

  it('keeps dead properties on a copied file', async () => {
    await dav().kit.vfs.writeFile('a.txt', Buffer.from('x'));
    await dav().kit.vfs.patchProps('a.txt', [{ op: 'set', prop: { ns: 'urn:x', name: 'k', value: 'v' } }]);
    expect((await copy('/a.txt', 'b.txt')).status).toBe(201);
    expect(await dav().kit.vfs.getProps('b.txt')).toEqual([{ ns: 'urn:x', name: 'k', value: 'v' }]);
  });

  it('honours X-OC-Mtime: stored on the destination, answered "accepted"', async () => {
    await dav().kit.vfs.writeFile('a.txt', Buffer.from('x'));
    const r = await copy('/a.txt', 'b.txt', { 'X-OC-Mtime': '1600000000' });
    expect(r.status).toBe(201);
    expect(r.headers['x-oc-mtime']).toBe('accepted');
    expect((await dav().kit.vfs.stat('b.txt')).modTime).toBe(1_600_000_000_000);
    expect((await copy('/a.txt', 'c.txt')).headers['x-oc-mtime']).toBeUndefined();
    expect((await copy('/a.txt', 'd.txt', { 'X-OC-Mtime': 'soon' })).status).toBe(400);
  });

  it('accepts an absolute-path Destination', async () => {
    await dav().kit.vfs.writeFile('a.txt', Buffer.from('x'));
    expect((await dav().send('COPY', '/a.txt', { headers: { Destination: '/b%20c.txt' } })).status).toBe(201);
    expect(await text('b c.txt')).toBe('x');
  });

  it('copies a locked source freely; replacing a locked destination needs its token tagged with its URL', async () => {
    await dav().kit.vfs.writeFile('a.txt', Buffer.from('a'));
    await dav().kit.vfs.writeFile('b.txt', Buffer.from('b'));
    const body = '<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>';
    const locked = await dav().send('LOCK', '/a.txt', { body });
    const lb = await dav().send('LOCK', '/b.txt', { body });
    expect((await copy('/a.txt', 'c.txt')).status).toBe(201);
    expect(dav().dav.shared.locks.locksCovering('c.txt')).toEqual([]);
    expect((await copy('/a.txt', 'b.txt')).status).toBe(423);
    expect(await text('b.txt')).toBe('b');
    const tokenB = String(lb.headers['lock-token']);
    expect((await copy('/a.txt', 'b.txt', { If: `(${tokenB})` })).status).toBe(412);
    expect((await copy('/a.txt', 'b.txt', { If: `<${dav().url}b.txt> (${tokenB})` })).status).toBe(204);
    expect(await text('b.txt')).toBe('a');
    expect(locked.status).toBe(200);
  });
});
