import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it, expect } from 'vitest';
import { ConfigError, resolveSettings, type ResolveInput } from './resolve.ts';
import { defaultSettings } from './settings.ts';

let home: string;
let work: string;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'fd-resolve-home-'));
  work = mkdtempSync(join(tmpdir(), 'fd-resolve-work-'));
});

afterEach(() => {
  rmSync(home, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

function run(over: Partial<ResolveInput> = {}) {
  return resolveSettings({ flags: {}, env: { HOME: home }, cwd: work, execDir: work, platform: 'linux', ...over });
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof ConfigError ? err.code : 'other';
  }
  return undefined;
}

describe('resolveSettings', () => {
  it('takes the served root from a remote:path argument over the environment over mount.json, normalised', () => {
    writeFileSync(join(work, 'mount.json'), JSON.stringify({ root: '/Media/' }));
    expect(run().settings.root).toBe('Media');
    expect(run().sources.root).toMatch(/^mount\.json:/);
    const env = { HOME: home, FICHIER_DAV_ROOT: 'Media/Series' };
    expect(run({ env }).settings.root).toBe('Media/Series');
    const arg = run({ env, remote: 'fichier', root: 'Media/Movies' });
    expect({ root: arg.settings.root, source: arg.sources.root }).toEqual({ root: 'Media/Movies', source: 'arg:fichier:Media/Movies' });
    expect(run({ env, root: '' }).settings.root).toBe('');
    expect(codeOf(() => run({ env: { HOME: home, FICHIER_DAV_ROOT: 'a/../b' } }))).toBe('bad-field');
  });

  it('serves a shared folder read-only, whatever the other tiers say', () => {
    const r = run({ env: { HOME: home, RCLONE_FICHIER_SHARED_FOLDER: 'abc123' }, flags: { readOnly: false } });
    expect({ shared: r.sharedFolder, readOnly: r.settings.readOnly }).toEqual({ shared: 'abc123', readOnly: true });
    expect(r.sources.readOnly).toBe('env:RCLONE_FICHIER_SHARED_FOLDER (shared_folder: read-only)');
    expect(run({ flags: { readOnly: false } }).settings.readOnly).toBe(false);
  });

  it('gives the defaults with no configuration at all', () => {
    const r = run();
    expect(r.settings).toEqual(defaultSettings({ HOME: home }));
    expect(r.apiKey).toBeUndefined();
    expect(r.sources.addr).toBe('default');
    expect(r.sources.user).toBeUndefined();
    expect(r.warnings).toEqual([]);
    expect(r.mountConfig).toBeUndefined();
  });

  it('layers mount.json < env < flags and records each source', () => {
    const file = join(work, 'mount.json');
    writeFileSync(file, JSON.stringify({ addr: ':1', readOnly: true, dirCacheTime: '1m', logFormat: 'json' }));
    const env = { HOME: home, FICHIER_DAV_ADDR: ':2', RCLONE_ADDR: ':3', RCLONE_DIR_CACHE_TIME: '2m' };
    const r = run({ env, flags: { dirCacheTime: 180_000, json: true } });
    expect(r.mountConfig).toBe(file);
    expect(r.settings.addr).toBe(':2');
    expect(r.sources.addr).toBe('env:FICHIER_DAV_ADDR');
    expect(r.settings.readOnly).toBe(true);
    expect(r.sources.readOnly).toBe(`mount.json:${file}`);
    expect(r.settings.dirCacheTime).toBe(180_000);
    expect(r.sources.dirCacheTime).toBe('flag:--dir-cache-time');
    expect(r.settings.logFormat).toBe('json');
  });

  it('parses text flag values and maps -v / -vv / -q to the log level, below --log-level', () => {
    expect(run({ flags: { vfsReadChunkSize: '64M' } }).settings.vfsReadChunkSize).toBe(64 * 2 ** 20);
    const vv = run({ flags: { verbose: 2 } });
    expect(vv.settings.logLevel).toBe('debug');
    expect(vv.sources.logLevel).toBe('flag:-vv');
    expect(run({ flags: { verbose: 1 } }).settings.logLevel).toBe('info');
    expect(run({ flags: { verbose: 3 } }).settings.logLevel).toBe('trace');
    expect(run({ flags: { quiet: true } }).sources.logLevel).toBe('flag:-q');
    const both = run({ flags: { verbose: 1, logLevel: 'error' } });
    expect([both.settings.logLevel, both.sources.logLevel]).toEqual(['error', 'flag:--log-level']);
    expect(codeOf(() => run({ flags: { addr: 42n } }))).toBe('bad-field');
  });

  it('expands ~ in path flags and env', () => {
    const r = run({ flags: { cacheDir: '~/cache' }, env: { HOME: home, FICHIER_DAV_HTPASSWD: '~/h' } });
    expect(r.settings.cacheDir).toBe(join(home, 'cache'));
    expect(r.settings.htpasswd).toBe(join(home, 'h'));
  });

  it('fails on an explicit mount.json that is missing, and on bad env values', () => {
    expect(codeOf(() => run({ flags: { mountConfig: 'nope.json' } }))).toBe('not-found');
    expect(codeOf(() => run({ env: { HOME: home, FICHIER_DAV_CONFIG: join(work, 'x.json') } }))).toBe('not-found');
    expect(codeOf(() => run({ env: { HOME: home, FICHIER_DAV_RC_ADDR: '0.0.0.0:5572' } }))).toBe('bad-field');
  });

  it('takes the remote from the argument over env and mount.json; only fichier may be missing', () => {
    writeFileSync(join(work, 'mount.json'), JSON.stringify({ remote: 'fromfile' }));
    expect(codeOf(() => run())).toBe('remote-not-found');
    const env = { HOME: home, FICHIER_DAV_REMOTE: 'fromenv', RCLONE_CONFIG_FROMARG_TYPE: 'fichier' };
    const r = run({ env, remote: 'fromarg' });
    expect(r.settings.remote).toBe('fromarg');
    expect(r.sources.remote).toBe('arg:fromarg:');
    expect(codeOf(() => run({ env: { HOME: home }, remote: 'fichier' }))).toBeUndefined();
  });

  it('reads the key through apiKeyFrom env: and file:, below the environment', () => {
    const keyFile = join(work, 'key.txt');
    writeFileSync(keyFile, 'FileKey0123456789\n', { mode: 0o600 });
    writeFileSync(join(work, 'mount.json'), JSON.stringify({ apiKeyFrom: 'file:key.txt' }));
    const r = run();
    expect(r.apiKey?.reveal()).toBe('FileKey0123456789');
    expect(r.sources.apiKey).toBe(`file:${keyFile} via mount.json:${join(work, 'mount.json')}`);
    expect(r.warnings).toEqual([]);
    expect(run({ env: { HOME: home, FICHIER_API_KEY: 'EnvKey0123456789' } }).apiKey?.reveal()).toBe('EnvKey0123456789');
    writeFileSync(join(work, 'mount.json'), JSON.stringify({ apiKeyFrom: 'env:MY_KEY' }));
    expect(run({ env: { HOME: home, MY_KEY: ' K123456 ' } }).apiKey?.reveal()).toBe('K123456');
    expect(run().apiKey).toBeUndefined();
    writeFileSync(join(work, 'mount.json'), JSON.stringify({ apiKeyFrom: 'file:missing.txt' }));
    expect(codeOf(() => run())).toBe('not-found');
    writeFileSync(keyFile, '  \n');
    writeFileSync(join(work, 'mount.json'), JSON.stringify({ apiKeyFrom: 'file:key.txt' }));
    expect(codeOf(() => run())).toBe('key-missing');
  });

  it('warns about a readable key file, naming it, never on Windows', () => {
    const dir = join(home, 'k');
    mkdirSync(dir);
    const keyFile = join(dir, 'key');
    writeFileSync(keyFile, 'ReadableKey12345');
    chmodSync(keyFile, 0o644);
    writeFileSync(join(work, 'mount.json'), JSON.stringify({ apiKeyFrom: `file:${keyFile}` }));
    const r = run();
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toContain(keyFile);
    expect(r.warnings[0]).toContain('chmod 600');
    expect(r.warnings[0]).not.toContain('ReadableKey12345');
    expect(run({ platform: 'win32' }).warnings).toEqual([]);
  });
});
