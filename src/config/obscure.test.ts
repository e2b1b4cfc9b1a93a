import { describe, it, expect } from 'vitest';
import { ObscureError, obscure, passwordCandidates, reveal, revealIfObscured } from './obscure.ts';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof ObscureError ? err.code : 'other';
  }
  return undefined;
}

describe('obscure/reveal', () => {
  const vectors: [string, string, string][] = [
    ['', 'aaaaaaaaaaaaaaaa', 'YWFhYWFhYWFhYWFhYWFhYQ'],
    ['potato', 'aaaaaaaaaaaaaaaa', 'YWFhYWFhYWFhYWFhYWFhYXMaGgIlEQ'],
    ['potato', 'bbbbbbbbbbbbbbbb', 'YmJiYmJiYmJiYmJiYmJiYp3gcEWbAw'],
  ];

  it.each(vectors)('matches rclone vector %j with IV %s', (plain, iv, expected) => {
    expect(obscure(plain, Buffer.from(iv))).toBe(expected);
    expect(reveal(expected)).toBe(plain);
  });

  it('round-trips with random IVs, which differ per call', () => {
    for (const p of ['x', 'pass:word+/=', 'héllo ☃ 🙂', 'a'.repeat(300)]) {
      const a = obscure(p);
      expect(a).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(reveal(a)).toBe(p);
      expect(obscure(p)).not.toBe(a);
    }
  });

  it('refuses padding, the standard alphabet and junk (bad-base64)', () => {
    expect(codeOf(() => reveal('YWFhYWFhYWFhYWFhYWFhYQ=='))).toBe('bad-base64');
    expect(codeOf(() => reveal('YWFhYWFhYWFhYWFhYWFh+Q'))).toBe('bad-base64');
    expect(codeOf(() => reveal('not obscured!'))).toBe('bad-base64');
    expect(codeOf(() => reveal('YWFhY'))).toBe('bad-base64');
  });

  it('refuses input shorter than the IV (too-short)', () => {
    expect(codeOf(() => reveal(''))).toBe('too-short');
    expect(codeOf(() => reveal('YWFhYWFh'))).toBe('too-short');
  });

  it('refuses an IV that is not 16 bytes', () => {
    expect(codeOf(() => obscure('x', Buffer.alloc(8)))).toBe('bad-iv');
  });
});

describe('revealIfObscured and passwordCandidates (folder_password as rclone.conf files hold it)', () => {
  it('reveals what rclone obscure wrote, and nothing else', () => {
    expect(revealIfObscured('YWFhYWFhYWFhYWFhYWFhYXMaGgIlEQ')).toBe('potato');
    expect(revealIfObscured(obscure('a folder pass & more'))).toBe('a folder pass & more');
    for (const clear of ['a folder pass & more', 'short', 'has=padding==', '', 'p@ss word+&=']) expect(revealIfObscured(clear)).toBeUndefined();
  });

  it('refuses a base64url string whose plain part is not UTF-8 (a clear password that merely looks obscured)', () => {
    // 16 IV bytes then one byte that decrypts to 0xFF: not UTF-8.
    const iv = Buffer.from('aaaaaaaaaaaaaaaa');
    const keyByte = Buffer.from(obscure('\0', iv), 'base64url')[16]!;
    const looksObscured = Buffer.concat([iv, Buffer.from([keyByte ^ 0xff])]).toString('base64url');
    expect(revealIfObscured(looksObscured)).toBeUndefined();
  });

  it('tries the revealed text first, then the value as written', () => {
    const written = obscure('secret');
    expect(passwordCandidates(written)).toEqual(['secret', written]);
    expect(passwordCandidates('secret in clear')).toEqual(['secret in clear']);
  });
});
