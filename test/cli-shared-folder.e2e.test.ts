/**
 * The CLI on an rclone remote with `shared_folder` (in-process over the emulator): config show says a public
 * shared folder is served, read-only; ls, lsjson, copy to the local disk and link read it; every write command
 * refuses before doing anything, saying why (exit 2); an unknown id or a missing password stops with exit 2.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli } from './support/cli.ts';
import { startEmulator, type TestEmulator } from './support/emulator.ts';
import { shareFolder } from './support/shared-folder.ts';

const dir = mkdtempSync(join(tmpdir(), 'fdav-cli-shared-'));
const FILES = [
  { name: 'notes.txt', data: 'shared notes\n' },
  { name: 'photo é.jpg', data: 'not really a photo' },
];
let emu: TestEmulator;
let env: NodeJS.ProcessEnv;
let id: string;
let locked: string;

beforeAll(async () => {
  emu = await startEmulator();
  id = await shareFolder(emu, 'Shared', FILES);
  locked = await shareFolder(emu, 'Locked', FILES, 'the password');
  env = { ...cliEnv(emu.apiBase, emu.key, { dir: mkdtempSync(join(dir, 'env-')) }), RCLONE_CONFIG_SH_TYPE: 'fichier', RCLONE_CONFIG_SH_SHARED_FOLDER: id };
});

afterAll(async () => {
  await emu.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a remote with shared_folder', () => {
  it('config show says a public shared folder is served, read-only', async () => {
    const text = await runCli(['config', 'show', 'sh:'], { env });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`Serves (serve webdav, mount): the public shared folder ${id} (shared_folder of sh:), read-only`);
    expect(text.stdout).toMatch(/readOnly\s+true\s+env:RCLONE_CONFIG_SH_SHARED_FOLDER \(shared_folder: read-only\)/);
    const json = JSON.parse((await runCli(['config', 'show', 'sh:', '--json'], { env })).stdout) as { serving: unknown };
    expect(json.serving).toEqual({ kind: 'shared-folder', remote: 'sh', id, readOnly: true });
  });

  it('ls, lsjson, copy to the local disk and link read it', async () => {
    const ls = await runCli(['ls', 'sh:'], { env });
    expect(ls.code, ls.stderr).toBe(0);
    expect(ls.stdout.split('\n').filter(Boolean).sort()).toEqual(['       13 notes.txt', '       18 photo é.jpg']);
    const lsjson = JSON.parse((await runCli(['lsjson', 'sh:'], { env })).stdout) as { Name: string }[];
    expect(lsjson.map((e) => e.Name).sort()).toEqual(['notes.txt', 'photo é.jpg']);
    const out = mkdtempSync(join(dir, 'copy-'));
    const copy = await runCli(['copy', 'sh:', out], { env });
    expect(copy.code, copy.stderr).toBe(0);
    for (const f of FILES) expect(readFileSync(join(out, f.name), 'utf8')).toBe(f.data);
    const link = await runCli(['link', 'sh:notes.txt'], { env });
    expect(link.code, link.stderr).toBe(0);
    expect(link.stdout).toMatch(/^https?:\/\/\S+\n$/);
  });

  it('refuses every write command before doing anything, saying why (exit 2)', async () => {
    const local = join(dir, 'upload.txt');
    writeFileSync(local, 'would be uploaded');
    const before = (await emu.stats()).total;
    for (const argv of [
      ['mkdir', 'sh:new'],
      ['rmdir', 'sh:new'],
      ['delete', 'sh:notes.txt'],
      ['copy', local, 'sh:'],
      ['copyto', local, 'sh:upload.txt'],
      ['moveto', 'sh:notes.txt', join(dir, 'taken.txt')],
      ['moveto', 'sh:notes.txt', 'sh:renamed.txt'],
      ['remote-upload', 'https://example.com/a.zip', '--to', 'sh:'],
    ]) {
      const r = await runCli(argv, { env });
      expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`${argv[0]} would write to sh:, which serves the public shared folder ${id} \\(its shared_folder option\\); a shared folder is read-only`));
    }
    expect((await emu.stats()).total).toBe(before);
  });

  it('stops with exit 2 for an unknown id, a protected folder without its password, or a wrong one', async () => {
    const unknown = await runCli(['ls', 'sh:'], { env: { ...env, RCLONE_CONFIG_SH_SHARED_FOLDER: 'Unknown1234' } });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/shared folder Unknown1234 \(shared_folder of sh:\) is unknown to 1fichier or no longer shared/);
    const noPass = await runCli(['ls', 'sh:'], { env: { ...env, RCLONE_CONFIG_SH_SHARED_FOLDER: locked } });
    expect(noPass.code).toBe(2);
    expect(noPass.stderr).toMatch(/is protected by a password: set folder_password/);
    const wrong = await runCli(['ls', 'sh:'], { env: { ...env, RCLONE_CONFIG_SH_SHARED_FOLDER: locked, RCLONE_CONFIG_SH_FOLDER_PASSWORD: 'not it' } });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/refused the folder_password/);
    expect(wrong.stderr).not.toContain('not it');
    const right = await runCli(['ls', 'sh:'], { env: { ...env, RCLONE_CONFIG_SH_SHARED_FOLDER: locked, RCLONE_CONFIG_SH_FOLDER_PASSWORD: 'the password' } });
    expect(right.code, right.stderr).toBe(0);
  });
});
