import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { defaultCacheDir, defaultConfigDir, expandHome, homeDir } from './dirs.ts';

describe('per-user directories', () => {
  it('follows XDG when absolute, else ~/.cache and ~/.config', () => {
    expect(defaultCacheDir({ HOME: '/h', XDG_CACHE_HOME: '/xc' })).toBe(join('/xc', 'fichier-dav'));
    expect(defaultCacheDir({ HOME: '/h', XDG_CACHE_HOME: 'rel' })).toBe(join('/h', '.cache', 'fichier-dav'));
    expect(defaultCacheDir({ HOME: '/h' })).toBe(join('/h', '.cache', 'fichier-dav'));
    expect(defaultConfigDir({ HOME: '/h', XDG_CONFIG_HOME: '/xg' })).toBe(join('/xg', 'fichier-dav'));
    expect(defaultConfigDir({ HOME: '/h', XDG_CONFIG_HOME: '' })).toBe(join('/h', '.config', 'fichier-dav'));
  });

  it('expands a leading ~ only', () => {
    expect(homeDir({ HOME: '/h' })).toBe('/h');
    expect(homeDir({ USERPROFILE: 'C:\\u' })).toBe('C:\\u');
    expect(expandHome('~', { HOME: '/h' })).toBe('/h');
    expect(expandHome('~/a/b', { HOME: '/h' })).toBe(join('/h', 'a/b'));
    expect(expandHome('/x/~/y', { HOME: '/h' })).toBe('/x/~/y');
    expect(expandHome('~other/x', { HOME: '/h' })).toBe('~other/x');
  });
});
