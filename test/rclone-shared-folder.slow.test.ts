/**
 * rclone 1.60's own fichier backend reading a 1fichier shared folder (`shared_folder`, plus `folder_password` for a
 * protected one) through the emulator in proxy mode: it is the judge of the emulator's /dir/<id> page. It must list
 * the same names and sizes the API lists for that folder, and read identical bytes (rclone downloads an entry with
 * get_token on its link and its own API key).
 *
 * rclone 1.60 sends `folder_password` to 1fichier verbatim: it never reveals the obscured form that `rclone config`
 * stores. So it is given the password in clear here (an environment variable, as a flag value would also be), and
 * the obscured form is shown to be refused, as the real site must refuse a string that is not the password.
 *
 * Then our gateway, `fichier-dav serve webdav F:` with the same remote (shared_folder, folder_password), is judged
 * against rclone: PROPFIND lists the same names and sizes rclone lists, GET reads the bytes rclone read (the
 * fixture's, checked above), and PUT, DELETE and MKCOL answer 403. The gateway is given folder_password obscured, as
 * `rclone config` writes it; the form in clear (what works with rclone 1.60) is covered by cli-shared-folder.e2e.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { obscure } from '../src/config/obscure.ts';
import { testBytes } from './support/bytes.ts';
import { startEmulator, type TestEmulator } from './support/emulator.ts';
import { rclone } from './support/rclone.ts';
import { killServes, startServe, terminate } from './support/serve-process.ts';
import { shareFolder } from './support/shared-folder.ts';

const PASSWORD = 'a folder pass & more';

const FILES = [
  { name: 'notes.txt', data: Buffer.from('shared notes\n') },
  { name: 'café crème.txt', data: Buffer.from('accents in a shared name\n') },
  { name: 'video.bin', data: testBytes(2 * 1024 * 1024 + 11) },
];

let emu: TestEmulator;
let local: string;
let openId: string;
let protectedId: string;

const sharedEnv = (id: string, pass?: string): NodeJS.ProcessEnv => ({
  RCLONE_CONFIG_F_SHARED_FOLDER: id,
  ...(pass !== undefined ? { RCLONE_CONFIG_F_FOLDER_PASSWORD: pass } : {}),
});
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  local = mkdtempSync(join(tmpdir(), 'fdav-rclone-shared-'));
  emu = await startEmulator();
  openId = await shareFolder(emu, 'Open share', FILES);
  protectedId = await shareFolder(emu, 'Protected share', FILES, PASSWORD);
}, 60_000);

afterAll(async () => {
  await emu?.stop();
  rmSync(local, { recursive: true, force: true });
});

/** rclone's `lsl F:` as [name, size] pairs, sorted. */
async function rcloneSizes(env: NodeJS.ProcessEnv): Promise<[string, number][]> {
  const lsl = await rclone(emu, ['lsl', 'F:'], { env });
  expect(lsl.code, lsl.stderr).toBe(0);
  return Buffer.from(lsl.stdout, 'latin1')
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l): [string, number] => {
      const m = /^\s*(\d+) \S+ \S+ (.+)$/.exec(l)!;
      return [m[2]!, Number(m[1])];
    })
    .sort();
}

describe.each([
  ['an open shared folder', () => sharedEnv(openId)],
  ['a password-protected shared folder', () => sharedEnv(protectedId, PASSWORD)],
])('rclone 1.60 --fichier-shared-folder on %s', (_what, env) => {
  it('lsl lists the same names and sizes as the folder holds (files only), read from the /dir/ page', async () => {
    const pages = (await emu.stats()).calls['/dir'] ?? 0;
    expect(await rcloneSizes(env())).toEqual(FILES.map((f): [string, number] => [f.name, f.data.length]).sort());
    expect((await emu.stats()).calls['/dir'], 'rclone read the /dir/ page through the proxy').toBeGreaterThan(pages);
  });

  it('copy reads identical bytes', async () => {
    const dest = mkdtempSync(join(local, 'copy-'));
    const copy = await rclone(emu, ['copy', 'F:', dest], { env: env() });
    expect(copy.code, copy.stderr).toBe(0);
    expect(readdirSync(dest).sort()).toEqual(FILES.map((f) => f.name).sort());
    for (const f of FILES) expect(sha(readFileSync(join(dest, f.name))), f.name).toBe(sha(f.data));
  });
});

describe('rclone 1.60 on a protected shared folder without the right password', () => {
  it('fails to list, without its password and with the obscured form rclone config would store', async () => {
    for (const env of [sharedEnv(protectedId), sharedEnv(protectedId, obscure(PASSWORD))]) {
      const lsf = await rclone(emu, ['lsf', 'F:'], { env });
      expect(lsf.code).not.toBe(0);
      // The emulator answers the password form (HTML); rclone cannot decode it and gives up without retrying.
      expect(lsf.stderr).toMatch(/couldn't list files: invalid character '<'/);
      expect(lsf.stdout).toBe('');
    }
  });
});

/** The gateway's PROPFIND Depth 1 of its root as [name, size] pairs (files only), sorted. */
async function gatewaySizes(url: string): Promise<[string, number][]> {
  const res = await fetch(url, { method: 'PROPFIND', headers: { depth: '1' } });
  expect(res.status).toBe(207);
  const out: [string, number][] = [];
  for (const m of (await res.text()).matchAll(/<D:response>(.*?)<\/D:response>/gs)) {
    const href = decodeURIComponent(/<D:href>([^<]*)<\/D:href>/.exec(m[1]!)![1]!);
    const size = /<D:getcontentlength>(\d+)<\/D:getcontentlength>/.exec(m[1]!);
    if (size && !href.endsWith('/')) out.push([href.slice(1), Number(size[1])]);
  }
  return out.sort();
}

describe.each([
  ['an open shared folder', () => sharedEnv(openId), () => sharedEnv(openId)],
  ['a protected shared folder, folder_password obscured (as rclone config writes it)', () => sharedEnv(protectedId, PASSWORD), () => sharedEnv(protectedId, obscure(PASSWORD))],
])('our gateway serving %s, judged by rclone', (_what, env, gatewayEnv) => {
  afterAll(() => killServes());

  it('lists the names and sizes rclone lists, reads the bytes rclone reads, and refuses PUT, DELETE, MKCOL with 403', async () => {
    const ours: NodeJS.ProcessEnv = {
      ...gatewayEnv(),
      RCLONE_CONFIG_F_TYPE: 'fichier',
      FICHIER_API_KEY: emu.key,
      FICHIER_API_URL: emu.apiBase,
    };
    const serve = await startServe(['F:', '--addr', '127.0.0.1:0', '--cache-dir', mkdtempSync(join(local, 'cache-'))], ours, local);
    try {
      expect(serve.out()).toMatch(/Serving the public shared folder \w+ \(shared_folder of F:\), read-only/);
      const theirs = await rcloneSizes(env());
      expect(await gatewaySizes(serve.url)).toEqual(theirs);
      expect(theirs.map(([n]) => n)).toEqual(FILES.map((f) => f.name).sort());
      // rclone read exactly these bytes above (its copy of the same folder).
      for (const f of FILES) {
        const get = await fetch(new URL(encodeURIComponent(f.name), serve.url));
        expect(get.status).toBe(200);
        expect(sha(Buffer.from(await get.arrayBuffer())), f.name).toBe(sha(f.data));
      }
      for (const [method, path] of [['PUT', 'new.txt'], ['PUT', 'notes.txt'], ['DELETE', 'notes.txt'], ['MKCOL', 'folder']] as const) {
        const res = await fetch(new URL(path, serve.url), { method, ...(method === 'PUT' ? { body: 'x' } : {}) });
        await res.arrayBuffer();
        expect(`${method} ${path}: ${res.status}`).toBe(`${method} ${path}: 403`);
      }
      expect((await rcloneSizes(env())).map(([n]) => n)).toEqual(FILES.map((f) => f.name).sort());
    } finally {
      await terminate(serve);
    }
  }, 120_000);
});
