import { createHash } from 'node:crypto';
import { join } from 'node:path';
import nacl from 'tweetnacl';
import { describe, it, expect } from 'vitest';
import { obscure, reveal } from './obscure.ts';
import { RcloneCryptError } from './rclone-crypt.ts';
import { RcloneConfigError, isInMemoryConfigPath, parseRcloneConf, rcloneConfigPaths, readFichierRemote } from './rclone-conf.ts';

const KEY = 'ZZtestKEY0123456789';

function errCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof RcloneConfigError || err instanceof RcloneCryptError) return err.code;
    return 'other';
  }
  return undefined;
}

function errMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  return '';
}

function encrypt(plain: string, password: string): string {
  const key = createHash('sha256').update(`[${password}][rclone-config]`).digest();
  const nonce = new Uint8Array(24).fill(3);
  return `# Encrypted rclone configuration File\n\nRCLONE_ENCRYPT_V0:\n${Buffer.concat([nonce, nacl.secretbox(Buffer.from(plain), nonce, key)]).toString('base64')}\n`;
}

const files = (map: Record<string, string>) => (p: string): string | undefined => map[p];

describe('parseRcloneConf (goconfig rules)', () => {
  it('reads sections, trims keys and values, skips comments and a BOM', () => {
    const c = parseRcloneConf('\uFEFF# top\n[fich]\n  type   =  fichier  \n; c\n   # indented comment\napi_key = abc\r\n\n[b]\nx=1\n');
    expect([...c.keys()]).toEqual(['fich', 'b']);
    expect(c.get('fich')?.get('type')).toBe('fichier');
    expect(c.get('fich')?.get('api_key')).toBe('abc');
    expect(c.get('b')?.get('x')).toBe('1');
  });

  it('has no inline comments', () => {
    expect(parseRcloneConf('[a]\nkey = v # x\nk2 = w ; y\n').get('a')).toEqual(new Map([['key', 'v # x'], ['k2', 'w ; y']]));
  });

  it('splits on the first = or :', () => {
    const a = parseRcloneConf('[a]\nurl = http://h:1/x=y\nk: v=w\nz=:q\n').get('a');
    expect(a?.get('url')).toBe('http://h:1/x=y');
    expect(a?.get('k')).toBe('v=w');
    expect(a?.get('z')).toBe(':q');
  });

  it('unwraps backtick and """ values, keeps plain "…" verbatim', () => {
    const a = parseRcloneConf('[a]\nb = `  sp # x `\nt = """he said "hi" `x`"""\nq = "quoted"\ne =\n').get('a');
    expect(a?.get('b')).toBe('  sp # x ');
    expect(a?.get('t')).toBe('he said "hi" `x`');
    expect(a?.get('q')).toBe('"quoted"');
    expect(a?.get('e')).toBe('');
  });

  it('accepts quoted keys holding separators', () => {
    const a = parseRcloneConf('[a]\n"k=1" = v\n`k:2`: w\n"""k"3""" = x\n').get('a');
    expect(a?.get('k=1')).toBe('v');
    expect(a?.get('k:2')).toBe('w');
    expect(a?.get('k"3')).toBe('x');
  });

  it('puts keys before any section in DEFAULT and lets a repeated key win last', () => {
    const c = parseRcloneConf('x = 1\n[a]\nk = 1\n[b]\n[a]\nk = 2\n');
    expect(c.get('DEFAULT')?.get('x')).toBe('1');
    expect(c.get('a')?.get('k')).toBe('2');
    expect(c.get('b')?.size).toBe(0);
  });

  it('fails on lines without separator, empty keys, unclosed quotes and keys under []', () => {
    for (const bad of ['[a]\njunk\n', '[a]\n= v\n', '[a]\nk = `oops\n', '[a]\n"k = v\n', '[]\nk = v\n']) {
      expect(errCode(() => parseRcloneConf(bad))).toBe('parse');
    }
    expect(errMessage(() => parseRcloneConf(`[a]\n${KEY}\n`))).not.toContain(KEY);
  });
});

describe('rcloneConfigPaths', () => {
  it('follows rclone search order', () => {
    expect(rcloneConfigPaths({ HOME: '/h', XDG_CONFIG_HOME: '/x' }, '/bin', 'linux')).toEqual([
      join('/bin', 'rclone.conf'),
      join('/x', 'rclone', 'rclone.conf'),
      join('/h', '.config', 'rclone', 'rclone.conf'),
      join('/h', '.rclone.conf'),
    ]);
    const win = rcloneConfigPaths({ HOME: '/h', APPDATA: '/ad' }, '/bin', 'win32');
    expect(win[1]).toBe(join('/ad', 'rclone', 'rclone.conf'));
    expect(rcloneConfigPaths({ HOME: '/h', APPDATA: '/ad' }, '/bin', 'linux')).not.toContain(join('/ad', 'rclone', 'rclone.conf'));
  });

  it('knows the in-memory config names', () => {
    for (const p of ['', '/dev/null', 'NUL', '/tmp/notfound']) expect(isInMemoryConfigPath(p)).toBe(true);
    expect(isInMemoryConfigPath('/tmp/rclone.conf')).toBe(false);
  });
});

describe('readFichierRemote', () => {
  const conf = `[fich]\ntype = fichier\napi_key = ${KEY}\ncdn = true\nshared_folder = abc\nfile_password = ${obscure('fp:1')}\nfolder_password = ${obscure('dp+2')}\n\n[loc]\ntype = local\n`;

  it('reads the remote from --config and reveals passwords', () => {
    const r = readFichierRemote('fich', { configPath: '/c.conf', env: {}, readFile: files({ '/c.conf': conf }) });
    expect(r).toMatchObject({ api_key: KEY, cdn: true, shared_folder: 'abc', file_password: 'fp:1', source: 'file:/c.conf' });
    expect(r?.folder_password).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(reveal(r!.folder_password!)).toBe('dp+2');
  });

  it('searches rclone default locations, first existing file wins', () => {
    const env = { HOME: '/h', XDG_CONFIG_HOME: '/x' };
    const r = readFichierRemote('fich', { env, execDir: '/bin', readFile: files({ '/h/.rclone.conf': 'x', [join('/x', 'rclone', 'rclone.conf')]: conf }) });
    expect(r?.source).toBe(`file:${join('/x', 'rclone', 'rclone.conf')}`);
    const viaEnv = readFichierRemote('fich', { env: { RCLONE_CONFIG: '/e.conf' }, readFile: files({ '/e.conf': conf }) });
    expect(viaEnv?.api_key).toBe(KEY);
  });

  it('returns undefined for a missing remote or an in-memory config', () => {
    expect(readFichierRemote('nope', { configPath: '/c.conf', env: {}, readFile: files({ '/c.conf': conf }) })).toBeUndefined();
    expect(readFichierRemote('fich', { configPath: '/dev/null', env: {}, readFile: files({ '/dev/null': conf }) })).toBeUndefined();
    expect(readFichierRemote('fich', { configPath: '/missing', env: { RCLONE_FICHIER_API_KEY: KEY }, readFile: files({}) })).toBeUndefined();
  });

  it('refuses a remote of another type', () => {
    expect(errCode(() => readFichierRemote('loc', { configPath: '/c.conf', env: {}, readFile: files({ '/c.conf': conf }) }))).toBe('wrong-type');
    expect(errCode(() => readFichierRemote('fich', { configPath: '/c.conf', env: { RCLONE_CONFIG_FICH_TYPE: 's3' }, readFile: files({ '/c.conf': conf }) }))).toBe('wrong-type');
  });

  it('names the key whose value does not reveal, without the API key', () => {
    const bad = `[f]\ntype = fichier\napi_key = ${KEY}\nfile_password = plain=text\n`;
    const fn = () => readFichierRemote('f', { configPath: '/c', env: {}, readFile: files({ '/c': bad }) });
    expect(errCode(fn)).toBe('bad-obscured');
    expect(errMessage(fn)).toContain('file_password');
    const clearFolder = `[f]\ntype = fichier\napi_key = ${KEY}\nfolder_password = plain=text\n`;
    expect(readFichierRemote('f', { configPath: '/c', env: {}, readFile: files({ '/c': clearFolder }) })?.folder_password).toBe('plain=text');
    expect(errMessage(fn)).not.toContain(KEY);
    expect(errCode(() => readFichierRemote('f', { configPath: '/c', env: {}, readFile: files({ '/c': '[f]\ntype = fichier\ncdn = maybe\n' }) }))).toBe('bad-value');
  });

  it('applies env precedence: RCLONE_CONFIG_<NAME>_<KEY> > RCLONE_FICHIER_<KEY> > file', () => {
    const readFile = files({ '/c.conf': conf });
    const backend = readFichierRemote('fich', { configPath: '/c.conf', env: { RCLONE_FICHIER_API_KEY: 'backendkey', RCLONE_FICHIER_CDN: 'false' }, readFile });
    expect(backend).toMatchObject({ api_key: 'backendkey', cdn: false, source: 'env:RCLONE_FICHIER_API_KEY' });
    const env = { RCLONE_FICHIER_API_KEY: 'backendkey', RCLONE_CONFIG_FICH_API_KEY: 'remotekey', RCLONE_CONFIG_FICH_FILE_PASSWORD: obscure('envpw') };
    const remote = readFichierRemote('fich', { configPath: '/c.conf', env, readFile });
    expect(remote).toMatchObject({ api_key: 'remotekey', file_password: 'envpw', source: 'env:RCLONE_CONFIG_FICH_API_KEY', shared_folder: 'abc' });
    expect(remote?.sources.shared_folder).toBe('file:/c.conf');
    expect(remote?.sources.file_password).toBe('env:RCLONE_CONFIG_FICH_FILE_PASSWORD');
  });

  it('creates a remote from RCLONE_CONFIG_<NAME>_TYPE alone (name case-insensitive)', () => {
    const env = { RCLONE_CONFIG_MYREMOTE_TYPE: 'fichier', RCLONE_FICHIER_API_KEY: KEY };
    const r = readFichierRemote('myRemote', { configPath: '', env, readFile: files({}) });
    expect(r).toMatchObject({ api_key: KEY, source: 'env:RCLONE_FICHIER_API_KEY' });
    const noKey = readFichierRemote('x', { configPath: '', env: { RCLONE_CONFIG_X_TYPE: 'fichier' } });
    expect(noKey).toEqual({ source: 'env:RCLONE_CONFIG_X_TYPE', sources: {} });
  });

  it('opens an encrypted config with RCLONE_CONFIG_PASS', () => {
    const readFile = files({ '/enc.conf': encrypt(conf, 'mypass') });
    expect(readFichierRemote('fich', { configPath: '/enc.conf', env: { RCLONE_CONFIG_PASS: 'mypass' }, readFile })?.api_key).toBe(KEY);
    expect(errCode(() => readFichierRemote('fich', { configPath: '/enc.conf', env: {}, readFile }))).toBe('password-required');
    expect(errCode(() => readFichierRemote('fich', { configPath: '/enc.conf', env: { RCLONE_CONFIG_PASS: 'nope' }, readFile }))).toBe('bad-password');
  });
});
