import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../util/clock.ts';
import type { CallRecord, EmulatorStats } from './index.ts';
import { start, type Started } from '../../test/support/emulator-http.ts';

let s: Started | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

describe('admin endpoints', () => {
  it('health, stats (API total only), calls since, reset', async () => {
    const clock = new FakeClock(1_000_000);
    s = await start({ clock });
    expect((await s.admin('health')).json).toEqual({ ok: true });
    await s.api('folder/ls.cgi', { folder_id: 0 });
    await clock.advance(500);
    await s.api('file/ls.cgi', { folder_id: 0 });
    await s.api('file/ls.cgi', { folder_id: 0 }, { key: 'wrong' });
    await s.upload([{ name: 'x', data: 'abc' }]);
    const st = (await s.admin<EmulatorStats>('stats')).json;
    expect(st.total).toBe(4);
    expect(st.calls).toMatchObject({ '/v1/folder/ls.cgi': 1, '/v1/file/ls.cgi': 2, '/upload.cgi': 1, '/end.pl': 1 });
    const since = (await s.admin<CallRecord[]>(`calls?since=${1_000_500}`)).json;
    expect(since[0]).toEqual({ t: 1_000_500, path: '/v1/file/ls.cgi', status: 200, folder: 0 });
    expect(since[1]!.status).toBe(401);
    expect(since).toHaveLength(5);
    expect((await s.admin('stats/reset', {})).status).toBe(200);
    expect((await s.admin<EmulatorStats>('stats')).json).toMatchObject({ total: 0, calls: {}, bytesIn: 0 });
  });

  it('config changes token TTL and list limit at runtime; bad input => 400; unknown => 404', async () => {
    s = await start();
    const cfg = await s.admin<{ tokenTtlMs: number; listLimit: number }>('config', { tokenTtlMs: 1234, listLimit: 7 });
    expect(cfg.json).toMatchObject({ tokenTtlMs: 1234, listLimit: 7 });
    expect((await s.admin('config', { listLimit: 0 })).status).toBe(400);
    expect((await s.admin('nothing')).status).toBe(404);
    const f = await s.admin<{ failNext: unknown[] }>('faults', { failNext: [{ count: 2, status: 500 }] });
    expect(f.json.failNext).toHaveLength(1);
    expect((await s.api('user/info.cgi')).status).toBe(500);
    await s.admin('faults/clear', {});
    expect((await s.api('user/info.cgi')).status).toBe(200);
  });

  it('profile: read, switch both ways and rescale; the switch sets limits and behaviour but keeps token TTL', async () => {
    s = await start({ tokenTtlMs: 4321 });
    expect((await s.admin('profile')).json).toEqual({ profile: 'lenient', timeScale: 1 });
    expect((await s.admin('profile', { profile: 'realistic', timeScale: 0.5 })).json).toEqual({ profile: 'realistic', timeScale: 0.5 });
    expect((await s.admin<{ listIntervalMs: number; banMs: number }>('limits')).json).toMatchObject({ listIntervalMs: 1500, banMs: 150_000 });
    expect((await s.admin('config')).json).toMatchObject({ tokenTtlMs: 4321, fileLsLimit: 5000, duplicateFolders: 'allow', newFileListDelayMs: 1500 });
    expect((await s.admin('profile', { timeScale: 2 })).json).toEqual({ profile: 'realistic', timeScale: 2 });
    expect((await s.admin<{ listIntervalMs: number }>('limits')).json.listIntervalMs).toBe(6000);
    await s.admin('profile', { profile: 'lenient' });
    expect((await s.admin('limits')).json).toMatchObject({ listIntervalMs: 0, listFolderIntervalMs: 0, userInfoIntervalMs: 0 });
    expect((await s.admin('config')).json).toMatchObject({ fileLsLimit: 0, duplicateFolders: 'refuse', newFileListDelayMs: 0 });
    for (const bad of [{ profile: 'strict' }, { timeScale: 0 }, { timeScale: -1 }, { timeScale: '1' }, { scale: 1 }]) {
      expect((await s.admin('profile', bad)).status, JSON.stringify(bad)).toBe(400);
    }
  });

  it('limits and config refuse unknown keys and out-of-range values instead of ignoring them', async () => {
    s = await start();
    for (const bad of [{ folderLsIntervalMs: 1 }, { banPlainTextRatio: 1.5 }, { errorBan: 1 }, { rpsWindowMs: 0 }]) {
      expect((await s.admin('limits', bad)).status, JSON.stringify(bad)).toBe(400);
    }
    for (const bad of [{ listKeep: 'middle' }, { duplicateFolders: 'maybe' }, { downloadErrorsAsHtml: 'yes' }, { endPlNoLinksRatio: 2 }, { nope: 1 }]) {
      expect((await s.admin('config', bad)).status, JSON.stringify(bad)).toBe(400);
    }
    expect((await s.admin('limits', { errorBan: true, errorBanCount: 3 })).json).toMatchObject({ errorBan: true, errorBanCount: 3 });
    expect((await s.admin('config', { listKeep: 'newest', folderMvRename: 'rename-only' })).json).toMatchObject({ listKeep: 'newest', folderMvRename: 'rename-only' });
  });

  it('stats show bans, the ban level, the ban end and refusals by rule; limits/reset clears the ban', async () => {
    const clock = new FakeClock(5_000_000);
    s = await start({ clock, profile: 'realistic', limits: { banPlainTextRatio: 0 } });
    await s.api('folder/ls.cgi', { folder_id: 0 });
    expect((await s.api('folder/ls.cgi', { folder_id: 0, files: 1 })).status).toBe(403);
    await s.api('file/info.cgi', { url: 'https://1fichier.com/?aaaaaaaaaa' });
    const st = (await s.admin<EmulatorStats>('stats')).json;
    expect(st).toMatchObject({ bans: 1, banLevel: 1, bannedUntil: 5_000_000 + 300_000, rejected: 2, refusedByRule: { listInterval: 1, ban: 1 } });
    const calls = (await s.admin<CallRecord[]>('calls')).json;
    expect(calls.map((c) => [c.path, c.status, c.rule, c.folder])).toEqual([
      ['/v1/folder/ls.cgi', 200, undefined, 0],
      ['/v1/folder/ls.cgi', 403, 'listInterval', 0],
      ['/v1/file/info.cgi', 403, 'ban', undefined],
    ]);
    await s.admin('stats/reset', {});
    expect((await s.admin<EmulatorStats>('stats')).json).toMatchObject({ bans: 0, banLevel: 1, rejected: 0, refusedByRule: {} });
    await s.admin('limits/reset', {});
    expect((await s.admin<EmulatorStats>('stats')).json).toMatchObject({ banLevel: 0, bannedUntil: null });
    expect((await s.api('user/info.cgi')).status).toBe(200);
  });

  it('seed/files adds listed files with spread dates; bad input => 400, unknown folder => 404', async () => {
    const clock = new FakeClock(10_000_000);
    s = await start({ clock });
    const r = await s.admin<{ count: number; firstDate: number; lastDate: number }>('seed/files', { folderId: 0, count: 3, spacingMs: 2000, prefix: 'p-' });
    expect(r.json).toEqual({ folderId: 0, count: 3, firstDate: 10_000_000 - 4000, lastDate: 10_000_000 });
    const ls = await s.api<{ items: { filename: string }[] }>('file/ls.cgi', { folder_id: 0 });
    expect(ls.json.items.map((i) => i.filename)).toEqual(['p-000000.txt', 'p-000001.txt', 'p-000002.txt']);
    expect((await s.admin('seed/files', { folderId: 0 })).status).toBe(400);
    expect((await s.admin('seed/files', { folderId: 0, count: 1, extra: 1 })).status).toBe(400);
    expect((await s.admin('seed/files', { folderId: 424242, count: 1 })).status).toBe(404);
  });
});
