import { describe, expect, it } from 'vitest';
import { apiKeyFromEnv, parseDuration, parseRemoteSpec } from './serve-command.ts';

describe('serve webdav flags', () => {
  it('parses rclone durations', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('12')).toBe(12_000);
    expect(() => parseDuration('5 minutes')).toThrow();
    expect(() => parseDuration('')).toThrow();
  });

  it('splits remote:path specs', () => {
    expect(parseRemoteSpec(undefined)).toEqual({ remote: 'fichier', path: '' });
    expect(parseRemoteSpec('fichier:')).toEqual({ remote: 'fichier', path: '' });
    expect(parseRemoteSpec('mine:/sub/dir/')).toEqual({ remote: 'mine', path: 'sub/dir' });
  });

  it('takes the API key from FICHIER_API_KEY, else RCLONE_FICHIER_API_KEY', () => {
    expect(apiKeyFromEnv({ FICHIER_API_KEY: 'a', RCLONE_FICHIER_API_KEY: 'b' }).reveal()).toBe('a');
    expect(apiKeyFromEnv({ RCLONE_FICHIER_API_KEY: 'b' }).reveal()).toBe('b');
    expect(() => apiKeyFromEnv({})).toThrow(/FICHIER_API_KEY.*RCLONE_FICHIER_API_KEY/);
  });
});
