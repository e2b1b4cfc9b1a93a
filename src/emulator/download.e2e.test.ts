import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../util/clock.ts';
import { parseRange } from './download.ts';
import { KEY, start, type Started } from '../../test/support/emulator-http.ts';

let s: Started | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

const DATA = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz');

async function setup(clock?: FakeClock): Promise<{ s: Started; url: string }> {
  s = await start(clock ? { clock, tokenTtlMs: 1000 } : {});
  const [l] = await s.upload([{ name: 'data.txt', data: DATA }]);
  return { s, url: l!.download };
}

async function token(st: Started, url: string, single = 0): Promise<string> {
  const t = await st.api<{ url: string }>('download/get_token.cgi', { url, single });
  return `${st.url}${new URL(t.json.url).pathname}`;
}

describe('parseRange', () => {
  it('handles single, open, suffix, clamped and unsatisfiable ranges', () => {
    expect(parseRange(undefined, 10)).toBeUndefined();
    expect(parseRange('bytes=0-0', 10)).toEqual({ start: 0, end: 0 });
    expect(parseRange('bytes=3-', 10)).toEqual({ start: 3, end: 9 });
    expect(parseRange('bytes=-4', 10)).toEqual({ start: 6, end: 9 });
    expect(parseRange('bytes=-40', 10)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=5-100', 10)).toEqual({ start: 5, end: 9 });
    expect(parseRange('bytes=10-', 10)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 10)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,3-4', 10)).toBeUndefined();
    expect(parseRange('items=0-1', 10)).toBeUndefined();
  });
});

describe('download host', () => {
  it('serves the whole file with length, type and Accept-Ranges, without Authorization', async () => {
    const { s, url } = await setup();
    const r = await fetch(await token(s, url));
    expect(r.status).toBe(200);
    expect(r.headers.get('accept-ranges')).toBe('bytes');
    expect(r.headers.get('content-length')).toBe(String(DATA.length));
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(Buffer.from(await r.arrayBuffer()).equals(DATA)).toBe(true);
    expect(s.emu.stats().downloads).toBe(1);
    expect(s.emu.stats().bytesOut).toBe(DATA.length);
  });

  it('answers ranges with 206 and Content-Range, and 416 past the end', async () => {
    const { s, url } = await setup();
    const t = await token(s, url);
    const cases: [string, string, string][] = [
      ['bytes=0-0', '0', `bytes 0-0/${DATA.length}`],
      ['bytes=10-15', 'abcdef', `bytes 10-15/${DATA.length}`],
      ['bytes=-3', 'xyz', `bytes 33-35/${DATA.length}`],
      ['bytes=30-', 'uvwxyz', `bytes 30-35/${DATA.length}`],
    ];
    for (const [range, body, cr] of cases) {
      const r = await fetch(t, { headers: { range } });
      expect(r.status).toBe(206);
      expect(r.headers.get('content-range')).toBe(cr);
      expect(await r.text()).toBe(body);
    }
    const past = await fetch(t, { headers: { range: `bytes=${DATA.length}-` } });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${DATA.length}`);
    await past.arrayBuffer();
  });

  it('refuses a wrong Bearer key with 401, accepts the right one', async () => {
    const { s, url } = await setup();
    const t = await token(s, url);
    const bad = await fetch(t, { headers: { authorization: 'Bearer wrong' } });
    expect(bad.status).toBe(401);
    await bad.arrayBuffer();
    const good = await fetch(t, { headers: { authorization: `Bearer ${KEY}` } });
    expect(good.status).toBe(200);
    await good.arrayBuffer();
  });

  it('single-use tokens serve once; HEAD does not consume them', async () => {
    const { s, url } = await setup();
    const t = await token(s, url, 1);
    const head = await fetch(t, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(DATA.length));
    const first = await fetch(t);
    expect(first.status).toBe(200);
    await first.arrayBuffer();
    const second = await fetch(t);
    expect(second.status).toBe(410);
    expect(((await second.json()) as { status: string }).status).toBe('KO');
  });

  it('reusable tokens expire after tokenTtlMs (FakeClock)', async () => {
    const clock = new FakeClock();
    const { s, url } = await setup(clock);
    const t = await token(s, url);
    for (let i = 0; i < 2; i++) {
      const r = await fetch(t);
      expect(r.status).toBe(200);
      await r.arrayBuffer();
    }
    await clock.advance(999);
    expect((await fetch(t, { headers: { range: 'bytes=0-0' } })).status).toBe(206);
    await clock.advance(1);
    const expired = await fetch(t);
    expect(expired.status).toBe(410);
    await expired.arrayBuffer();
  });

  it('unknown token or deleted file => 404 #469', async () => {
    const { s, url } = await setup();
    const t = await token(s, url);
    await s.api('file/rm.cgi', { files: [{ url }] });
    const gone = await fetch(t);
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { message: string }).message).toMatch(/#469$/);
    expect((await fetch(`${s.url}/${'A'.repeat(32)}`)).status).toBe(404);
    expect((await fetch(`${s.url}/favicon.ico`)).status).toBe(404);
  });
});

describe('download host, realistic profile', () => {
  async function realistic(config: Record<string, unknown>): Promise<{ s: Started; url: string; clock: FakeClock }> {
    const clock = new FakeClock();
    s = await start({ clock, profile: 'realistic', tokenTtlMs: 1000, config: { newFileListDelayMs: 0, endPlNoLinksRatio: 0, endPlWaitPageRatio: 0, ...config } });
    const [l] = await s.upload([{ name: 'data.txt', data: DATA }]);
    return { s, url: l!.download, clock };
  }

  it('a token may answer 302 to another download host, whose URL serves the bytes with Range; nothing is consumed by the 302', async () => {
    const { s, url } = await realistic({ downloadRedirectRatio: 1 });
    const t = await token(s, url, 1);
    const first = await fetch(t, { redirect: 'manual' });
    expect(first.status).toBe(302);
    const location = new URL(first.headers.get('location')!);
    expect(location.protocol).toBe('https:');
    expect(location.hostname).toMatch(/^b-\d\.1fichier\.com$/);
    expect(location.pathname).not.toBe(new URL(t).pathname);
    const target = `${s.url}${location.pathname}`;
    const part = await fetch(target, { headers: { range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 10-19/${DATA.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(DATA.subarray(10, 20))).toBe(true);
    const reused = await fetch(target);
    expect(reused.headers.get('content-type')).toMatch(/^text\/html/);
    await reused.arrayBuffer();
    const again = await fetch(t, { redirect: 'manual' });
    expect(again.status).toBe(302);
    expect(s.emu.stats().redirects).toBe(2);
  });

  it('redirects are drawn from the seed: some tokens do, some do not, the same ones for the same seed', async () => {
    const draws = async (seed: number): Promise<number[]> => {
      const st = await start({ clock: new FakeClock(), profile: 'realistic', seed, config: { newFileListDelayMs: 0, endPlNoLinksRatio: 0, endPlWaitPageRatio: 0 } });
      try {
        const [l] = await st.upload([{ name: 'x.txt', data: 'x' }]);
        const out: number[] = [];
        for (let i = 0; i < 20; i++) out.push((await fetch(await token(st, l!.download), { redirect: 'manual' })).status);
        return out;
      } finally {
        await st.stop();
      }
    };
    const a = await draws(5);
    expect(await draws(5)).toEqual(a);
    expect(new Set(a)).toEqual(new Set([200, 302]));
  });

  it('an expired token answers 200 text/html (an error page, not the bytes); so does a used single token', async () => {
    const { s, url, clock } = await realistic({ downloadRedirectRatio: 0 });
    const t = await token(s, url);
    await clock.advance(1000);
    const expired = await fetch(t);
    expect(expired.status).toBe(200);
    expect(expired.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await expired.text()).toMatch(/expired/);
    const single = await token(s, url, 1);
    expect((await fetch(single)).status).toBe(200);
    const used = await fetch(single);
    expect(used.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await used.text()).not.toContain(DATA.toString());
  });

  it('with downloadErrorsAsHtml off (lenient) an expired token is 410 #910', async () => {
    const { s, url, clock } = await realistic({ downloadRedirectRatio: 0, downloadErrorsAsHtml: false });
    const t = await token(s, url);
    await clock.advance(1000);
    const r = await fetch(t);
    expect(r.status).toBe(410);
    expect(await r.json()).toEqual({ status: 'KO', message: 'Download link expired #910' });
  });
});
