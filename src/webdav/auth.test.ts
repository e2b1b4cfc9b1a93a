import bcrypt from 'bcryptjs';
import { describe, it, expect } from 'vitest';
import { FakeClock } from '../util/clock.ts';
import { createAuthenticator, createFailureThrottle, parseBasicAuth, throttleKey } from './auth.ts';
import { loadHtpasswd } from './htpasswd.ts';

const basic = (userPass: string) => `Basic ${Buffer.from(userPass, 'utf8').toString('base64')}`;

describe('parseBasicAuth', () => {
  it('parses the RFC 7617 example', () => {
    expect(parseBasicAuth('Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==')).toEqual({ user: 'Aladdin', pass: 'open sesame' });
  });

  it('handles base64 with + and / (which webdav-server\'s parser refuses)', () => {
    // '>>>?' encodes to 'Pj4+Pw==' and 'u:???' to 'dTo/Pz8='
    const h1 = basic('u:>>>?');
    expect(h1).toContain('+');
    expect(parseBasicAuth(h1)).toEqual({ user: 'u', pass: '>>>?' });
    const h2 = basic('u:???');
    expect(h2).toContain('/');
    expect(parseBasicAuth(h2)).toEqual({ user: 'u', pass: '???' });
  });

  it('splits at the first colon only (webdav-server cuts the password at the next one)', () => {
    expect(parseBasicAuth(basic('user:a:b'))).toEqual({ user: 'user', pass: 'a:b' });
    expect(parseBasicAuth(basic('user:p@ss:w/rd+'))).toEqual({ user: 'user', pass: 'p@ss:w/rd+' });
    expect(parseBasicAuth(basic('user::'))).toEqual({ user: 'user', pass: ':' });
    expect(parseBasicAuth(basic('user:'))).toEqual({ user: 'user', pass: '' });
    expect(parseBasicAuth(basic(':pass'))).toEqual({ user: '', pass: 'pass' });
  });

  it('decodes UTF-8, and falls back to ISO-8859-1', () => {
    expect(parseBasicAuth(basic('jürgen:密码 ✓'))).toEqual({ user: 'jürgen', pass: '密码 ✓' });
    const latin1 = `Basic ${Buffer.from('j\xfcrgen:p\xe4ss', 'latin1').toString('base64')}`;
    expect(parseBasicAuth(latin1)).toEqual({ user: 'jürgen', pass: 'päss' });
  });

  it('accepts any padding state, base64url, case and whitespace variants', () => {
    // 'a:b' → 'YTpi' (no padding), 'ab:c' → 'YWI6Yw==', 'abc:d' → 'YWJjOmQ='
    expect(parseBasicAuth('Basic YTpi')).toEqual({ user: 'a', pass: 'b' });
    expect(parseBasicAuth('Basic YWI6Yw==')).toEqual({ user: 'ab', pass: 'c' });
    expect(parseBasicAuth('Basic YWI6Yw')).toEqual({ user: 'ab', pass: 'c' });
    expect(parseBasicAuth('Basic YWJjOmQ=')).toEqual({ user: 'abc', pass: 'd' });
    expect(parseBasicAuth('basic YTpi')).toEqual({ user: 'a', pass: 'b' });
    expect(parseBasicAuth('BASIC   YTpi  ')).toEqual({ user: 'a', pass: 'b' });
    expect(parseBasicAuth('Basic dTo+Pj4/')).toEqual({ user: 'u', pass: '>>>?' });
    expect(parseBasicAuth('Basic dTo-Pj4_')).toEqual({ user: 'u', pass: '>>>?' });
  });

  it('passes control characters in the password through', () => {
    expect(parseBasicAuth(basic('u:tab\there'))).toEqual({ user: 'u', pass: 'tab\there' });
  });

  it('rejects malformed headers', () => {
    const bad = [
      undefined,
      '',
      'Basic',
      'Basic ',
      'Bearer YTpi',
      'Digest username="a"',
      'BasicYTpi',
      'Basic YTpi YTpi',
      'Basic YT!i',
      'Basic Y',
      'Basic YTpi=',
      'Basic YWI6Yw===',
      'Basic ==YTpi',
      basic('nocolon'),
      basic('us\u0001er:pass'),
      basic('user\n:pass'),
      `Basic ${'A'.repeat(20_000)}`,
    ];
    for (const h of bad) expect(parseBasicAuth(h), String(h).slice(0, 40)).toBeUndefined();
  });
});

describe('createAuthenticator', () => {
  const users = [
    { user: 'alice', pass: 'p@ss:w/rd+' },
    { user: 'bob', pass: '>>>?' },
    { user: 'josé', pass: 'mañana' },
  ];

  it('accepts configured users with any password characters', async () => {
    const auth = createAuthenticator({ users });
    expect(await auth.check(basic('alice:p@ss:w/rd+'))).toBe('alice');
    expect(await auth.check(basic('bob:>>>?'))).toBe('bob');
    expect(await auth.check(basic('josé:mañana'))).toBe('josé');
  });

  it('normalises Unicode (NFD from macOS matches NFC)', async () => {
    const auth = createAuthenticator({ users });
    expect(await auth.check(basic('jose\u0301:man\u0303ana'))).toBe('josé');
  });

  it('refuses wrong passwords, swapped pairs, unknown users and bad headers', async () => {
    const auth = createAuthenticator({ users });
    expect(await auth.check(basic('alice:p@ss:w/rd'))).toBeUndefined();
    expect(await auth.check(basic('alice:>>>?'))).toBeUndefined();
    expect(await auth.check(basic('Alice:p@ss:w/rd+'))).toBeUndefined();
    expect(await auth.check(basic('carol:x'))).toBeUndefined();
    expect(await auth.check(undefined)).toBeUndefined();
    expect(await auth.check('Basic !!!')).toBeUndefined();
  });

  it('refuses everything when nobody is configured', async () => {
    expect(await createAuthenticator({}).check(basic(':'))).toBeUndefined();
    expect(await createAuthenticator({ users: [] }).check(basic('a:b'))).toBeUndefined();
  });

  it('checks an htpasswd file after the plain users', async () => {
    const htpasswd = loadHtpasswd(
      `carol:${bcrypt.hashSync('c:+/ö', 4)}\nalice:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n`,
    );
    const auth = createAuthenticator({ users, htpasswd });
    expect(await auth.check(basic('carol:c:+/ö'))).toBe('carol');
    expect(await auth.check(basic('carol:c:+/o'))).toBeUndefined();
    expect(await auth.check(basic('alice:p@ss:w/rd+'))).toBe('alice');
    expect(await auth.check(basic('alice:password'))).toBe('alice');
    expect(await createAuthenticator({ htpasswd }).check(basic('bob:>>>?'))).toBeUndefined();
  });
});

describe('throttleKey', () => {
  it('groups addresses', () => {
    expect(throttleKey('192.0.2.1')).toBe('192.0.2.1');
    expect(throttleKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(throttleKey('::FFFF:192.0.2.1')).toBe('192.0.2.1');
    expect(throttleKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(throttleKey('2001:0db8:0001:0002::9')).toBe('2001:db8:1:2::/64');
    expect(throttleKey('2001:db8:1:2::ab%eth0')).toBe('2001:db8:1:2::/64');
    expect(throttleKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(throttleKey('::1')).toBe('0:0:0:0::/64');
    expect(throttleKey('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
  });

  it('leaves junk as given', () => {
    expect(throttleKey('unknown')).toBe('unknown');
    expect(throttleKey('1::2::3')).toBe('1::2::3');
    expect(throttleKey('zz::1')).toBe('zz::1');
    expect(throttleKey('1:2:3')).toBe('1:2:3');
  });
});

describe('createFailureThrottle', () => {
  it('lets maxFailures through, then doubles the delay up to the cap', () => {
    const clock = new FakeClock();
    const t = createFailureThrottle({ clock });
    const delays: number[] = [];
    for (let i = 0; i < 12; i++) {
      delays.push(t.delayFor('10.0.0.1'));
      t.fail('10.0.0.1');
    }
    expect(delays).toEqual([0, 0, 0, 0, 0, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect(t.delayFor('10.0.0.2')).toBe(0);
  });

  it('forgets an address after a success', () => {
    const t = createFailureThrottle({ clock: new FakeClock(), maxFailures: 1 });
    t.fail('a');
    expect(t.delayFor('a')).toBe(1000);
    t.succeed('a');
    expect(t.delayFor('a')).toBe(0);
    expect(t.size).toBe(0);
  });

  it('forgets failures after a quiet window', async () => {
    const clock = new FakeClock();
    const t = createFailureThrottle({ clock, maxFailures: 2, windowMs: 10_000, delayMs: 100 });
    t.fail('a');
    t.fail('a');
    expect(t.delayFor('a')).toBe(100);
    await clock.advance(9_999);
    expect(t.delayFor('a')).toBe(100);
    t.fail('a');
    await clock.advance(9_999);
    expect(t.delayFor('a')).toBe(200);
    await clock.advance(1);
    expect(t.delayFor('a')).toBe(0);
    t.fail('a');
    expect(t.delayFor('a')).toBe(0);
  });

  it('shares one budget across an IPv6 /64 and across IPv4-mapped forms', () => {
    const t = createFailureThrottle({ clock: new FakeClock(), maxFailures: 2 });
    t.fail('2001:db8:1:2::1');
    t.fail('2001:db8:1:2::2');
    expect(t.delayFor('2001:db8:1:2::3')).toBe(1000);
    expect(t.delayFor('2001:db8:1:3::1')).toBe(0);
    t.fail('::ffff:192.0.2.1');
    t.fail('192.0.2.1');
    expect(t.delayFor('192.0.2.1')).toBe(1000);
  });

  it('bounds memory, evicting the oldest failure first and dropping expired entries', async () => {
    const clock = new FakeClock();
    const t = createFailureThrottle({ clock, maxFailures: 1, maxTracked: 3, windowMs: 1000 });
    for (const a of ['a', 'b', 'c']) t.fail(a);
    t.fail('a');
    t.fail('d');
    expect(t.size).toBe(3);
    expect(t.delayFor('b')).toBe(0);
    expect(t.delayFor('a')).toBe(2000);
    expect(t.delayFor('c')).toBe(1000);
    await clock.advance(1000);
    t.fail('e');
    expect(t.size).toBe(1);
    for (let i = 0; i < 50_000; i++) t.fail(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
    expect(t.size).toBe(3);
  });
});
