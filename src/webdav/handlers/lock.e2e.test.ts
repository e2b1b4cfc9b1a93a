import { describe, expect, it } from 'vitest';
import { parseXml, child, DAV_NS } from '../xml.ts';
import type { XmlElement } from '../xml.ts';
import { basicAuth, davPerTest, type Reply } from '../../../test/support/dav-kit.ts';

const dav = davPerTest();

const lockinfo = (scope: 'exclusive' | 'shared', owner = '<D:href>http://example.org/me</D:href>'): string =>
  `<?xml version="1.0" encoding="utf-8"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:${scope}/></D:lockscope>` +
  `<D:locktype><D:write/></D:locktype><D:owner>${owner}</D:owner></D:lockinfo>`;

const lock = (path: string, scope: 'exclusive' | 'shared' = 'exclusive', headers: Record<string, string> = {}): Promise<Reply> =>
  dav().send('LOCK', path, { headers: { 'Content-Type': 'application/xml', ...headers }, body: lockinfo(scope) });

const tokenOf = (r: Reply): string => /^<(urn:uuid:[0-9a-f-]{36})>$/.exec(String(r.headers['lock-token']))?.[1] ?? '';

/** The DAV:activelock of a LOCK reply body. */
function activeLock(r: Reply): XmlElement {
  const prop = parseXml(r.body);
  expect(prop.ns).toBe(DAV_NS);
  expect(prop.name).toBe('prop');
  const al = child(child(prop, DAV_NS, 'lockdiscovery')!, DAV_NS, 'activelock');
  expect(al).toBeDefined();
  return al!;
}

describe('LOCK', () => {
  it('locks an existing file exclusively: 200, Lock-Token, lockdiscovery in seconds', async () => {
    await dav().kit.vfs.writeFile('doc.txt', Buffer.from('hello'));
    const r = await lock('/doc.txt', 'exclusive', { Timeout: 'Second-120' });
    expect(r.status).toBe(200);
    expect(String(r.headers['content-type'])).toMatch(/^application\/xml/);
    const token = tokenOf(r);
    expect(token).not.toBe('');
    const al = activeLock(r);
    expect(child(child(al, DAV_NS, 'lockscope')!, DAV_NS, 'exclusive')).toBeDefined();
    expect(child(child(al, DAV_NS, 'locktype')!, DAV_NS, 'write')).toBeDefined();
    expect(child(al, DAV_NS, 'depth')?.text).toBe('infinity');
    expect(child(al, DAV_NS, 'timeout')?.text).toBe('Second-120');
    expect(child(child(al, DAV_NS, 'locktoken')!, DAV_NS, 'href')?.text).toBe(token);
    expect(child(child(al, DAV_NS, 'lockroot')!, DAV_NS, 'href')?.text).toBe('/doc.txt');
    expect(child(child(al, DAV_NS, 'owner')!, DAV_NS, 'href')?.text).toBe('http://example.org/me');
  });

  it('caps Infinite and honours Depth 0', async () => {
    await dav().kit.vfs.mkdir('dir');
    const r = await lock('/dir/', 'exclusive', { Timeout: 'Infinite', Depth: '0' });
    expect(r.status).toBe(200);
    const al = activeLock(r);
    expect(child(al, DAV_NS, 'depth')?.text).toBe('0');
    expect(child(al, DAV_NS, 'timeout')?.text).toBe('Second-3600');
    expect(child(child(al, DAV_NS, 'lockroot')!, DAV_NS, 'href')?.text).toBe('/dir/');
  });

  it('refuses a second exclusive lock with 423 naming the lock root', async () => {
    await dav().kit.vfs.writeFile('a.txt', Buffer.from('x'));
    expect((await lock('/a.txt')).status).toBe(200);
    const r = await lock('/a.txt');
    expect(r.status).toBe(423);
    const err = parseXml(r.body);
    expect(child(child(err, DAV_NS, 'no-conflicting-lock')!, DAV_NS, 'href')?.text).toBe('/a.txt');
  });

  it('refuses an exclusive lock on a file inside a depth-infinity locked collection', async () => {
    await dav().kit.vfs.mkdir('c');
    await dav().kit.vfs.writeFile('c/f', Buffer.from('x'));
    expect((await lock('/c/')).status).toBe(200);
    const r = await lock('/c/f');
    expect(r.status).toBe(423);
    expect(child(child(parseXml(r.body), DAV_NS, 'no-conflicting-lock')!, DAV_NS, 'href')?.text).toBe('/c/');
  });

  it('grants shared locks side by side, and refuses an exclusive one then', async () => {
    await dav().kit.vfs.writeFile('s.txt', Buffer.from('x'));
    const a = await lock('/s.txt', 'shared');
    const b = await lock('/s.txt', 'shared');
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(tokenOf(a)).not.toBe(tokenOf(b));
    expect((await lock('/s.txt', 'exclusive')).status).toBe(423);
  });

  it('refreshes with an empty body and an If header: 200, new timeout, no Lock-Token', async () => {
    await dav().kit.vfs.writeFile('r.txt', Buffer.from('x'));
    const token = tokenOf(await lock('/r.txt', 'exclusive', { Timeout: 'Second-100' }));
    dav().kit.clock.advance(90_000);
    const r = await dav().send('LOCK', '/r.txt', { headers: { If: `(<${token}>)`, Timeout: 'Second-500' } });
    expect(r.status).toBe(200);
    expect(r.headers['lock-token']).toBeUndefined();
    const al = activeLock(r);
    expect(child(al, DAV_NS, 'timeout')?.text).toBe('Second-500');
    expect(child(child(al, DAV_NS, 'locktoken')!, DAV_NS, 'href')?.text).toBe(token);
  });

  it('refreshes through a member of a locked collection (tagged If)', async () => {
    await dav().kit.vfs.mkdir('col');
    await dav().kit.vfs.writeFile('col/m', Buffer.from('x'));
    const token = tokenOf(await lock('/col/'));
    const r = await dav().send('LOCK', '/col/m', { headers: { If: `<${dav().url}col/> (<${token}>)` } });
    expect(r.status).toBe(200);
    expect(child(child(activeLock(r), DAV_NS, 'lockroot')!, DAV_NS, 'href')?.text).toBe('/col/');
  });

  it('answers 412 to a refresh with an unknown token, 400 to one without If', async () => {
    await dav().kit.vfs.writeFile('u.txt', Buffer.from('x'));
    await lock('/u.txt');
    expect((await dav().send('LOCK', '/u.txt', { headers: { If: '(<urn:uuid:00000000-0000-0000-0000-000000000000>)' } })).status).toBe(412);
    expect((await dav().send('LOCK', '/u.txt')).status).toBe(400);
  });

  it('refuses a malformed lockinfo (400), an unknown lock type (422) and Depth 1 (400)', async () => {
    await dav().kit.vfs.writeFile('b.txt', Buffer.from('x'));
    expect((await dav().send('LOCK', '/b.txt', { body: '<D:lockinfo xmlns:D="DAV:"><D:lockscope>' })).status).toBe(400);
    expect((await dav().send('LOCK', '/b.txt', { body: '<D:propfind xmlns:D="DAV:"/>' })).status).toBe(400);
    const noScope = '<D:lockinfo xmlns:D="DAV:"><D:locktype><D:write/></D:locktype></D:lockinfo>';
    expect((await dav().send('LOCK', '/b.txt', { body: noScope })).status).toBe(400);
    const badType = '<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><X:read xmlns:X="urn:x"/></D:locktype></D:lockinfo>';
    expect((await dav().send('LOCK', '/b.txt', { body: badType })).status).toBe(422);
    expect((await lock('/b.txt', 'exclusive', { Depth: '1' })).status).toBe(400);
    expect((await lock('/b.txt')).status).toBe(200);
  });

  it('keeps the owner XML with its namespaces', async () => {
    await dav().kit.vfs.writeFile('o.txt', Buffer.from('x'));
    const body = '<lockinfo xmlns="DAV:"><lockscope><shared/></lockscope><locktype><write/></locktype>' +
      '<owner><x:name xmlns:x="urn:people">Ana &amp; Bo</x:name></owner></lockinfo>';
    const r = await dav().send('LOCK', '/o.txt', { body });
    expect(r.status).toBe(200);
    const owner = child(activeLock(r), DAV_NS, 'owner')!;
    expect(child(owner, 'urn:people', 'name')?.text).toBe('Ana & Bo');
  });

  it('lock-null: an unmapped URL becomes a local 0-byte file (201), never an upload', async () => {
    dav().kit.remote.reset();
    const r = await lock('/new.txt');
    expect(r.status).toBe(201);
    expect(tokenOf(r)).not.toBe('');
    const entry = await dav().kit.vfs.stat('new.txt');
    expect(entry.size).toBe(0);
    expect(entry.kind).toBe('file');
    expect((await dav().kit.vfs.readdir('')).map((e) => e.name)).toContain('new.txt');
    expect(dav().kit.remote.calls.put ?? 0).toBe(0);
  });

  it('lock-null under a missing parent is 409 and leaves no lock behind', async () => {
    expect((await lock('/nope/new.txt')).status).toBe(409);
    expect(dav().dav.shared.locks.locksCovering('nope/new.txt')).toEqual([]);
  });

  it('lock-null inside a collection locked by someone else is 423', async () => {
    await dav().kit.vfs.mkdir('held');
    await lock('/held/', 'exclusive', { Depth: '0' });
    expect((await lock('/held/new.txt')).status).toBe(423);
    await expect(dav().kit.vfs.stat('held/new.txt')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a PUT without the token is 423, with it 2xx', async () => {
    await dav().kit.vfs.writeFile('p.txt', Buffer.from('old'));
    const token = tokenOf(await lock('/p.txt'));
    expect((await dav().send('PUT', '/p.txt', { body: 'new' })).status).toBe(423);
    const ok = await dav().send('PUT', '/p.txt', { body: 'new', headers: { If: `(<${token}>)` } });
    expect(ok.status).toBe(204);
  });

  it('evaluates the If header of a new LOCK (412 when false)', async () => {
    await dav().kit.vfs.writeFile('i.txt', Buffer.from('x'));
    expect((await lock('/i.txt', 'exclusive', { If: '(["nope"])' })).status).toBe(412);
  });
});

describe('LOCK owner checks', () => {
  const users = davPerTest({ users: [{ user: 'ann', pass: 'a' }, { user: 'bob', pass: 'b' }] });

  it('another user cannot refresh with the token (412)', async () => {
    await users().kit.vfs.writeFile('f', Buffer.from('x'));
    const r = await users().send('LOCK', '/f', { headers: { Authorization: basicAuth('ann', 'a') }, body: lockinfo('exclusive') });
    expect(r.status).toBe(200);
    const token = tokenOf(r);
    const refresh = await users().send('LOCK', '/f', { headers: { Authorization: basicAuth('bob', 'b'), If: `(<${token}>)` } });
    expect(refresh.status).toBe(412);
    const own = await users().send('LOCK', '/f', { headers: { Authorization: basicAuth('ann', 'a'), If: `(<${token}>)` } });
    expect(own.status).toBe(200);
  });
});
