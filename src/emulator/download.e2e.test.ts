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
