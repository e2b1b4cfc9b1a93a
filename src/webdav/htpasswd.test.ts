import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import bcrypt from 'bcryptjs';
import { describe, it, expect } from 'vitest';
import { HtpasswdError, loadHtpasswd, safeEqual } from './htpasswd.ts';

const aprMd5 = createRequire(import.meta.url)('apache-md5') as (password: string, salt?: string) => string;

// Fixed vectors, each checked against an independent implementation.
const BCRYPT_UU = '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW'; // 'U*U', OpenBSD bcrypt test vector
const APR1_MYPASSWORD = '$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/'; // 'myPassword', Apache docs; = openssl passwd -apr1
const APR1_UTF8 = '$apr1$saltsalt$JGTZXTGYPzEps7OY9tbFx/'; // 'pässwörd:+/' as UTF-8, openssl passwd -apr1
const MD5CRYPT_PASSWORD = '$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/'; // 'password', openssl passwd -1
const SHA_PASSWORD = '{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g='; // 'password', htpasswd -s
const DES_PASSWORD = 'abJnggxhB/yWI'; // 'password', crypt(3) with salt 'ab'

function codeOf(fn: () => unknown): { code: string; line: number } | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof HtpasswdError) return { code: err.code, line: err.line };
    throw err;
  }
  return undefined;
}

describe('loadHtpasswd: fixed vectors', () => {
  it('verifies bcrypt $2a$, $2b$ and $2y$', async () => {
    for (const prefix of ['$2a$', '$2b$', '$2y$']) {
      const f = loadHtpasswd(`u:${prefix}${BCRYPT_UU.slice(4)}\n`);
      expect(f.scheme('u')).toBe('bcrypt');
      expect(await f.verify('u', 'U*U')).toBe(true);
      expect(await f.verify('u', 'U*V')).toBe(false);
    }
  });

  it('verifies APR1 MD5, with non-ASCII passwords hashed as UTF-8 like Apache', async () => {
    const f = loadHtpasswd(`a:${APR1_MYPASSWORD}\nb:${APR1_UTF8}\n`);
    expect(f.scheme('a')).toBe('apr1');
    expect(await f.verify('a', 'myPassword')).toBe(true);
    expect(await f.verify('a', 'mypassword')).toBe(false);
    expect(await f.verify('b', 'pässwörd:+/')).toBe(true);
    expect(await f.verify('b', 'passwOrd:+/')).toBe(false);
  });

  it('verifies MD5-crypt $1$', async () => {
    const f = loadHtpasswd(`u:${MD5CRYPT_PASSWORD}`);
    expect(f.scheme('u')).toBe('md5-crypt');
    expect(await f.verify('u', 'password')).toBe(true);
    expect(await f.verify('u', 'Password')).toBe(false);
  });

  it('verifies {SHA}', async () => {
    const f = loadHtpasswd(`u:${SHA_PASSWORD}`);
    expect(f.scheme('u')).toBe('sha1');
    expect(await f.verify('u', 'password')).toBe(true);
    expect(await f.verify('u', 'password ')).toBe(false);
  });
});

describe('loadHtpasswd: generated vectors', () => {
  const passwords = ['p@ss:w/rd+', 'a:b', '>>>?', 'ünïcødé 密码', ' spaced ', ''];

  it('round-trips bcrypt hashes from bcryptjs', async () => {
    for (const pass of passwords) {
      const hash = bcrypt.hashSync(pass, 4).replace(/^\$2b\$/, '$2y$');
      const f = loadHtpasswd(`user:${hash}`);
      expect(await f.verify('user', pass), pass).toBe(true);
      expect(await f.verify('user', pass + 'x'), pass).toBe(false);
    }
  });

  it('round-trips APR1 hashes from apache-md5 (ASCII passwords)', async () => {
    for (const pass of passwords.filter((p) => /^[\x20-\x7e]*$/.test(p))) {
      const f = loadHtpasswd(`user:${aprMd5(pass)}`);
      expect(await f.verify('user', pass), pass).toBe(true);
      expect(await f.verify('user', pass + 'x'), pass).toBe(false);
    }
  });

  it('round-trips {SHA} hashes from node:crypto', async () => {
    for (const pass of passwords) {
      const f = loadHtpasswd(`user:{SHA}${createHash('sha1').update(pass).digest('base64')}`);
      expect(await f.verify('user', pass), pass).toBe(true);
      expect(await f.verify('user', pass + 'x'), pass).toBe(false);
    }
  });
});

describe('loadHtpasswd: file format', () => {
  it('skips comments and blank lines and accepts CRLF and surrounding whitespace', async () => {
    const text =
      `# users\r\n\r\n  alice:${SHA_PASSWORD}  \r\n\t\r\n` + `# bob:nothing\r\nbob:${APR1_MYPASSWORD}:extra field\r\n`;
    const f = loadHtpasswd(text);
    expect(f.users).toEqual(['alice', 'bob']);
    expect(await f.verify('alice', 'password')).toBe(true);
    expect(await f.verify('bob', 'myPassword')).toBe(true);
  });

  it('keeps the first entry of a duplicated user', async () => {
    const f = loadHtpasswd(`u:${SHA_PASSWORD}\nu:${APR1_MYPASSWORD}\n`);
    expect(f.users).toEqual(['u']);
    expect(await f.verify('u', 'password')).toBe(true);
    expect(await f.verify('u', 'myPassword')).toBe(false);
  });

  it('loads an empty file', async () => {
    const f = loadHtpasswd('\n# nothing\n');
    expect(f.users).toEqual([]);
    expect(await f.verify('u', 'p')).toBe(false);
  });

  it('answers false for unknown users (decoy check) and is case-sensitive on names', async () => {
    const f = loadHtpasswd(`alice:${SHA_PASSWORD}`);
    expect(await f.verify('bob', 'password')).toBe(false);
    expect(await f.verify('Alice', 'password')).toBe(false);
    expect(f.scheme('bob')).toBeUndefined();
  });

  it('refuses crypt(3) DES naming the line', () => {
    expect(codeOf(() => loadHtpasswd(`# c\na:${SHA_PASSWORD}\nb:${DES_PASSWORD}\n`))).toEqual({
      code: 'EHTPASSWD_DES',
      line: 3,
    });
    expect(codeOf(() => loadHtpasswd(`b:${DES_PASSWORD}`, { allowPlaintext: true }))).toEqual({
      code: 'EHTPASSWD_DES',
      line: 1,
    });
  });

  it('refuses unknown and unsupported schemes naming the line', () => {
    const bad = [
      '$5$rounds=5000$salt$abc',
      '$6$salt$abcdef',
      '{SSHA}abcdef',
      '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA',
      '$2x$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW',
      '$2y$05$tooshort',
      '$apr1$salt$short',
      '{SHA}notbase64',
      'plaintextpassword',
    ];
    for (const hash of bad) {
      expect(codeOf(() => loadHtpasswd(`\nu:${hash}`)), hash).toEqual({ code: 'EHTPASSWD_HASH', line: 2 });
    }
  });

  it('refuses lines without user:hash', () => {
    expect(codeOf(() => loadHtpasswd('justaname'))).toEqual({ code: 'EHTPASSWD_SYNTAX', line: 1 });
    const noUser = `a:${SHA_PASSWORD}\n:${SHA_PASSWORD}`;
    expect(codeOf(() => loadHtpasswd(noUser))).toEqual({ code: 'EHTPASSWD_SYNTAX', line: 2 });
    expect(codeOf(() => loadHtpasswd('u:'))).toEqual({ code: 'EHTPASSWD_SYNTAX', line: 1 });
  });

  it('accepts plain text only when allowed', async () => {
    expect(codeOf(() => loadHtpasswd('u:s3cret'))?.code).toBe('EHTPASSWD_HASH');
    const f = loadHtpasswd('u:s3cret\nv:has space', { allowPlaintext: true });
    expect(f.scheme('u')).toBe('plain');
    expect(await f.verify('u', 's3cret')).toBe(true);
    expect(await f.verify('u', 's3cre')).toBe(false);
    expect(await f.verify('v', 'has space')).toBe(true);
    expect(codeOf(() => loadHtpasswd('u:$6$x$y', { allowPlaintext: true }))?.code).toBe('EHTPASSWD_HASH');
  });
});

describe('safeEqual', () => {
  it('compares strings of any length', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
    expect(safeEqual('é', 'é')).toBe(true);
  });
});
