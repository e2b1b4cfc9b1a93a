import { describe, it, expect } from 'vitest';
import { REAL_API_BASE } from '../api/types.ts';
import { ConfigError } from './errors.ts';
import {
  FIELDS,
  REMOTE_VALUES,
  defaultText,
  expectedText,
  fieldByPath,
  fieldDefault,
  flagName,
  formatFieldValue,
  getPath,
  parseFieldJson,
  parseFieldText,
  setPath,
  type FieldDescriptor,
} from './schema.ts';
import { DEFAULT_API_URL, defaultSettings } from './settings.ts';

const field = (path: string): FieldDescriptor => {
  const f = fieldByPath(path);
  if (f === undefined) throw new Error(`no field ${path}`);
  return f;
};

function errOf(fn: () => unknown): ConfigError | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  return undefined;
}

/** Every dotted leaf path of a plain object. */
function leaves(obj: object, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? leaves(v as object, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

describe('the schema', () => {
  it('uses the real API base as the default URL', () => {
    expect(DEFAULT_API_URL).toBe(REAL_API_BASE);
  });

  it('describes every Settings field exactly once, each with a doc', () => {
    const settingsPaths = [...leaves(defaultSettings({ HOME: '/h' })), 'apiKeyFrom', 'user', 'pass', 'htpasswd', 'cert', 'key', 'rcUser', 'rcPass', 'mount.pidFile', 'sharedState', 'sharedStatePassword', 'sharedStatePasswordFile'].sort();
    expect(FIELDS.map((f) => f.path).sort()).toEqual(settingsPaths);
    for (const f of FIELDS) expect(f.doc.length).toBeGreaterThan(10);
  });

  it('has unique flags and environment variables', () => {
    const flags = FIELDS.map(flagName).filter((f) => f !== undefined);
    expect(new Set(flags).size).toBe(flags.length);
    const envs = [...FIELDS.flatMap((f) => f.env), ...REMOTE_VALUES.flatMap((r) => r.env)];
    expect(new Set(envs).size).toBe(envs.length);
  });

  it('keeps rclone flag names', () => {
    const expected: Record<string, string> = {
      addr: '--addr', user: '--user', pass: '--pass', htpasswd: '--htpasswd', readOnly: '--read-only', baseurl: '--baseurl',
      cert: '--cert', key: '--key', dirCacheTime: '--dir-cache-time', vfsReadChunkSize: '--vfs-read-chunk-size',
      vfsReadChunkSizeLimit: '--vfs-read-chunk-size-limit', cacheDir: '--cache-dir', logFormat: '--log-format', logLevel: '--log-level',
      rc: '--rc', rcAddr: '--rc-addr', allowAnonymous: '--allow-anonymous', emulator: '--emulator', emulatorData: '--emulator-data',
      'pacer.minIntervalMs': '--pacer-min-interval', 'pacer.concurrency': '--pacer-concurrency', 'pacer.banCooldownMs': '--pacer-ban-cooldown',
      apiUrl: '--api-url', allowOrigin: '--allow-origin', rcUser: '--rc-user', rcPass: '--rc-pass',
      'mount.vfsCacheMode': '--vfs-cache-mode', 'mount.allowOther': '--allow-other',
      'mount.allowNonEmpty': '--allow-non-empty', 'mount.daemon': '--daemon',
    };
    for (const [path, flag] of Object.entries(expected)) expect(flagName(field(path))).toBe(flag);
    expect(field('apiKeyFrom').flag).toBeUndefined();
  });

  it('validates every example against its own field', () => {
    for (const f of FIELDS) {
      if (f.example === null || f.inFile === false) continue;
      expect(() => parseFieldJson(f, f.example, 'example')).not.toThrow();
    }
  });

  it('shows defaults as rclone does', () => {
    expect(defaultText(field('dirCacheTime'))).toBe('5m');
    expect(defaultText(field('vfsReadChunkSize'))).toBe('128Mi');
    expect(defaultText(field('vfsReadChunkSizeLimit'))).toBe('off');
    expect(defaultText(field('pacer.minIntervalMs'))).toBe('400ms');
    expect(defaultText(field('pacer.banCooldownMs'))).toBe('5m');
    expect(defaultText(field('user'))).toBeUndefined();
    expect(fieldDefault(field('cacheDir'), { HOME: '/h', XDG_CACHE_HOME: '/c' })).toBe('/c/fichier-dav');
  });
});

describe('parseFieldText (flags and environment)', () => {
  it('parses each type with rclone syntax', () => {
    expect(parseFieldText(field('dirCacheTime'), '90', 'env X')).toBe(90_000);
    expect(parseFieldText(field('vfsReadChunkSize'), '64', 'env X')).toBe(64 * 1024);
    expect(parseFieldText(field('readOnly'), 'T', 'env X')).toBe(true);
    expect(parseFieldText(field('pacer.concurrency'), '8', 'env X')).toBe(8);
    expect(parseFieldText(field('logFormat'), 'json', 'env X')).toBe('json');
    expect(parseFieldText(field('remote'), 'work:', 'argument')).toBe('work');
  });

  it('names the field and the origin, never the value', () => {
    const cases: [string, string][] = [
      ['dirCacheTime', 'SECRETish5q'], ['vfsReadChunkSize', '12MB'], ['readOnly', 'yes'],
      ['pacer.concurrency', '0'], ['pacer.concurrency', '65'], ['logFormat', 'xml'], ['rcAddr', '0.0.0.0:5572'], ['addr', 'nope'],
      ['apiUrl', 'ftp://x'], ['remote', 'a/b'], ['baseurl', '/a?b'],
    ];
    for (const [path, text] of cases) {
      const err = errOf(() => parseFieldText(field(path), text, 'env FICHIER_DAV_X'));
      expect(err?.code, path).toBe('bad-field');
      expect(err?.field).toBe(path);
      expect(err?.message).toContain('env FICHIER_DAV_X');
      expect(err?.message).not.toContain(text);
    }
  });

  it('refuses off for the read chunk size (0 disables chunking)', () => {
    expect(errOf(() => parseFieldText(field('vfsReadChunkSize'), 'off', 'flag --vfs-read-chunk-size'))?.code).toBe('bad-field');
    expect(parseFieldText(field('vfsReadChunkSize'), '0', 'flag --vfs-read-chunk-size')).toBe(0);
  });

  it('accepts loopback control addresses only', () => {
    for (const ok of ['127.0.0.1:5572', ':5572', '[::1]:1', 'localhost:9', '127.1.2.3:0']) expect(parseFieldText(field('rcAddr'), ok, 'flag')).toBe(ok);
  });
});

describe('list settings (--allow-origin, --allow-host)', () => {
  it('split a comma-separated value into canonical items', () => {
    expect(parseFieldText(field('allowOrigin'), 'http://LocalHost:3000/, https://app.example.com:443', 'env X')).toEqual(['http://localhost:3000', 'https://app.example.com']);
    expect(parseFieldText(field('allowHost'), 'Drive.Example.com,,[::1] ', 'env X')).toEqual(['drive.example.com', '[::1]']);
    expect(parseFieldText(field('allowHost'), '', 'env X')).toEqual([]);
    expect(parseFieldJson(field('allowOrigin'), ['http://localhost:3000'], 'f')).toEqual(['http://localhost:3000']);
    expect(formatFieldValue(field('allowOrigin'), ['http://a:1', 'http://b:2'])).toBe('http://a:1, http://b:2');
    expect(formatFieldValue(field('allowHost'), [])).toBe('(none)');
  });

  it('refuse "*", "null", paths and ports where they do not belong, naming the field, never the value', () => {
    const cases: [string, string][] = [
      ['allowOrigin', '*'], ['allowOrigin', 'null'], ['allowOrigin', 'http://x:1/path'], ['allowOrigin', 'localhost:3999'], ['allowOrigin', 'http://ok:1,ftp://x'],
      ['allowHost', 'drive.example.com:443'], ['allowHost', '*.example.com'], ['allowHost', 'http://x'],
    ];
    for (const [path, text] of cases) {
      const err = errOf(() => parseFieldText(field(path), text, 'flag --x'));
      expect([path, text, err?.code]).toEqual([path, text, 'bad-field']);
      // "*" and "null" are named by the explanation itself; anything else typed is never echoed.
      if (text !== '*' && text !== 'null') expect(err?.message).not.toContain(text);
    }
    for (const value of ['http://x:1', ['http://x:1', 3], [' *']]) expect(errOf(() => parseFieldJson(field('allowOrigin'), value, 'f'))?.code).toBe('bad-field');
  });
});

describe('parseFieldJson (mount.json)', () => {
  it('takes numbers as milliseconds and bytes, strings with rclone syntax', () => {
    expect(parseFieldJson(field('pacer.minIntervalMs'), 400, 'f')).toBe(400);
    expect(parseFieldJson(field('pacer.minIntervalMs'), '1s', 'f')).toBe(1000);
    expect(parseFieldJson(field('vfsReadChunkSize'), 1048576, 'f')).toBe(1048576);
    expect(parseFieldJson(field('vfsReadChunkSizeLimit'), 'off', 'f')).toBe(-1);
    expect(parseFieldJson(field('vfsReadChunkSizeLimit'), -1, 'f')).toBe(-1);
  });

  it('rejects wrong JSON types, naming the expected type', () => {
    const cases: [string, unknown][] = [
      ['addr', 8080], ['readOnly', 'true'], ['pacer.concurrency', 4.5], ['pacer.concurrency', '4'], ['dirCacheTime', true],
      ['dirCacheTime', -5], ['vfsReadChunkSizeLimit', -2], ['dirCacheTime', 1.5], ['logLevel', 'loud'], ['user', ['a']],
    ];
    for (const [path, value] of cases) {
      const err = errOf(() => parseFieldJson(field(path), value, 'mount.json /m.json'));
      expect(err?.code, path).toBe('bad-field');
      expect(err?.field).toBe(path);
    }
    expect(errOf(() => parseFieldJson(field('readOnly'), 'x', 'f'))?.message).toContain(expectedText(field('readOnly'), true));
  });
});

describe('dotted paths', () => {
  it('gets and sets nested values', () => {
    const o: Record<string, unknown> = {};
    setPath(o, 'pacer.concurrency', 3);
    setPath(o, 'addr', 'x');
    expect(o).toEqual({ pacer: { concurrency: 3 }, addr: 'x' });
    expect(getPath(o, 'pacer.concurrency')).toBe(3);
    expect(getPath(o, 'addr.nope')).toBeUndefined();
  });
});
