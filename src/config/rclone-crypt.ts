import { createHash } from 'node:crypto';
import nacl from 'tweetnacl';
import { CodedError } from '../util/coded-error.ts';

/**
 * rclone's config-file encryption (fs/config/crypt.go): after optional blank or `#`/`;` comment lines,
 * the header `RCLONE_ENCRYPT_V0:` then standard base64 (possibly over several lines) of
 * 24-byte nonce ‖ NaCl secretbox, keyed by SHA-256("[" + password + "][rclone-config]").
 */

const HEADER_V0 = 'RCLONE_ENCRYPT_V0:';
const HEADER_RE = /^RCLONE_ENCRYPT_V\d*:/;
const NONCE_LENGTH = 24;
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

export type RcloneCryptErrorCode = 'not-encrypted' | 'unsupported' | 'corrupt' | 'bad-password';

/** Thrown by `decryptRcloneConfig`; `code` says why. Messages never contain the password. */
export class RcloneCryptError extends CodedError<RcloneCryptErrorCode> {
  override readonly name = 'RcloneCryptError';
}

interface Split {
  header: string;
  body: string[];
}

/** The first significant line (skipping blanks and comments) and the lines after it, or undefined. */
function splitHeader(text: string): Split | undefined {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const i = lines.findIndex((l) => {
    const t = l.trim();
    return t !== '' && !t.startsWith('#') && !t.startsWith(';');
  });
  if (i < 0) return undefined;
  return { header: (lines[i] ?? '').trim(), body: lines.slice(i + 1) };
}

/** Returns true when `text` is an rclone-encrypted config (any `RCLONE_ENCRYPT_V*:` header). */
export function isEncryptedConfig(text: string): boolean {
  const s = splitHeader(text);
  return s !== undefined && HEADER_RE.test(s.header);
}

function keyFor(password: string): Uint8Array {
  return createHash('sha256').update(`[${password}][rclone-config]`, 'utf8').digest();
}

/**
 * Decrypts an encrypted rclone.conf and returns the plain INI text. The password is tried as given,
 * then trimmed (older rclone versions trimmed it).
 * Throws RcloneCryptError: 'not-encrypted' without a header, 'unsupported' for a header other than V0,
 * 'corrupt' for bad base64 or a too-short payload, 'bad-password' when the box does not open.
 */
export function decryptRcloneConfig(text: string, password: string): string {
  const s = splitHeader(text);
  if (s === undefined || !HEADER_RE.test(s.header)) {
    throw new RcloneCryptError('not-encrypted', 'configuration is not encrypted');
  }
  if (s.header !== HEADER_V0) {
    throw new RcloneCryptError('unsupported', 'unsupported configuration encryption');
  }
  const b64 = s.body.join('').replace(/\s+/g, '');
  if (!BASE64_RE.test(b64) || b64.length % 4 !== 0) {
    throw new RcloneCryptError('corrupt', 'failed to load base64 encoded data');
  }
  const data = Buffer.from(b64, 'base64');
  if (data.length < NONCE_LENGTH + nacl.secretbox.overheadLength) {
    throw new RcloneCryptError('corrupt', 'configuration data too short');
  }
  const nonce = data.subarray(0, NONCE_LENGTH);
  const box = data.subarray(NONCE_LENGTH);
  const candidates = password.trim() === password ? [password] : [password, password.trim()];
  for (const candidate of candidates) {
    if (candidate === '') continue;
    const plain = nacl.secretbox.open(box, nonce, keyFor(candidate));
    if (plain !== null) return Buffer.from(plain).toString('utf8');
  }
  throw new RcloneCryptError('bad-password', "couldn't decrypt configuration, most likely wrong password");
}
