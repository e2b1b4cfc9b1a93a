import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../util/clock.ts';
import { Limiter } from './limits.ts';
import { start, type Started } from '../../test/support/emulator-http.ts';

describe('Limiter', () => {
  it('allows rps calls in any half-open 1 s window, bans on the next, and lifts the ban after banMs', async () => {
    const clock = new FakeClock();
    const l = new Limiter(clock);
    l.set({ rps: 2, banMs: 5000 });
    expect(l.check('k', { endpoint: 'file/ls.cgi' })).toBeUndefined();
    await clock.advance(500);
    expect(l.check('k', { endpoint: 'file/ls.cgi' })).toBeUndefined();
    await clock.advance(500);
    expect(l.check('k', { endpoint: 'file/ls.cgi' })).toBeUndefined();
    expect(l.check('k', { endpoint: 'file/ls.cgi' })?.httpStatus).toBe(403);
    expect(l.bans).toBe(1);
    await clock.advance(4999);
    expect(l.check('k', { endpoint: 'file/ls.cgi' })?.message).toMatch(/#374$/);
    await clock.advance(1);
    expect(l.check('k', { endpoint: 'file/ls.cgi' })).toBeUndefined();
  });

  it('limits folder/ls per folder and file/ls -1, and user/info with #38 without a ban', async () => {
    const clock = new FakeClock();
    const l = new Limiter(clock);
    l.set({ folderLsIntervalMs: 30_000, userInfoIntervalMs: 300_000, fileLsAllIntervalMs: 3_600_000, banMs: 1000 });
    expect(l.check('k', { endpoint: 'user/info.cgi' })).toBeUndefined();
    const ui = l.check('k', { endpoint: 'user/info.cgi' });
    expect(ui?.message).toMatch(/#38$/);
    expect(l.bans).toBe(0);
    expect(l.check('k', { endpoint: 'folder/ls.cgi', folderId: 1 })).toBeUndefined();
    expect(l.check('k', { endpoint: 'folder/ls.cgi', folderId: 2 })).toBeUndefined();
    expect(l.check('k', { endpoint: 'folder/ls.cgi', folderId: 1 })?.message).toMatch(/#374$/);
    expect(l.bans).toBe(1);
    await clock.advance(30_000);
    expect(l.check('k', { endpoint: 'folder/ls.cgi', folderId: 1 })).toBeUndefined();
    expect(l.check('k', { endpoint: 'file/ls.cgi', folderId: -1 })).toBeUndefined();
    expect(l.check('k', { endpoint: 'file/ls.cgi', folderId: 0 })).toBeUndefined();
    expect(l.check('k', { endpoint: 'file/ls.cgi', folderId: -1 })?.httpStatus).toBe(403);
  });

  it('manual bans answer #412 when asked', () => {
    const l = new Limiter(new FakeClock());
    l.ban('k', 1000, 412);
    expect(l.check('k', { endpoint: 'file/ls.cgi' })?.message).toMatch(/#412$/);
  });
});

describe('rate limits over HTTP', () => {
  let s: Started | undefined;
  afterEach(async () => {
    await s?.stop();
  });

  it('bans the key with 403 #374 on every endpoint until banMs has passed, counting bans and rejections', async () => {
    const clock = new FakeClock();
    s = await start({ clock, limits: { rps: 3, banMs: 30_000 } });
    for (let i = 0; i < 3; i++) expect((await s.api('file/ls.cgi', { folder_id: 0 })).status).toBe(200);
    const banned = await s.api<{ status: string; message: string }>('file/ls.cgi', { folder_id: 0 });
    expect(banned.status).toBe(403);
    expect(banned.json).toEqual({ status: 'KO', message: 'Flood detected: IP Locked #374' });
    await clock.advance(10_000);
    expect((await s.api('user/info.cgi')).status).toBe(403);
    await clock.advance(20_000);
    expect((await s.api('user/info.cgi')).status).toBe(200);
    const st = s.emu.stats();
    expect(st.bans).toBe(1);
    expect(st.rejected).toBe(2);
  });

  it('admin ban and limits endpoints take effect', async () => {
    const clock = new FakeClock();
    s = await start({ clock });
    expect((await s.admin('ban', { ms: 1000, code: 412 })).status).toBe(200);
    const r = await s.api<{ message: string }>('folder/ls.cgi', { folder_id: 0 });
    expect(r.status).toBe(403);
    expect(r.json.message).toMatch(/#412$/);
    await clock.advance(1000);
    expect((await s.admin<{ userInfoIntervalMs: number }>('limits', { userInfoIntervalMs: 60_000 })).json.userInfoIntervalMs).toBe(60_000);
    expect((await s.api('user/info.cgi')).status).toBe(200);
    const again = await s.api<{ message: string }>('user/info.cgi');
    expect(again.status).toBe(403);
    expect(again.json.message).toMatch(/#38$/);
    expect((await s.api('folder/ls.cgi', { folder_id: 0 })).status).toBe(200);
    expect((await s.admin('limits', { rps: -1 })).status).toBe(400);
  });
});
