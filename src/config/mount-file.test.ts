import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { ConfigError } from './errors.ts';
import { findMountFile, loadMountFile, parseMountFile, suggestField } from './mount-file.ts';
import { thrownBy } from '../../test/support/errors.ts';

const ENV = { HOME: '/home/u' };
const FILE = '/etc/fd/mount.json';

const errOf = (fn: () => unknown): ConfigError => thrownBy(fn, ConfigError);

const parse = (obj: unknown) => parseMountFile(JSON.stringify(obj), FILE, ENV);

describe('parseMountFile', () => {
  it('returns typed values by dotted path', () => {
    const m = parse({ addr: ':9090', dirCacheTime: '1m', pacer: { minIntervalMs: 250, concurrency: 2 }, vfsReadChunkSizeLimit: 'off', remote: 'work:' });
    expect(Object.fromEntries(m.values)).toEqual({ addr: ':9090', dirCacheTime: 60_000, 'pacer.minIntervalMs': 250, 'pacer.concurrency': 2, vfsReadChunkSizeLimit: -1, remote: 'work' });
    expect(m.path).toBe(FILE);
  });

  it('treats null as unset and accepts a BOM', () => {
    const m = parseMountFile('\uFEFF{"user": null, "cert": null, "readOnly": true}', FILE, ENV);
    expect(Object.fromEntries(m.values)).toEqual({ readOnly: true });
  });

  it('expands ~ and resolves relative paths against the file', () => {
    const m = parse({ cacheDir: '~/c', htpasswd: 'users.htpasswd', cert: '/abs/cert.pem', emulatorData: '../emu' });
    expect(m.values.get('cacheDir')).toBe(join('/home/u', 'c'));
    expect(m.values.get('htpasswd')).toBe('/etc/fd/users.htpasswd');
    expect(m.values.get('cert')).toBe('/abs/cert.pem');
    expect(m.values.get('emulatorData')).toBe('/etc/emu');
  });

  it('names an unknown field, with a suggestion when one is close', () => {
    const e = errOf(() => parse({ dirCacheTme: '5m' }));
    expect(e.code).toBe('unknown-field');
    expect(e.field).toBe('dirCacheTme');
    expect(e.file).toBe(FILE);
    expect(e.message).toContain('did you mean dirCacheTime?');
    expect(errOf(() => parse({ pacer: { minInterval: 5 } })).message).toContain('pacer.minIntervalMs');
    expect(errOf(() => parse({ dir_cache_time: '5m' })).message).toContain('dirCacheTime');
    expect(errOf(() => parse({ zzzzqqq: 1 })).message).not.toContain('did you mean');
  });

  it('refuses the API key and the WebDAV password, without echoing them', () => {
    for (const obj of [{ apiKey: 'LeakyKey123456' }, { api_key: 'LeakyKey123456' }, { pass: 'LeakyKey123456' }]) {
      const e = errOf(() => parse(obj));
      expect(e.code).toBe('not-in-file');
      expect(e.message).not.toContain('LeakyKey123456');
    }
    expect(errOf(() => parse({ apiKey: 'x' })).message).toContain('apiKeyFrom');
  });

  it('names a wrongly typed field and the expected type, never the value', () => {
    const e = errOf(() => parse({ readOnly: 'SomeValue99' }));
    expect(e.code).toBe('bad-field');
    expect(e.field).toBe('readOnly');
    expect(e.message).toContain('true or false');
    expect(e.message).toContain(FILE);
    expect(e.message).not.toContain('SomeValue99');
    expect(errOf(() => parse({ pacer: 400 })).field).toBe('pacer');
    expect(errOf(() => parse({ apiKeyFrom: 'MyKeyItself' })).field).toBe('apiKeyFrom');
  });

  it('reports a JSON syntax error with file, line and column, not the text', () => {
    const e = errOf(() => parseMountFile('{\n  "addr": ":1",\n  "user": SecretWord\n}', FILE, ENV));
    expect(e.code).toBe('bad-json');
    expect(e.message).toContain(FILE);
    expect(e.message).toContain('line 3, column 11');
    expect(e.message).not.toContain('SecretWord');
    expect(errOf(() => parseMountFile('[1]', FILE, ENV)).code).toBe('bad-json');
    expect(errOf(() => parseMountFile('', FILE, ENV)).code).toBe('bad-json');
  });
});

describe('suggestField', () => {
  it('finds near misses only', () => {
    expect(suggestField('readonly')).toBe('readOnly');
    expect(suggestField('adr')).toBe('addr');
    expect(suggestField('minIntervalMs')).toBe('pacer.minIntervalMs');
    expect(suggestField('colour')).toBeUndefined();
  });
});

describe('findMountFile', () => {
  const has = (...paths: string[]) => (p: string) => paths.includes(p);

  it('prefers --mount-config, then FICHIER_DAV_CONFIG, explicit even when missing', () => {
    expect(findMountFile({ flag: 'a.json', env: { FICHIER_DAV_CONFIG: '/b.json' }, cwd: '/w', exists: has() })).toEqual({ path: '/w/a.json', explicit: true });
    expect(findMountFile({ env: { FICHIER_DAV_CONFIG: '~/b.json', HOME: '/h' }, cwd: '/w', exists: has() })).toEqual({ path: '/h/b.json', explicit: true });
  });

  it('then ./mount.json, then the config directory', () => {
    const env = { HOME: '/h' };
    expect(findMountFile({ env, cwd: '/w', exists: has('/w/mount.json', '/h/.config/fichier-dav/mount.json') })?.path).toBe('/w/mount.json');
    expect(findMountFile({ env, cwd: '/w', exists: has('/h/.config/fichier-dav/mount.json') })).toEqual({ path: '/h/.config/fichier-dav/mount.json', explicit: false });
    expect(findMountFile({ env: { ...env, XDG_CONFIG_HOME: '/x' }, cwd: '/w', exists: has('/x/fichier-dav/mount.json') })?.path).toBe('/x/fichier-dav/mount.json');
    expect(findMountFile({ env, cwd: '/w', exists: has() })).toBeUndefined();
  });
});

describe('loadMountFile', () => {
  it('reports a missing file as not-found', () => {
    expect(errOf(() => loadMountFile('/nonexistent/dir/mount.json', ENV)).code).toBe('not-found');
  });
});
