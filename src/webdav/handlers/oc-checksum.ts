/**
 * The ownCloud `OC-Checksum` request header of a PUT (rclone's owncloud/nextcloud vendors): `SHA1:<hex>`,
 * `MD5:<hex>`, several separated by spaces. Parsed into the VFS's expected digests: the VFS write pipeline
 * hashes the body once and fails a mismatch with its own code (EBADMSG), which the error table answers 400.
 *
 * Choices where the reference is silent:
 * - Algorithm names compare case-insensitively, `SHA-1` is read as SHA1; other algorithms (Adler32...) are
 *   ignored; a malformed value for MD5/SHA1 (not 32/40 hex digits) is a 400 at once.
 */
import { DavError } from '../context.ts';

export type Digests = Partial<Record<'md5' | 'sha1', string>>;

const LENGTH = { md5: 32, sha1: 40 } as const;

/** Expected digests (lower-case hex) from an OC-Checksum value; undefined when none we check. Throws DavError 400. */
export function parseOcChecksum(header: string | undefined): Digests | undefined {
  if (header === undefined) return undefined;
  const out: Digests = {};
  for (const item of header.trim().split(/\s+/)) {
    const colon = item.indexOf(':');
    if (colon < 0) continue;
    const algo = item.slice(0, colon).toLowerCase().replace('-', '');
    if (algo !== 'md5' && algo !== 'sha1') continue;
    const hex = item.slice(colon + 1).toLowerCase();
    if (!new RegExp(`^[0-9a-f]{${LENGTH[algo]}}$`).test(hex)) throw new DavError(400, `malformed ${algo} in OC-Checksum`);
    out[algo] = hex;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
