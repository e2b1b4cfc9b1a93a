import { describe, expect, it } from 'vitest';
import { reveal } from '../../config/obscure.ts';
import { defaultSettings } from '../../config/settings.ts';
import { CliError } from '../context.ts';
import { EXIT_NO_RCLONE, RCLONE_DIR_CACHE_CAP_MS, RCLONE_REMOTE, findRclone, rcloneMountInvocation } from './mount-rclone.ts';
import { linuxMountPoints } from './mount-point.ts';

const settings = defaultSettings({ HOME: '/h' });
const base = {
  mountPoint: '/mnt/f',
  url: 'http://127.0.0.1:40001/',
  user: 'fichier-dav-abc',
  pass: 'generated-secret-password',
  settings,
  cacheDir: '/c/rclone',
  configFile: '/c/rclone.conf',
  env: { PATH: '/usr/bin', HOME: '/h', FICHIER_API_KEY: 'KEY-1234', RCLONE_FICHIER_API_KEY: 'KEY-5678', RCLONE_VFS_CACHE_MODE: 'off', NOTIFY_SOCKET: '/run/n' },
  platform: 'linux' as const,
};

const flagValue = (args: string[], flag: string): string | undefined => {
  const i = args.indexOf(flag);
  return i < 0 ? undefined : args[i + 1];
};

describe('rcloneMountInvocation', () => {
  it('keeps the password off the command line and out of the environment; the config file holds it obscured', () => {
    const inv = rcloneMountInvocation(base);
    expect(inv.args.slice(0, 3)).toEqual(['mount', `${RCLONE_REMOTE}:`, '/mnt/f']);
    expect(flagValue(inv.args, '--config')).toBe('/c/rclone.conf');
    expect(inv.args.join(' ')).not.toContain(base.pass);
    expect(JSON.stringify(inv.env)).not.toContain(base.pass);
    const pass = /^pass = (.+)$/m.exec(inv.config)?.[1];
    expect(pass).toBeDefined();
    expect(pass).not.toBe(base.pass);
    expect(reveal(pass!)).toBe(base.pass);
    expect(inv.config).toMatch(/^\[fichier-dav\]\ntype = webdav\nurl = http:\/\/127\.0\.0\.1:40001\/\nvendor = owncloud\nuser = fichier-dav-abc\n/);
  });

  it('passes no RCLONE_* or FICHIER_* variable to rclone (the API key never reaches it), keeps the rest', () => {
    const { env } = rcloneMountInvocation(base);
    expect(Object.keys(env).sort()).toEqual(['HOME', 'NOTIFY_SOCKET', 'PATH']);
    expect(JSON.stringify(env)).not.toMatch(/KEY-/);
  });

  it('adds the optional flags only when set, and caps rclone\'s directory cache below the gateway\'s', () => {
    const plain = rcloneMountInvocation(base).args;
    for (const f of ['--read-only', '--allow-other', '--allow-non-empty', '--volname', '--vfs-case-insensitive']) expect(plain).not.toContain(f);
    expect(flagValue(plain, '--vfs-cache-mode')).toBe('writes');
    expect(flagValue(plain, '--dir-cache-time')).toBe(`${RCLONE_DIR_CACHE_CAP_MS}ms`);
    expect(flagValue(plain, '--cache-dir')).toBe('/c/rclone');
    expect(flagValue(plain, '--log-level')).toBe('NOTICE');
    const set = rcloneMountInvocation({
      ...base,
      platform: 'darwin',
      settings: {
        ...settings,
        readOnly: true,
        dirCacheTime: 2_000,
        logLevel: 'debug',
        vfsCaseInsensitive: true,
        mount: { ...settings.mount, vfsCacheMode: 'full', allowOther: true, allowNonEmpty: true },
      },
    }).args;
    for (const f of ['--read-only', '--allow-other', '--allow-non-empty', '--vfs-case-insensitive']) expect(set).toContain(f);
    expect(flagValue(set, '--vfs-cache-mode')).toBe('full');
    expect(flagValue(set, '--dir-cache-time')).toBe('2000ms');
    expect(flagValue(set, '--volname')).toBe('fichier');
    expect(flagValue(set, '--log-level')).toBe('DEBUG');
  });

  it('refuses a config value with a line break (it would inject a config line)', () => {
    expect(() => rcloneMountInvocation({ ...base, url: 'http://x/\n[evil]' })).toThrow(/line break/);
  });
});

describe('findRclone', () => {
  it('fails with the install advice and its own exit status when rclone is not on PATH', () => {
    let err: unknown;
    try {
      findRclone({ PATH: '/nonexistent-dir' }, 'linux');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(EXIT_NO_RCLONE);
    expect((err as CliError).message).toMatch(/apt install rclone fuse3/);
  });
});

describe('linuxMountPoints', () => {
  it('reads the mount point field and decodes its octal escapes', () => {
    const text = [
      '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw',
      '44 26 0:39 / /tmp/my\\040mount rw,nosuid,nodev,relatime - fuse.rclone fichier: rw,user_id=0,group_id=0',
    ].join('\n');
    expect([...linuxMountPoints(text)!]).toEqual(['/', '/tmp/my mount']);
  });
});
