/**
 * rclone 1.60's own fichier backend reading a 1fichier shared folder (`shared_folder`, plus `folder_password` for a
 * protected one) through the emulator in proxy mode: it is the judge of the emulator's /dir/<id> page. It must list
 * the same names and sizes the API lists for that folder, and read identical bytes (rclone downloads an entry with
 * get_token on its link and its own API key).
 *
 * rclone 1.60 sends `folder_password` to 1fichier verbatim: it never reveals the obscured form that `rclone config`
 * stores. So it is given the password in clear here (an environment variable, as a flag value would also be), and
 * the obscured form is shown to be refused, as the real site must refuse a string that is not the password.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { obscure } from '../src/config/obscure.ts';
import { uploadFiles } from './support/emulator-http.ts';
import { startEmulator, type TestEmulator } from './support/emulator.ts';
import { rclone, rcloneBytes } from './support/rclone.ts';

const PASSWORD = 'a folder pass & more';

/** `n` bytes of a fixed, non-repeating-looking pattern. */
function pattern(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 2654435761) >>> 24;
  return b;
}
const FILES = [
  { name: 'notes.txt', data: Buffer.from('shared notes\n') },
  { name: 'café crème.txt', data: Buffer.from('accents in a shared name\n') },
  { name: 'video.bin', data: pattern(2 * 1024 * 1024 + 11) },
];

let emu: TestEmulator;
let local: string;
let openId: string;
let protectedId: string;

/** A folder holding FILES (and a sub-folder, which a shared page does not list), shared; returns the share id. */
async function sharedFolder(name: string, pass?: string): Promise<string> {
  const { folder_id } = await emu.api<{ folder_id: number }>('folder/mkdir.cgi', { name, folder_id: 0 });
  const sub = await emu.api<{ folder_id: number }>('folder/mkdir.cgi', { name: 'not listed', folder_id });
  await uploadFiles(emu.url, emu.key, FILES, folder_id);
  await uploadFiles(emu.url, emu.key, [{ name: 'deep.txt', data: Buffer.from('below') }], sub.folder_id);
  const { url } = await emu.api<{ url: string }>('folder/share.cgi', { folder_id, ...(pass !== undefined ? { pass } : {}) });
  return new URL(url).pathname.split('/').pop()!;
}

const sharedEnv = (id: string, pass?: string): NodeJS.ProcessEnv => ({
  RCLONE_CONFIG_F_SHARED_FOLDER: id,
  ...(pass !== undefined ? { RCLONE_CONFIG_F_FOLDER_PASSWORD: pass } : {}),
});
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  local = mkdtempSync(join(tmpdir(), 'fdav-rclone-shared-'));
  emu = await startEmulator();
  openId = await sharedFolder('Open share');
  protectedId = await sharedFolder('Protected share', PASSWORD);
}, 60_000);

afterAll(async () => {
  await emu?.stop();
  rmSync(local, { recursive: true, force: true });
});

describe.each([
  ['an open shared folder', () => sharedEnv(openId)],
  ['a password-protected shared folder', () => sharedEnv(protectedId, PASSWORD)],
])('rclone 1.60 --fichier-shared-folder on %s', (_what, env) => {
  it('lsf and lsl list the same names and sizes as the folder holds (files only)', async () => {
    const pages = (await emu.stats()).calls['/dir'] ?? 0;
    const lsf = await rclone(emu, ['lsf', 'F:'], { env: env() });
    expect(lsf.code, lsf.stderr).toBe(0);
    expect((await emu.stats()).calls['/dir'], 'rclone read the /dir/ page through the proxy').toBeGreaterThan(pages);
    expect(Buffer.from(lsf.stdout, 'latin1').toString('utf8').split('\n').filter(Boolean).sort()).toEqual(FILES.map((f) => f.name).sort());
    const lsl = await rclone(emu, ['lsl', 'F:'], { env: env() });
    expect(lsl.code, lsl.stderr).toBe(0);
    const sizes = Buffer.from(lsl.stdout, 'latin1')
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => /^\s*(\d+) \S+ \S+ (.+)$/.exec(l)!)
      .map((m) => [m[2], Number(m[1])]);
    expect(sizes.sort()).toEqual(FILES.map((f) => [f.name, f.data.length]).sort());
  });

  it('cat and copy read identical bytes', async () => {
    const cat = await rcloneBytes(emu, ['cat', 'F:', '--include', 'video.bin'], { env: env() });
    expect(cat.code, cat.stderr).toBe(0);
    expect(sha(cat.stdout)).toBe(sha(FILES[2]!.data));
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
