import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import nacl from 'tweetnacl';
import { describe, it, expect } from 'vitest';
import { RcloneCryptError, decryptRcloneConfig, isEncryptedConfig } from './rclone-crypt.ts';

/**
 * Written by Debian's rclone v1.60.1 (`rclone --config r.conf config`, s / a / mypass, driven through a
 * pty) from a plain config holding a fichier remote and a local remote; kept in test/fixtures (also read by
 * test/config-precedence.slow.test.ts). The plain text is PLAIN below.
 */
const RCLONE_ENCRYPTED_FIXTURE = readFileSync(join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'rclone-1.60-encrypted.conf'), 'utf8');

const PLAIN = `# my config
[fich]
type = fichier
api_key = KEYabc123
cdn = true
file_password = uhHc9sEVq5ZHWUmp9falNBfgD0ieEHlsPiRZ

[other]
type = local

`;

function encrypt(plain: string, password: string, nonce = new Uint8Array(24).fill(7)): string {
  const key = createHash('sha256').update(`[${password}][rclone-config]`).digest();
  const box = nacl.secretbox(Buffer.from(plain), nonce, key);
  return Buffer.concat([nonce, box]).toString('base64');
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof RcloneCryptError ? err.code : 'other';
  }
  return undefined;
}

describe('rclone config encryption', () => {
  it('decrypts the file written by rclone 1.60.1', () => {
    expect(isEncryptedConfig(RCLONE_ENCRYPTED_FIXTURE)).toBe(true);
    expect(decryptRcloneConfig(RCLONE_ENCRYPTED_FIXTURE, 'mypass')).toBe(PLAIN);
  });

  it('tries the password trimmed after as given', () => {
    expect(decryptRcloneConfig(RCLONE_ENCRYPTED_FIXTURE, '  mypass\n')).toBe(PLAIN);
    const spaced = `RCLONE_ENCRYPT_V0:\n${encrypt('x = 1\n', ' pw ')}`;
    expect(decryptRcloneConfig(spaced, ' pw ')).toBe('x = 1\n');
  });

  it('rejects a wrong password with bad-password', () => {
    expect(codeOf(() => decryptRcloneConfig(RCLONE_ENCRYPTED_FIXTURE, 'wrong'))).toBe('bad-password');
    expect(codeOf(() => decryptRcloneConfig(RCLONE_ENCRYPTED_FIXTURE, '   '))).toBe('bad-password');
  });

  it('accepts comments, CRLF, a BOM and base64 over several lines', () => {
    const b64 = encrypt(PLAIN, 'pässwörd');
    const wrapped = b64.match(/.{1,40}/g)?.join('\r\n') ?? '';
    const text = `\uFEFF; note\r\n\r\n# another\r\nRCLONE_ENCRYPT_V0:\r\n${wrapped}\r\n`;
    expect(isEncryptedConfig(text)).toBe(true);
    expect(decryptRcloneConfig(text, 'pässwörd')).toBe(PLAIN);
  });

  it('refuses other header versions as unsupported', () => {
    const text = `RCLONE_ENCRYPT_V1:\n${encrypt(PLAIN, 'p')}`;
    expect(isEncryptedConfig(text)).toBe(true);
    expect(codeOf(() => decryptRcloneConfig(text, 'p'))).toBe('unsupported');
  });

  it('reports corrupt data and plain configs', () => {
    expect(codeOf(() => decryptRcloneConfig('RCLONE_ENCRYPT_V0:\n!!!', 'p'))).toBe('corrupt');
    expect(codeOf(() => decryptRcloneConfig('RCLONE_ENCRYPT_V0:\nAAAA', 'p'))).toBe('corrupt');
    expect(isEncryptedConfig(PLAIN)).toBe(false);
    expect(isEncryptedConfig('')).toBe(false);
    expect(codeOf(() => decryptRcloneConfig(PLAIN, 'p'))).toBe('not-encrypted');
  });

  it('never puts the password in an error message', () => {
    try {
      decryptRcloneConfig(RCLONE_ENCRYPTED_FIXTURE, 'SuperSecretPw');
    } catch (err) {
      expect(String((err as Error).message)).not.toContain('SuperSecretPw');
      return;
    }
    expect.unreachable();
  });
});
