import { createCipheriv, randomBytes } from 'node:crypto';
import { CodedError } from '../util/coded-error.ts';

/**
 * rclone's `obscure` / `reveal` (fs/config/obscure): AES-256-CTR with a fixed public key, a 16-byte
 * random IV prefixed to the ciphertext, the whole encoded as URL-safe base64 without padding.
 * This is obfuscation, not encryption: anyone can reveal an obscured string.
 */

const KEY = Buffer.from('9c935b48730a554d6bfd7c63c886a92bd390198eb8128afbf4de162b8b95f638', 'hex');
const IV_LENGTH = 16;
const BASE64URL_RE = /^[A-Za-z0-9_-]*$/;

export type ObscureErrorCode = 'bad-base64' | 'too-short' | 'bad-iv';

/** Thrown by `reveal` (and `obscure` for a wrong-sized IV); `code` says why. */
export class ObscureError extends CodedError<ObscureErrorCode> {
  override readonly name = 'ObscureError';
}

function ctr(iv: Buffer, data: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-ctr', KEY, iv);
  return Buffer.concat([cipher.update(data), cipher.final()]);
}

/**
 * Obscures `plain` as rclone does. Returns the URL-safe, unpadded base64 string.
 * `iv` (16 bytes) is for tests; by default a fresh random IV is used.
 * Throws ObscureError 'bad-iv' when `iv` is not 16 bytes.
 */
export function obscure(plain: string, iv: Buffer = randomBytes(IV_LENGTH)): string {
  if (iv.length !== IV_LENGTH) throw new ObscureError('bad-iv', `IV must be ${IV_LENGTH} bytes`);
  return Buffer.concat([iv, ctr(iv, Buffer.from(plain, 'utf8'))]).toString('base64url');
}

/**
 * Reveals a string produced by `rclone obscure`. Returns the plain text.
 * Throws ObscureError 'bad-base64' when the input is not strict unpadded URL-safe base64,
 * and 'too-short' when it decodes to fewer than 16 bytes (rclone's messages).
 */
export function reveal(obscured: string): string {
  // Strict like Go's RawURLEncoding: no padding, no other alphabet, no impossible trailing length.
  if (!BASE64URL_RE.test(obscured) || obscured.length % 4 === 1) {
    throw new ObscureError('bad-base64', 'base64 decode failed when revealing password - is it obscured?');
  }
  const bytes = Buffer.from(obscured, 'base64url');
  if (bytes.length < IV_LENGTH) {
    throw new ObscureError('too-short', 'input too short when revealing password - is it obscured?');
  }
  return ctr(bytes.subarray(0, IV_LENGTH), bytes.subarray(IV_LENGTH)).toString('utf8');
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The plain text of `value` when it is a string `rclone obscure` could have written (strict base64url of at least
 * 16 bytes whose plain part is valid UTF-8), else undefined. Never throws.
 */
export function revealIfObscured(value: string): string | undefined {
  if (!BASE64URL_RE.test(value) || value.length % 4 === 1) return undefined;
  const bytes = Buffer.from(value, 'base64url');
  if (bytes.length < IV_LENGTH) return undefined;
  try {
    return strictUtf8.decode(ctr(bytes.subarray(0, IV_LENGTH), bytes.subarray(IV_LENGTH)));
  } catch {
    return undefined;
  }
}

/**
 * The passwords to try for a password option of an rclone remote (`folder_password`), in order. `rclone config`
 * stores it obscured, but rclone 1.60's fichier backend sends the value as written and never reveals it, so
 * configurations that work with rclone hold the password in clear, and those written by `rclone config` hold the
 * obscured form. Both must work here: the revealed text first when the value reveals, then the value as written.
 */
export function passwordCandidates(written: string): string[] {
  const plain = revealIfObscured(written);
  return plain !== undefined && plain !== written ? [plain, written] : [written];
}
