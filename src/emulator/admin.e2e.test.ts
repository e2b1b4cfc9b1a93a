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
    expect(since[0]).toEqual({ t: 1_000_500, path: '/v1/file/ls.cgi', status: 200 });
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
});
