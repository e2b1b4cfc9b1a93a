import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../util/clock.ts';
import type { EmulatorStats } from './index.ts';
import { KEY, start, type Started } from '../../test/support/emulator-http.ts';

/** The realistic profile's flood rules as a client meets them over HTTP (fake clock, time scale 1). */

let s: Started | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

const MIN = 60_000;

async function realistic(extra: Parameters<typeof start>[0] = {}): Promise<{ s: Started; clock: FakeClock }> {
  const clock = new FakeClock(1_700_000_000_000);
  s = await start({ clock, profile: 'realistic', limits: { banPlainTextRatio: 0 }, ...extra });
  return { s, clock };
}

/** The raw answer (status, content type, body text) of a /v1 call. */
async function raw(st: Started, path: string, body: unknown): Promise<{ status: number; type: string; text: string }> {
  const res = await fetch(`${st.url}/v1/${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

describe('realistic profile over HTTP', () => {
  it('is the default of createEmulator', async () => {
    const clock = new FakeClock();
    const { createEmulator } = await import('./index.ts');
    const emu = await createEmulator({ apiKey: KEY, clock });
    try {
      expect(emu.control.setProfile({})).toEqual({ profile: 'realistic', timeScale: 1 });
    } finally {
      await emu.close();
    }
  });

  it('listings 3 s apart pass; a listing sooner is 403 #374, bans every endpoint for 5 min, and shows in stats', async () => {
    const { s, clock } = await realistic();
    expect((await s.api('folder/ls.cgi', { folder_id: 0, files: 1 })).status).toBe(200);
    const { folder_id: a } = (await s.api<{ folder_id: number }>('folder/mkdir.cgi', { folder_id: 0, name: 'a' })).json;
    await clock.advance(3000);
    expect((await s.api('file/ls.cgi', { folder_id: a })).status).toBe(200);
    await clock.advance(2999);
    const refused = await s.api<{ status: string; message: string }>('folder/ls.cgi', { folder_id: a });
    expect(refused).toEqual({ status: 403, json: { status: 'KO', message: 'Flood detected: IP Locked #374' } });
    expect((await s.api('user/info.cgi')).status).toBe(403);
    expect((await s.api('folder/mkdir.cgi', { folder_id: 0, name: 'b' })).status).toBe(403);
    await clock.advance(5 * MIN);
    expect((await s.api('user/info.cgi')).status).toBe(200);
    expect(s.emu.stats()).toMatchObject({ bans: 1, banLevel: 1, bannedUntil: null, refusedByRule: { listInterval: 1, ban: 2 } });
  });

  it('the same folder twice within 30 s bans even 3 s apart; after 30 s it is fine', async () => {
    const { s, clock } = await realistic();
    expect((await s.api('folder/ls.cgi', { folder_id: 0 })).status).toBe(200);
    await clock.advance(29_999);
    expect((await s.api('file/ls.cgi', { folder_id: 0 })).status).toBe(403);
    expect(s.emu.stats().refusedByRule).toEqual({ listFolderInterval: 1 });
    await s.stop();

    const again = await realistic();
    await again.s.api('folder/ls.cgi', { folder_id: 0 });
    await again.clock.advance(30_000);
    expect((await again.s.api('file/ls.cgi', { folder_id: 0 })).status).toBe(200);
  });

  it('user/info twice within 5 min: 403 #38, no ban, listings and downloads keep working', async () => {
    const { s, clock } = await realistic();
    await s.admin('config', { newFileListDelayMs: 0, downloadRedirectRatio: 0 });
    const [link] = await s.upload([{ name: 'x.txt', data: 'bytes' }]);
    expect((await s.api('user/info.cgi')).status).toBe(200);
    await clock.advance(5 * MIN - 1);
    const again = await s.api<{ message: string }>('user/info.cgi');
    expect(again.status).toBe(403);
    expect(again.json.message).toBe('Flood detected: IP Locked #38');
    expect((await s.api('folder/ls.cgi', { folder_id: 0 })).status).toBe(200);
    expect(Buffer.from(await (await s.download(link!.download)).arrayBuffer()).toString()).toBe('bytes');
    expect(s.emu.stats()).toMatchObject({ bans: 0, refusedByRule: { userInfoInterval: 1 } });
    await clock.advance(1);
    expect((await s.api('user/info.cgi')).status).toBe(200);
  });

  it('a second ban soon after the first lasts 1 h and says a bare "IP Locked"', async () => {
    const { s, clock } = await realistic();
    await s.api('folder/ls.cgi', { folder_id: 0 });
    await s.api('folder/ls.cgi', { folder_id: 0 });
    await clock.advance(5 * MIN + 30_000);
    await s.api('folder/ls.cgi', { folder_id: 0 });
    const second = await s.api<{ message: string }>('folder/ls.cgi', { folder_id: 0 });
    expect(second.json.message).toBe('IP Locked');
    expect(s.emu.stats()).toMatchObject({ bans: 2, banLevel: 2, bannedUntil: clock.now() + 60 * MIN });
    await clock.advance(60 * MIN - 1);
    expect((await s.api('user/info.cgi')).status).toBe(403);
    await clock.advance(1);
    expect((await s.api('user/info.cgi')).status).toBe(200);
  });

  it('ban answers are sometimes plain text, the same ones for the same seed', async () => {
    const kinds = async (seed: number): Promise<string[]> => {
      const st = await start({ clock: new FakeClock(), profile: 'realistic', seed });
      try {
        await raw(st, 'folder/ls.cgi', { folder_id: 0 });
        const out: string[] = [];
        for (let i = 0; i < 16; i++) {
          const r = await raw(st, 'folder/ls.cgi', { folder_id: 0 });
          expect(r.status).toBe(403);
          if (r.type.startsWith('text/plain')) {
            expect(r.text).toBe('Flood detected: IP Locked #374');
            out.push('text');
          } else {
            expect(JSON.parse(r.text)).toEqual({ status: 'KO', message: 'Flood detected: IP Locked #374' });
            out.push('json');
          }
        }
        return out;
      } finally {
        await st.stop();
      }
    };
    const first = await kinds(3);
    expect(await kinds(3)).toEqual(first);
    expect(first).toContain('text');
    expect(first).toContain('json');
  });

  it('repeated 404s ban only when the switch is on', async () => {
    const { s } = await realistic();
    const missing = { url: 'https://1fichier.com/?zzzzzzzzzzzzzzzzzzzz' };
    for (let i = 0; i < 12; i++) expect((await s.api('file/info.cgi', missing)).status).toBe(404);
    expect(s.emu.stats().bans).toBe(0);
    await s.admin('limits', { errorBan: true, errorBanCount: 5 });
    for (let i = 0; i < 5; i++) expect((await s.api('file/info.cgi', missing)).status).toBe(404);
    expect((await s.api('file/info.cgi', missing)).status).toBe(403);
    expect(s.emu.stats()).toMatchObject({ bans: 1, refusedByRule: { ban: 1 } });
  });

  it('a time scale shrinks the rules: 0.01 => listings 30 ms apart, the same folder 300 ms, bans 3 s', async () => {
    const { s, clock } = await realistic({ timeScale: 0.01 });
    await s.api('folder/ls.cgi', { folder_id: 0 });
    await clock.advance(300);
    expect((await s.api('folder/ls.cgi', { folder_id: 0 })).status).toBe(200);
    await clock.advance(29);
    expect((await s.api('file/ls.cgi', { folder_id: -1 })).status).toBe(403);
    expect(s.emu.stats().bannedUntil).toBe(clock.now() + 3000);
    const stats = (await s.admin<EmulatorStats>('stats')).json;
    expect(stats.refusedByRule).toEqual({ listInterval: 1 });
  });
});
