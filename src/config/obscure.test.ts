import { describe, it, expect } from 'vitest';
import { ObscureError, obscure, reveal } from './obscure.ts';

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
