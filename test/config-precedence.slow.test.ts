/**
 * Configuration precedence across the five tiers (defaults < mount.json < rclone remote < environment < flags),
 * with rclone.conf files and obscured passwords produced by Debian's rclone binary itself, the encrypted config
 * written by rclone 1.60.1 (test/fixtures/rclone-1.60-encrypted.conf, password "mypass"), a remote defined by
 * environment only, the permission warning, and mount.json errors.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { ConfigError, resolveSettings, type ResolveInput } from '../src/config/resolve.ts';
import type { RcloneConfigError } from '../src/config/rclone-conf.ts';
import type { RcloneCryptError } from '../src/config/rclone-crypt.ts';
import { passwordCandidates } from '../src/config/obscure.ts';
import { formatConfigShow } from '../src/config/show.ts';
import { thrownBy } from './support/errors.ts';

const ENCRYPTED_FIXTURE = join(import.meta.dirname, 'fixtures', 'rclone-1.60-encrypted.conf');

let root: string;
let home: string;
let work: string;
let execDir: string;

/** Runs Debian's rclone with a private HOME; returns stdout. */
function rclone(args: string[], env: NodeJS.ProcessEnv = {}): string {
  return execFileSync('rclone', args, { env: { PATH: process.env.PATH, HOME: home, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
}

function resolve(over: Partial<ResolveInput> & { env?: NodeJS.ProcessEnv } = {}) {
  return resolveSettings({ flags: {}, cwd: work, execDir, platform: 'linux', ...over, env: { HOME: home, ...over.env } });
}

const configError = (fn: () => unknown): ConfigError => thrownBy(fn, ConfigError);

/** A fresh rclone.conf written by `rclone config create` (rclone obscures the passwords itself). */
function rcloneConf(name: string, remote: string, params: string[]): string {
  const file = join(root, name);
  rmSync(file, { force: true });
  rclone(['--config', file, 'config', 'create', remote, 'fichier', ...params]);
  return file;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'fd-config-prec-'));
  home = join(root, 'home');
  work = join(root, 'work');
  execDir = join(root, 'bin');
  for (const d of [home, work, execDir]) mkdirSync(d);
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('precedence: defaults < mount.json < rclone remote < environment < flags', () => {
  const FILE_KEY = 'FromRcloneConf0123456789';

  it('applies each tier over the one below, for several fields and the key', () => {
    const mount = join(work, 'tiers.json');
    const keyFile = join(root, 'mount-key.txt');
    writeFileSync(keyFile, 'FromMountJsonKeyFile0123\n', { mode: 0o600 });
    writeFileSync(mount, JSON.stringify({ addr: ':1001', dirCacheTime: '1m', cdn: false, pacer: { concurrency: 2 }, apiKeyFrom: `file:${keyFile}` }));
    const conf = rcloneConf('tiers.conf', 'fichier', [`api_key=${FILE_KEY}`, 'cdn=true']);

    const tiers: { flags?: Record<string, unknown>; env?: NodeJS.ProcessEnv }[] = [
      {},
      { flags: { mountConfig: mount } },
      { flags: { mountConfig: mount, config: conf } },
      {
        flags: { mountConfig: mount, config: conf },
        env: { FICHIER_DAV_ADDR: ':1003', RCLONE_DIR_CACHE_TIME: '3m', RCLONE_CONFIG_FICHIER_CDN: 'false', FICHIER_DAV_PACER_CONCURRENCY: '3', FICHIER_API_KEY: 'FromEnvironment012345678' },
      },
      {
        flags: { mountConfig: mount, config: conf, addr: ':1004', dirCacheTime: 240_000, cdn: true, 'pacer.concurrency': 5 },
        env: { FICHIER_DAV_ADDR: ':1003', RCLONE_DIR_CACHE_TIME: '3m', RCLONE_CONFIG_FICHIER_CDN: 'false', FICHIER_DAV_PACER_CONCURRENCY: '3', FICHIER_API_KEY: 'FromEnvironment012345678' },
      },
    ];
    const expected = [
      { addr: ['127.0.0.1:8080', 'default'], dirCacheTime: [300_000, 'default'], cdn: [false, 'default'], 'pacer.concurrency': [4, 'default'], key: [undefined, undefined] },
      { addr: [':1001', `mount.json:${mount}`], dirCacheTime: [60_000, `mount.json:${mount}`], cdn: [false, `mount.json:${mount}`], 'pacer.concurrency': [2, `mount.json:${mount}`], key: ['FromMountJsonKeyFile0123', `file:${keyFile} via mount.json:${mount}`] },
      { addr: [':1001', `mount.json:${mount}`], dirCacheTime: [60_000, `mount.json:${mount}`], cdn: [true, `rclone.conf:${conf} [fichier]`], 'pacer.concurrency': [2, `mount.json:${mount}`], key: [FILE_KEY, `rclone.conf:${conf} [fichier]`] },
      { addr: [':1003', 'env:FICHIER_DAV_ADDR'], dirCacheTime: [180_000, 'env:RCLONE_DIR_CACHE_TIME'], cdn: [false, 'env:RCLONE_CONFIG_FICHIER_CDN'], 'pacer.concurrency': [3, 'env:FICHIER_DAV_PACER_CONCURRENCY'], key: ['FromEnvironment012345678', 'env:FICHIER_API_KEY'] },
      { addr: [':1004', 'flag:--addr'], dirCacheTime: [240_000, 'flag:--dir-cache-time'], cdn: [true, 'flag:--fichier-cdn'], 'pacer.concurrency': [5, 'flag:--pacer-concurrency'], key: ['FromEnvironment012345678', 'env:FICHIER_API_KEY'] },
    ];
    tiers.forEach((tier, i) => {
      const r = resolve(tier);
      const want = expected[i]!;
      const got = {
        addr: [r.settings.addr, r.sources.addr],
        dirCacheTime: [r.settings.dirCacheTime, r.sources.dirCacheTime],
        cdn: [r.settings.cdn, r.sources.cdn],
        'pacer.concurrency': [r.settings.pacer.concurrency, r.sources['pacer.concurrency']],
        key: [r.apiKey?.reveal(), r.sources.apiKey],
      };
      expect(got, `tier ${i}`).toEqual(want);
    });
  });

  it('orders the key sources: RCLONE_CONFIG_<REMOTE>_API_KEY > FICHIER_API_KEY > RCLONE_FICHIER_API_KEY > rclone.conf', () => {
    const conf = rcloneConf('keys.conf', 'fich', [`api_key=${FILE_KEY}`]);
    const base = { flags: { config: conf }, remote: 'fich' };
    const key = (env: NodeJS.ProcessEnv) => {
      const r = resolve({ ...base, env });
      return [r.apiKey?.reveal(), r.sources.apiKey];
    };
    expect(key({})).toEqual([FILE_KEY, `rclone.conf:${conf} [fich]`]);
    expect(key({ RCLONE_FICHIER_API_KEY: 'Backend0123456' })).toEqual(['Backend0123456', 'env:RCLONE_FICHIER_API_KEY']);
    expect(key({ RCLONE_FICHIER_API_KEY: 'Backend0123456', FICHIER_API_KEY: 'Own0123456789' })).toEqual(['Own0123456789', 'env:FICHIER_API_KEY']);
    expect(key({ FICHIER_API_KEY: 'Own0123456789', RCLONE_CONFIG_FICH_API_KEY: 'PerRemote01234' })).toEqual(['PerRemote01234', 'env:RCLONE_CONFIG_FICH_API_KEY']);
  });

  it("finds rclone.conf at rclone's default location when --config is not given", () => {
    const dir = join(home, '.config', 'rclone');
    mkdirSync(dir, { recursive: true });
    const conf = join(dir, 'rclone.conf');
    copyFileSync(rcloneConf('default-loc.conf', 'fichier', ['api_key=DefaultLocation0123']), conf);
    try {
      expect(rclone(['listremotes'])).toContain('fichier:');
      const r = resolve();
      expect(r.apiKey?.reveal()).toBe('DefaultLocation0123');
      expect(r.sources.apiKey).toBe(`rclone.conf:${conf} [fichier]`);
    } finally {
      rmSync(conf);
    }
  });
});

describe('rclone.conf written by rclone itself', () => {
  it('reveals file_password that rclone obscured, and keeps folder_password as written, revealed first when tried', () => {
    const plainFile = 'p@ss wörd:1=x';
    const plainFolder = 'dir pw/2';
    const conf = rcloneConf('pw.conf', 'pw', ['api_key=PwRemoteKey0123', `file_password=${plainFile}`, `folder_password=${plainFolder}`, 'shared_folder=abc123']);
    const r = resolve({ flags: { config: conf }, remote: 'pw' });
    expect(r.filePassword?.reveal()).toBe(plainFile);
    expect(r.folderPassword?.reveal()).not.toBe(plainFolder);
    expect(passwordCandidates(r.folderPassword!.reveal())[0]).toBe(plainFolder);
    expect(r.sharedFolder).toBe('abc123');
    expect(r.sources.filePassword).toBe(`rclone.conf:${conf} [pw]`);
    const shown = formatConfigShow(r);
    for (const secret of [plainFile, plainFolder, 'PwRemoteKey0123']) expect(shown).not.toContain(secret);
  });

  it('reveals `rclone obscure` output given by environment', () => {
    const plain = 'env pass+3 ü';
    const obscured = rclone(['--config', '/dev/null', 'obscure', plain]).trim();
    expect(obscured).not.toContain(plain);
    const r = resolve({ flags: { config: '/dev/null' }, env: { RCLONE_FICHIER_FILE_PASSWORD: obscured, FICHIER_API_KEY: 'EnvOnly01234567' } });
    expect(r.filePassword?.reveal()).toBe(plain);
    expect(r.sources.filePassword).toBe('env:RCLONE_FICHIER_FILE_PASSWORD');
  });

  it('refuses a password rclone did not obscure, naming the key', () => {
    const conf = join(root, 'plain-pw.conf');
    writeFileSync(conf, '[bad]\ntype = fichier\nfile_password = not obscured!\n', { mode: 0o600 });
    const err = configError(() => resolve({ flags: { config: conf }, remote: 'bad' }));
    expect(err.code).toBe('rclone-config');
    expect((err.cause as RcloneConfigError).code).toBe('bad-obscured');
    expect(err.message).toContain('file_password');
    expect(err.message).not.toContain('not obscured!');
  });
});

describe('the encrypted rclone.conf written by rclone 1.60.1', () => {
  let conf: string;

  beforeAll(() => {
    conf = join(root, 'encrypted.conf');
    copyFileSync(ENCRYPTED_FIXTURE, conf);
    chmodSync(conf, 0o644);
  });

  it('is a genuine rclone config: rclone itself opens it with RCLONE_CONFIG_PASS', () => {
    expect(rclone(['--config', conf, 'config', 'show', 'fich'], { RCLONE_CONFIG_PASS: 'mypass' })).toContain('type = fichier');
  });

  it('opens with RCLONE_CONFIG_PASS and gives the remote, with no permission warning', () => {
    const r = resolve({ flags: { config: conf }, remote: 'fich', env: { RCLONE_CONFIG_PASS: 'mypass' } });
    expect(r.apiKey?.reveal()).toBe('KEYabc123');
    expect(r.settings.cdn).toBe(true);
    expect(r.filePassword?.reveal()).toBe(rclone(['--config', '/dev/null', 'reveal', 'uhHc9sEVq5ZHWUmp9falNBfgD0ieEHlsPiRZ']).trim());
    expect(r.warnings).toEqual([]);
  });

  it('fails without RCLONE_CONFIG_PASS or with a wrong one', () => {
    const none = configError(() => resolve({ flags: { config: conf }, remote: 'fich' }));
    expect(none.code).toBe('rclone-config');
    expect((none.cause as RcloneConfigError).code).toBe('password-required');
    const wrong = configError(() => resolve({ flags: { config: conf }, remote: 'fich', env: { RCLONE_CONFIG_PASS: 'WrongPassword9' } }));
    expect((wrong.cause as RcloneCryptError).code).toBe('bad-password');
    expect(wrong.message).not.toContain('WrongPassword9');
  });

  it('is skipped with a warning at the default location when the default remote was not named', () => {
    const dir = join(home, '.config', 'rclone');
    mkdirSync(dir, { recursive: true });
    const atDefault = join(dir, 'rclone.conf');
    copyFileSync(ENCRYPTED_FIXTURE, atDefault);
    try {
      const r = resolve({ env: { FICHIER_API_KEY: 'EnvKeyWithLockedConf1' } });
      expect(r.apiKey?.reveal()).toBe('EnvKeyWithLockedConf1');
      expect(r.warnings).toHaveLength(1);
      expect(r.warnings[0]).toContain('RCLONE_CONFIG_PASS');
      expect((configError(() => resolve({ remote: 'fichier' })).cause as RcloneConfigError).code).toBe('password-required');
    } finally {
      rmSync(atDefault);
    }
  });

  it('refuses a remote of another type', () => {
    const err = configError(() => resolve({ flags: { config: conf }, remote: 'other', env: { RCLONE_CONFIG_PASS: 'mypass' } }));
    expect((err.cause as RcloneConfigError).code).toBe('wrong-type');
  });
});

describe('a remote defined by environment only', () => {
  const env = { RCLONE_CONFIG_ENVFICH_TYPE: 'fichier', RCLONE_CONFIG_ENVFICH_API_KEY: 'EnvRemoteKey012345', RCLONE_CONFIG_ENVFICH_CDN: 'true' };

  it('is a remote rclone itself sees', () => {
    expect(rclone(['--config', '/dev/null', 'listremotes'], env)).toContain('envfich:');
  });

  it('resolves without any file', () => {
    const r = resolve({ remote: 'envfich', env });
    expect(r.settings.remote).toBe('envfich');
    expect(r.apiKey?.reveal()).toBe('EnvRemoteKey012345');
    expect(r.sources.apiKey).toBe('env:RCLONE_CONFIG_ENVFICH_API_KEY');
    expect(r.settings.cdn).toBe(true);
    expect(r.sources.cdn).toBe('env:RCLONE_CONFIG_ENVFICH_CDN');
  });

  it('is required for a named remote, not for the default one', () => {
    expect(configError(() => resolve({ remote: 'nosuch' })).code).toBe('remote-not-found');
    expect(resolve({ remote: 'fichier', env: { RCLONE_FICHIER_API_KEY: 'BackendOnly0123' } }).apiKey?.reveal()).toBe('BackendOnly0123');
  });
});

describe('the permission warning for a file holding the key', () => {
  it('warns for a 0644 rclone.conf, naming it and chmod 600, and is silent for 0600', () => {
    const conf = rcloneConf('perm.conf', 'fichier', ['api_key=PermissionKey01234']);
    expect(resolve({ flags: { config: conf } }).warnings).toEqual([]);
    chmodSync(conf, 0o644);
    const { warnings } = resolve({ flags: { config: conf } });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(conf);
    expect(warnings[0]).toContain('chmod 600');
    expect(warnings[0]).not.toContain('PermissionKey01234');
  });

  it('does not warn when the key came from elsewhere', () => {
    const conf = rcloneConf('perm2.conf', 'fichier', ['api_key=PermissionKey01234']);
    chmodSync(conf, 0o644);
    expect(resolve({ flags: { config: conf }, env: { FICHIER_API_KEY: 'EnvWins0123456' } }).warnings).toEqual([]);
  });
});

describe('mount.json errors', () => {
  const write = (name: string, text: string): string => {
    const file = join(work, name);
    writeFileSync(file, text);
    return file;
  };

  it('names an unknown field with a suggestion', () => {
    const file = write('unknown.json', JSON.stringify({ readonly: true, dirCacheTim: '5m' }));
    const err = configError(() => resolve({ flags: { mountConfig: file } }));
    expect(err).toMatchObject({ code: 'unknown-field', file });
    expect(err.message).toMatch(/did you mean (readOnly|dirCacheTime)\?/);
  });

  it('names a wrongly typed field and the expected type', () => {
    const file = write('type.json', JSON.stringify({ pacer: { concurrency: 'four' } }));
    const err = configError(() => resolve({ flags: { mountConfig: file } }));
    expect(err).toMatchObject({ code: 'bad-field', field: 'pacer.concurrency', file });
    expect(err.message).toContain(file);
    expect(err.message).toContain('whole number');
  });

  it('gives file, line and column of a syntax error, never the text', () => {
    const file = write('syntax.json', '{\n  "addr": ":9",\n  "user": "u",,\n  "x": "TopSecretValue"\n}\n');
    const err = configError(() => resolve({ env: { FICHIER_DAV_CONFIG: file } }));
    expect(err.code).toBe('bad-json');
    expect(err.message).toContain(file);
    expect(err.message).toContain('line 3, column 15');
    expect(err.message).not.toContain('TopSecretValue');
  });

  it('refuses the key itself and never echoes it', () => {
    const file = write('key.json', JSON.stringify({ apiKey: 'PastedKeyValue0123' }));
    const err = configError(() => resolve({ flags: { mountConfig: file } }));
    expect(err.code).toBe('not-in-file');
    expect(err.message).not.toContain('PastedKeyValue0123');
  });
});
