/**
 * Apache htpasswd files: parsing and password verification. Pure module (no file I/O: the caller reads the file
 * and reloads it when it changes).
 *
 * Format (as Apache's mod_authn_file reads it): one `user:hash` per line; blank lines and lines starting with `#`
 * are skipped; CRLF and surrounding whitespace are tolerated; a further `:field` after the hash is ignored; when a
 * user appears twice the first line wins.
 *
 * Hash schemes:
 * - bcrypt `$2y$`, `$2a$`, `$2b$` (`htpasswd -B`), via bcryptjs; like every bcrypt, only the first 72 bytes count;
 * - APR1 MD5 `$apr1$` (`htpasswd -m`, Apache's default before 2.4) and MD5-crypt `$1$` (which Apache accepts via
 *   the system crypt on Linux), via apache-md5, fed the password's UTF-8 bytes as Apache does;
 * - SHA-1 `{SHA}` + base64 (`htpasswd -s`);
 * - plain text: **off by default**. Apache accepts it only on Windows and NetWare. With `allowPlaintext` a value
 *   that is not recognised as a hash is taken as the password itself; values starting with `$` or `{` are still
 *   read as (possibly unsupported) hashes, and 13-character crypt-alphabet values are still refused as DES.
 * - refused at load time, naming the line: crypt(3) DES (13 characters, obsolete: 8-character passwords,
 *   `EHTPASSWD_DES`), SHA-crypt `$5$`/`$6$`, `{SSHA}`, argon2 and anything else unknown (`EHTPASSWD_HASH`), and
 *   lines without `user:` (`EHTPASSWD_SYNTAX`).
 *
 * Timing: hash comparisons are constant-time; a user that is not in the file is checked against the first
 * entry's hash, so an unknown name costs about as much as a wrong password.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';
import bcrypt from 'bcryptjs';
import { CodedError } from '../util/coded-error.ts';

/** apache-md5 is CommonJS whose typings declare a default export it does not have at runtime. */
const aprMd5 = createRequire(import.meta.url)('apache-md5') as (password: string, salt?: string) => string;

export type HtpasswdErrorCode = 'EHTPASSWD_SYNTAX' | 'EHTPASSWD_DES' | 'EHTPASSWD_HASH';

/** A line of an htpasswd file that cannot be used; `line` is 1-based. */
export class HtpasswdError extends CodedError<HtpasswdErrorCode> {
  override readonly name = 'HtpasswdError';
  readonly line: number;

  constructor(code: HtpasswdErrorCode, line: number, message: string) {
    super(code, `htpasswd line ${line}: ${message}`);
    this.line = line;
  }
}

export type HashScheme = 'bcrypt' | 'apr1' | 'md5-crypt' | 'sha1' | 'plain';

export interface HtpasswdFile {
  /** The user names, in file order, without duplicates. */
  readonly users: readonly string[];
  /** The scheme of `user`'s hash, or undefined when the user is not in the file. */
  scheme(user: string): HashScheme | undefined;
  /** Resolves true when `pass` is `user`'s password, false otherwise (unknown user included). Never rejects. */
  verify(user: string, pass: string): Promise<boolean>;
}

export interface HtpasswdOptions {
  /** Accept values that are not a known hash as plain-text passwords (see the module doc). Default false. */
  allowPlaintext?: boolean;
}

interface Entry {
  scheme: HashScheme;
  hash: string;
}

const BCRYPT = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;
const MD5_CRYPT = /^\$(apr1|1)\$[^$]{0,8}\$[./0-9A-Za-z]{22}$/;
const SHA1 = /^\{SHA\}[A-Za-z0-9+/]{27}=$/;
const DES = /^[./0-9A-Za-z]{13}$/;

/** Compares two strings in time that depends only on their hashes' length, not on where they differ. */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

function classify(hash: string, lineNo: number, options: HtpasswdOptions): HashScheme {
  if (BCRYPT.test(hash)) return 'bcrypt';
  const md5 = MD5_CRYPT.exec(hash);
  if (md5) return md5[1] === 'apr1' ? 'apr1' : 'md5-crypt';
  if (SHA1.test(hash)) return 'sha1';
  if (DES.test(hash)) {
    throw new HtpasswdError('EHTPASSWD_DES', lineNo, 'crypt(3) DES hashes are obsolete; re-create it with htpasswd -B');
  }
  if (hash.startsWith('$') || hash.startsWith('{')) {
    const tag = /^(\$[^$]*\$|\{[^}]*\})/.exec(hash)?.[1] ?? hash.slice(0, 1);
    throw new HtpasswdError('EHTPASSWD_HASH', lineNo, `unsupported or malformed hash ${tag}; use htpasswd -B`);
  }
  if (options.allowPlaintext) return 'plain';
  throw new HtpasswdError('EHTPASSWD_HASH', lineNo, 'unknown hash format (plain text is not accepted)');
}

async function check(entry: Entry, pass: string): Promise<boolean> {
  switch (entry.scheme) {
    case 'bcrypt':
      return bcrypt.compare(pass, entry.hash);
    case 'apr1':
    case 'md5-crypt':
      return safeEqual(aprMd5(Buffer.from(pass, 'utf8').toString('latin1'), entry.hash), entry.hash);
    case 'sha1':
      return safeEqual(`{SHA}${createHash('sha1').update(pass, 'utf8').digest('base64')}`, entry.hash);
    case 'plain':
      return safeEqual(pass, entry.hash);
  }
}

/**
 * Parses the text of an htpasswd file. Returns the file's users and a verifier; throws HtpasswdError (with the
 * 1-based line number) on the first unusable line: EHTPASSWD_SYNTAX (no `user:hash`), EHTPASSWD_DES, or
 * EHTPASSWD_HASH (unknown or unsupported scheme, plain text without `allowPlaintext`).
 */
export function loadHtpasswd(text: string, options: HtpasswdOptions = {}): HtpasswdFile {
  const entries = new Map<string, Entry>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new HtpasswdError('EHTPASSWD_SYNTAX', i + 1, 'expected user:hash');
    const user = line.slice(0, colon);
    const hash = line.slice(colon + 1).split(':')[0]!.trim();
    if (hash === '') throw new HtpasswdError('EHTPASSWD_SYNTAX', i + 1, 'empty hash');
    const scheme = classify(hash, i + 1, options);
    if (!entries.has(user)) entries.set(user, { scheme, hash });
  });
  const decoy = entries.values().next().value;
  return {
    users: [...entries.keys()],
    scheme: (user) => entries.get(user)?.scheme,
    async verify(user, pass) {
      const entry = entries.get(user);
      try {
        if (entry) return await check(entry, pass);
        if (decoy) await check(decoy, pass);
      } catch {
        // A hash library failing on odd input counts as a wrong password, never as a crash.
      }
      return false;
    },
  };
}
