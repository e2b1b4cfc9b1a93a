import { describe, expect, it } from 'vitest';
import { FakeClock } from '../util/clock.ts';
import { Chance } from './chance.ts';
import { Limiter, NO_LIMITS, type RateLimits } from './limits.ts';
import { profileValues } from './profile.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const ls = (folderId?: number) => ({ endpoint: 'folder/ls.cgi', ...(folderId === undefined ? {} : { folderId }) });
const fls = (folderId: number) => ({ endpoint: 'file/ls.cgi', folderId });

function limiter(limits: Partial<RateLimits> = profileValues('realistic').limits, plainText?: (r: number) => boolean) {
  const clock = new FakeClock();
  const l = new Limiter(clock, plainText);
  l.set(limits);
  return { clock, l };
}

describe('Limiter: listing rules (realistic values)', () => {
  it('listings of different folders: allowed 3000 ms apart, the one at 2999 ms bans', async () => {
    const { clock, l } = limiter();
    expect(l.check('k', ls(1))).toBeUndefined();
    await clock.advance(3000);
    expect(l.check('k', fls(2))).toBeUndefined();
    await clock.advance(2999);
    const r = l.check('k', ls(3));
    expect(r?.rule).toBe('listInterval');
    expect(r?.error.httpStatus).toBe(403);
    expect(r?.error.message).toBe('Flood detected: IP Locked #374');
    expect(l.bans).toBe(1);
  });

  it('the same folder: allowed 30 000 ms apart, at 29 999 ms it bans; folder/ls and file/ls count together; root when absent', async () => {
    const { clock, l } = limiter();
    expect(l.check('k', ls())).toBeUndefined();
    await clock.advance(30_000);
    expect(l.check('k', fls(0))).toBeUndefined();
    await clock.advance(29_999);
    expect(l.check('k', ls(0))?.rule).toBe('listFolderInterval');
  });

  it('non-listing calls are not counted by the listing rules', async () => {
    const { clock, l } = limiter();
    expect(l.check('k', ls(1))).toBeUndefined();
    for (let i = 0; i < 5; i++) expect(l.check('k', { endpoint: 'file/info.cgi' })).toBeUndefined();
    await clock.advance(3000);
    expect(l.check('k', ls(2))).toBeUndefined();
  });

  it('file/ls of every file (-1): once per hour', async () => {
    const { clock, l } = limiter({ ...NO_LIMITS, fileLsAllIntervalMs: HOUR });
    expect(l.check('k', fls(-1))).toBeUndefined();
    await clock.advance(HOUR - 1);
    expect(l.check('k', fls(-1))?.rule).toBe('fileLsAllInterval');
    const { clock: c2, l: l2 } = limiter({ ...NO_LIMITS, fileLsAllIntervalMs: HOUR });
    l2.check('k', fls(-1));
    await c2.advance(HOUR);
    expect(l2.check('k', fls(-1))).toBeUndefined();
  });

  it('user/info: allowed 5 min apart; sooner => 403 #38 without a ban, other endpoints keep working', async () => {
    const { clock, l } = limiter();
    expect(l.check('k', { endpoint: 'user/info.cgi' })).toBeUndefined();
    await clock.advance(5 * MIN - 1);
    const r = l.check('k', { endpoint: 'user/info.cgi' });
    expect(r?.rule).toBe('userInfoInterval');
    expect(r?.error.message).toBe('Flood detected: IP Locked #38');
    expect(l.bans).toBe(0);
    expect(l.check('k', ls(1))).toBeUndefined();
    await clock.advance(1);
    expect(l.check('k', { endpoint: 'user/info.cgi' })).toBeUndefined();
  });

  it('a refused call does not move the rule clocks', async () => {
    const { clock, l } = limiter({ ...NO_LIMITS, userInfoIntervalMs: 1000 });
    l.check('k', { endpoint: 'user/info.cgi' });
    await clock.advance(999);
    expect(l.check('k', { endpoint: 'user/info.cgi' })).toBeDefined();
    await clock.advance(1);
    expect(l.check('k', { endpoint: 'user/info.cgi' })).toBeUndefined();
  });

  it('keys are independent', () => {
    const { l } = limiter();
    expect(l.check('a', ls(1))).toBeUndefined();
    expect(l.check('b', ls(1))).toBeUndefined();
  });
});

describe('Limiter: bans', () => {
  it('first ban lasts 5 min (#374) and refuses every endpoint; the call at its end is allowed', async () => {
    const { clock, l } = limiter();
    l.check('k', ls(1));
    expect(l.check('k', ls(1))?.rule).toBe('listInterval');
    expect(l.view('k')).toMatchObject({ banLevel: 1, bannedUntil: clock.now() + 5 * MIN });
    await clock.advance(5 * MIN - 1);
    const during = l.check('k', { endpoint: 'file/info.cgi' });
    expect(during?.rule).toBe('ban');
    expect(during?.error.message).toBe('Flood detected: IP Locked #374');
    await clock.advance(1);
    expect(l.check('k', { endpoint: 'file/info.cgi' })).toBeUndefined();
    expect(l.view('k').bannedUntil).toBeNull();
    expect(l.bans).toBe(1);
  });

  it('escalates: a second ban before the level decays lasts 1 h with a bare "IP Locked"', async () => {
    const { clock, l } = limiter();
    l.check('k', ls(1));
    l.check('k', ls(1));
    await clock.advance(5 * MIN + 10_000);
    l.check('k', ls(2));
    const second = l.check('k', ls(3));
    expect(second?.error.message).toBe('IP Locked');
    expect(second?.error.httpStatus).toBe(403);
    expect(l.view('k')).toMatchObject({ banLevel: 2, bannedUntil: clock.now() + HOUR });
    await clock.advance(HOUR - 1);
    expect(l.check('k', ls(4))?.error.message).toBe('IP Locked');
    await clock.advance(1);
    expect(l.check('k', ls(4))).toBeUndefined();
  });

  it('decays one level per clean hour after a ban ends: a ban just inside the hour escalates, one just outside does not', async () => {
    const first = limiter();
    first.l.check('k', ls(1));
    first.l.check('k', ls(1));
    await first.clock.advance(5 * MIN + HOUR - 1);
    expect(first.l.view('k').banLevel).toBe(1);
    first.l.check('k', ls(2));
    expect(first.l.check('k', ls(2))?.error.message).toBe('IP Locked');

    const second = limiter();
    second.l.check('k', ls(1));
    second.l.check('k', ls(1));
    await second.clock.advance(5 * MIN + HOUR);
    expect(second.l.view('k').banLevel).toBe(0);
    second.l.check('k', ls(2));
    expect(second.l.check('k', ls(2))?.error.message).toBe('Flood detected: IP Locked #374');
    expect(second.l.view('k').banLevel).toBe(1);
  });

  it('level 2 decays to 1 after an hour and to 0 after two', async () => {
    const { clock, l } = limiter();
    l.check('k', ls(1));
    l.check('k', ls(1));
    await clock.advance(5 * MIN);
    l.check('k', ls(2));
    l.check('k', ls(2));
    expect(l.view('k').banLevel).toBe(2);
    await clock.advance(HOUR + HOUR);
    expect(l.view('k').banLevel).toBe(1);
    await clock.advance(HOUR);
    expect(l.view('k').banLevel).toBe(0);
  });

  it('without escalation (lenient) every ban lasts banMs with #374', async () => {
    const { clock, l } = limiter({ ...NO_LIMITS, listFolderIntervalMs: 1000, banMs: 2000 });
    for (let i = 0; i < 3; i++) {
      l.check('k', ls(1));
      const r = l.check('k', ls(1));
      expect(r?.error.message).toBe('Flood detected: IP Locked #374');
      expect(l.view('k').bannedUntil).toBe(clock.now() + 2000);
      await clock.advance(2000);
    }
    expect(l.bans).toBe(3);
  });

  it('ban answers are plain text as the draw says: always at ratio 1, never at 0, reproducibly in between', async () => {
    const always = limiter({ ...profileValues('realistic').limits, banPlainTextRatio: 1 }, (r) => new Chance(1).roll('banText', r));
    always.l.check('k', ls(1));
    expect(always.l.check('k', ls(1))?.error.plainText).toBe(true);
    const never = limiter({ ...profileValues('realistic').limits, banPlainTextRatio: 0 }, (r) => new Chance(1).roll('banText', r));
    never.l.check('k', ls(1));
    expect(never.l.check('k', ls(1))?.error.plainText).toBe(false);

    const run = (seed: number): boolean[] => {
      const chance = new Chance(seed);
      const { l } = limiter(profileValues('realistic').limits, (r) => chance.roll('banText', r));
      l.check('k', ls(1));
      return Array.from({ length: 40 }, () => l.check('k', ls(1))!.error.plainText);
    };
    const a = run(7);
    expect(run(7)).toEqual(a);
    expect(a.filter(Boolean).length).toBeGreaterThan(0);
    expect(a.filter((x) => !x).length).toBeGreaterThan(a.length / 2);
  });

  it('manual bans answer #412 when asked and leave the level alone', () => {
    const { l } = limiter();
    l.ban('k', 1000, 412);
    expect(l.check('k', { endpoint: 'file/ls.cgi' })?.error.message).toBe('Flood detected: User Locked #412');
    expect(l.view('k').banLevel).toBe(0);
  });

  it('reset forgets bans, levels and rule history', () => {
    const { l } = limiter();
    l.check('k', ls(1));
    l.check('k', ls(1));
    l.reset();
    expect(l.view('k')).toMatchObject({ banLevel: 0, bannedUntil: null });
    expect(l.check('k', ls(1))).toBeUndefined();
  });
});

describe('Limiter: repeated error answers (switch)', () => {
  it('off (the default of both profiles): any number of 404s bans nothing', () => {
    const { l } = limiter();
    for (let i = 0; i < 50; i++) l.noteAnswer('k', 404);
    expect(l.bans).toBe(0);
  });

  it('on: the 10th of 401/403/404/410 within 60 s bans; spread wider, they do not; 200 and 500 never count', async () => {
    const on = { ...profileValues('realistic').limits, errorBan: true, errorBanCount: 10, errorBanWindowMs: 60_000 };
    const { l } = limiter(on);
    for (const s of [200, 500, 401, 403, 404, 410, 404, 404, 404, 404, 404]) l.noteAnswer('k', s);
    expect(l.bans).toBe(0);
    l.noteAnswer('k', 404);
    expect(l.bans).toBe(1);
    expect(l.check('k', { endpoint: 'file/info.cgi' })?.rule).toBe('ban');

    const spread = limiter(on);
    for (let i = 0; i < 20; i++) {
      spread.l.noteAnswer('k', 404);
      await spread.clock.advance(6667);
    }
    expect(spread.l.bans).toBe(0);
  });
});

describe('Limiter: calls per window', () => {
  it('allows rps calls in any half-open window, bans on the next, and lifts the ban after banMs', async () => {
    const { clock, l } = limiter({ ...NO_LIMITS, rps: 2, banMs: 5000 });
    expect(l.check('k', { endpoint: 'file/info.cgi' })).toBeUndefined();
    await clock.advance(500);
    expect(l.check('k', { endpoint: 'file/info.cgi' })).toBeUndefined();
    await clock.advance(500);
    expect(l.check('k', { endpoint: 'file/info.cgi' })).toBeUndefined();
    expect(l.check('k', { endpoint: 'file/info.cgi' })?.rule).toBe('rps');
    await clock.advance(4999);
    expect(l.check('k', { endpoint: 'file/info.cgi' })?.rule).toBe('ban');
    await clock.advance(1);
    expect(l.check('k', { endpoint: 'file/info.cgi' })).toBeUndefined();
  });
});

describe('time scale', () => {
  it('multiplies every interval, ban length and delay, and nothing else', () => {
    const v = profileValues('realistic', 0.02);
    expect(v.limits).toMatchObject({
      listIntervalMs: 60,
      listFolderIntervalMs: 600,
      userInfoIntervalMs: 6000,
      fileLsAllIntervalMs: 72_000,
      banMs: 6000,
      banEscalatedMs: 72_000,
      banDecayMs: 72_000,
      rpsWindowMs: 20,
      errorBanWindowMs: 1200,
      banPlainTextRatio: 0.25,
      errorBanCount: 10,
    });
    expect(v.config).toMatchObject({ newFileListDelayMs: 60, deletedFileListDelayMs: 60, folderRmDelayMs: 40, endPlSettleMs: 40, listLimit: 5000, fileLsLimit: 5000 });
    expect(profileValues('realistic', 1e-6).limits.listIntervalMs).toBe(1);
    expect(profileValues('lenient', 0.5).limits.listIntervalMs).toBe(0);
    expect(() => profileValues('realistic', 0)).toThrow(RangeError);
  });

  it('a scaled rule holds just inside and refuses just outside', async () => {
    const { clock, l } = limiter(profileValues('realistic', 0.02).limits);
    expect(l.check('k', ls(1))).toBeUndefined();
    await clock.advance(60);
    expect(l.check('k', ls(2))).toBeUndefined();
    await clock.advance(59);
    expect(l.check('k', ls(3))?.rule).toBe('listInterval');
    expect(l.view('k').bannedUntil).toBe(clock.now() + 6000);
  });
});
