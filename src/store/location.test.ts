import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultCacheDir } from '../util/dirs.ts';
import { storePathFor } from './index.ts';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('storePathFor', () => {
  const apiBase = 'https://api.1fichier.com';
  const apiKey = 'SECRET-KEY-abc123';

  it('is <cacheDir>/<first 16 hex of sha256(apiBase\\nkey)>/meta.sqlite, without the key in it', () => {
    const hash = createHash('sha256').update(`${apiBase}\n${apiKey}`).digest('hex').slice(0, 16);
    const p = storePathFor({ cacheDir: '/var/cache/x', apiBase, apiKey });
    expect(p).toBe(join('/var/cache/x', hash, 'meta.sqlite'));
    expect(p).not.toContain(apiKey);
  });

  it('separates accounts and API bases, ignoring a trailing slash of the base', () => {
    const a = storePathFor({ cacheDir: '/c', apiBase, apiKey });
    expect(storePathFor({ cacheDir: '/c', apiBase, apiKey: 'other' })).not.toBe(a);
    expect(storePathFor({ cacheDir: '/c', apiBase: 'http://127.0.0.1:9/', apiKey })).not.toBe(a);
    expect(storePathFor({ cacheDir: '/c', apiBase: `${apiBase}/`, apiKey })).toBe(a);
  });

  it('defaults to $XDG_CACHE_HOME/fichier-dav, else ~/.cache/fichier-dav', () => {
    vi.stubEnv('XDG_CACHE_HOME', '/xdg');
    expect(defaultCacheDir()).toBe(join('/xdg', 'fichier-dav'));
    expect(storePathFor({ apiBase, apiKey }).startsWith(join('/xdg', 'fichier-dav'))).toBe(true);
    vi.stubEnv('XDG_CACHE_HOME', '');
    expect(defaultCacheDir()).toBe(join(homedir(), '.cache', 'fichier-dav'));
    vi.stubEnv('XDG_CACHE_HOME', 'relative/dir');
    expect(defaultCacheDir()).toBe(join(homedir(), '.cache', 'fichier-dav'));
  });
});
