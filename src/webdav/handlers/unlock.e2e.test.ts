import { describe, expect, it } from 'vitest';
import { DAV_NS, child, parseXml } from '../xml.ts';
import { basicAuth, davPerTest, type Reply } from '../../../test/support/dav-kit.ts';

const dav = davPerTest();

const LOCKINFO = '<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>';

async function lockToken(path: string, headers: Record<string, string> = {}): Promise<string> {
  const r = await dav().send('LOCK', path, { headers, body: LOCKINFO });
  expect(r.status).toBeLessThan(300);
  return String(r.headers['lock-token']);
}

const unlock = (path: string, lockTokenHeader?: string, headers: Record<string, string> = {}): Promise<Reply> =>
  dav().send('UNLOCK', path, { headers: lockTokenHeader === undefined ? headers : { ...headers, 'Lock-Token': lockTokenHeader } });

describe('UNLOCK', () => {
  it('removes the lock: 204, then a PUT needs no token', async () => {
    await dav().kit.vfs.writeFile('f.txt', Buffer.from('x'));
    const coded = await lockToken('/f.txt');
    expect((await dav().send('PUT', '/f.txt', { body: 'y' })).status).toBe(423);
    expect((await unlock('/f.txt', coded)).status).toBe(204);
    expect((await dav().send('PUT', '/f.txt', { body: 'y' })).status).toBe(204);
  });

  it('accepts a member of a depth-infinity lock as Request-URI', async () => {
    await dav().kit.vfs.mkdir('c');
    await dav().kit.vfs.writeFile('c/m', Buffer.from('x'));
    const coded = await lockToken('/c/');
    expect((await unlock('/c/m', coded)).status).toBe(204);
    expect(dav().dav.shared.locks.locksCovering('c')).toEqual([]);
  });

  it('answers 409 lock-token-matches-request-uri for an unknown token or another resource', async () => {
    await dav().kit.vfs.writeFile('a', Buffer.from('x'));
    await dav().kit.vfs.writeFile('b', Buffer.from('x'));
    const coded = await lockToken('/a');
    const other = await unlock('/b', coded);
    expect(other.status).toBe(409);
    expect(child(parseXml(other.body), DAV_NS, 'lock-token-matches-request-uri')).toBeDefined();
    expect((await unlock('/a', '<urn:uuid:00000000-0000-0000-0000-000000000000>')).status).toBe(409);
    expect((await unlock('/a', coded)).status).toBe(204);
    expect((await unlock('/a', coded)).status).toBe(409);
  });

  it('answers 400 without a Lock-Token or with a malformed one', async () => {
    await dav().kit.vfs.writeFile('a', Buffer.from('x'));
    const coded = await lockToken('/a');
    expect((await unlock('/a')).status).toBe(400);
    expect((await unlock('/a', coded.slice(1, -1))).status).toBe(400);
    expect((await unlock('/a', `${coded} ${coded}`)).status).toBe(400);
    expect((await unlock('/a', coded)).status).toBe(204);
  });

  it('leaves a lock-null file in place', async () => {
    const coded = await lockToken('/ln.txt');
    expect((await unlock('/ln.txt', coded)).status).toBe(204);
    expect((await dav().kit.vfs.stat('ln.txt')).size).toBe(0);
  });
});

describe('UNLOCK owner checks', () => {
  const users = davPerTest({ users: [{ user: 'ann', pass: 'a' }, { user: 'bob', pass: 'b' }] });

  it('another user gets 403, the owner 204', async () => {
    await users().kit.vfs.writeFile('f', Buffer.from('x'));
    const r = await users().send('LOCK', '/f', { headers: { Authorization: basicAuth('ann', 'a') }, body: LOCKINFO });
    const coded = String(r.headers['lock-token']);
    expect((await users().send('UNLOCK', '/f', { headers: { Authorization: basicAuth('bob', 'b'), 'Lock-Token': coded } })).status).toBe(403);
    expect((await users().send('UNLOCK', '/f', { headers: { Authorization: basicAuth('ann', 'a'), 'Lock-Token': coded } })).status).toBe(204);
  });
});
