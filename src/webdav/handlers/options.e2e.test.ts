import { describe, expect, it } from 'vitest';
import { allowedMethods } from './options.ts';
import { davPerTest } from '../../../test/support/dav-kit.ts';

const dav = davPerTest({ users: [{ user: 'u', pass: 'p' }] });

const allowOf = (v: unknown) => String(v).split(/,\s*/);

describe('OPTIONS', () => {
  it('answers 200 without credentials: DAV 1, 2, MS-Author-Via, Allow, empty body', async () => {
    const res = await dav().send('OPTIONS', '/');
    expect(res.status).toBe(200);
    expect(res.headers['dav']).toBe('1, 2');
    expect(res.headers['ms-author-via']).toBe('DAV');
    expect(res.headers['content-length']).toBe('0');
    expect(res.body.length).toBe(0);
    const allow = allowOf(res.headers['allow']);
    expect(allow).toEqual(expect.arrayContaining(['OPTIONS', 'GET', 'PROPFIND', 'LOCK', 'UNLOCK', 'DELETE']));
    expect(allow).not.toContain('PUT');
  });

  it('does not reveal whether a path exists to an anonymous client, and makes no remote call', async () => {
    await dav().kit.vfs.writeFile('secret.txt', Buffer.from('s'));
    dav().kit.remote.reset();
    const there = await dav().send('OPTIONS', '/secret.txt');
    const missing = await dav().send('OPTIONS', '/nothing-here');
    expect(there.status).toBe(200);
    expect(there.headers['allow']).toBe(missing.headers['allow']);
    expect(dav().kit.remote.total()).toBe(0);
  });
});

describe('allowedMethods', () => {
  it('depends on the target kind', () => {
    expect(allowedMethods('file', false)).toContain('PUT');
    expect(allowedMethods('file', false)).not.toContain('MKCOL');
    expect(allowedMethods('dir', false)).not.toContain('PUT');
    expect(allowedMethods('missing', false)).toEqual(expect.arrayContaining(['PUT', 'MKCOL', 'LOCK']));
    expect(allowedMethods('missing', false)).not.toContain('GET');
  });

  it('lists no write method on a read-only server', () => {
    expect(allowedMethods('file', true)).toEqual(['OPTIONS', 'GET', 'HEAD', 'PROPFIND']);
  });
});
