/**
 * Real-client conformance: Debian's rclone 1.60, its own fichier backend, pointed at the emulator in
 * proxy mode (HTTPS_PROXY + --ca-cert). rclone is the judge of the emulator's fidelity: a step that
 * fails here is an emulator bug unless the real API is known to behave so.
 * Steps run in order and build on each other.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FichierClient } from '../src/api/client.ts';
import { parseWireDate } from '../src/api/types.ts';
import { whirlpoolHex } from '../src/util/whirlpool.ts';
import { testBytes } from './support/bytes.ts';
import { startEmulator, type TestEmulator } from './support/emulator.ts';
import { rclone, rcloneBytes } from './support/rclone.ts';

/** Names that exercise rclone's fichier encoder: every one must come back identical. */
const NAMES = [
  'hello world.txt',
  'café crème.txt',
  'emoji 🎉 party.txt',
  `quotes 'single' "double".txt`,
  'dollar $HOME.txt',
  'hash #1.txt',
  'percent 100%.txt',
  ' leading space.txt',
  'back\\slash.txt',
  'angle <b>.txt',
  'back`tick.txt',
];
const SUB = 'sub dir é';
const BIN = 'data.bin';

let emu: TestEmulator;
let api: FichierClient;
let local: string;

/** Id of the sub-folder `name` of `parent` (our client, for the steps rclone 1.60 cannot issue). */
async function folderId(name: string, parent = 0): Promise<number> {
  const f = (await api.folderLs(parent)).sub_folders?.find((x) => x.name === name);
  if (!f) throw new Error(`no folder ${name} in ${parent}`);
  return f.id;
}
const bin = testBytes(300_000);

beforeAll(async () => {
  local = mkdtempSync(join(tmpdir(), 'fdav-rclone-src-'));
  for (const n of NAMES) writeFileSync(join(local, n), `content of ${n}\n`);
  writeFileSync(join(local, BIN), bin);
  mkdirSync(join(local, SUB));
  writeFileSync(join(local, SUB, 'été.txt'), 'summer\n');
  // Lenient: this suite judges the wire format, and each step is a new rclone process that resolves its path by
  // listing from the root with no memory of the listings the previous step made a moment ago. Under the realistic
  // rules those back-to-back commands list one folder within the per-folder interval, so the emulator bans the
  // key and rclone (as on the real service) fails with a ban, not with anything about fidelity. The listing
  // rules and delays are proven with our own gateway (real-rules.e2e, real-timings.slow).
  emu = await startEmulator({ profile: 'lenient' });
  api = emu.client();
});

afterAll(async () => {
  await emu?.stop();
  rmSync(local, { recursive: true, force: true });
});

function lines(s: string): string[] {
  return Buffer.from(s, 'latin1').toString('utf8').split('\n').filter((l) => l.length > 0).sort();
}

describe('rclone fichier backend against the emulator', () => {
  it('about reports the account quota', async () => {
    const r = await rclone(emu, ['about', 'F:', '--json']);
    expect(r.stderr).not.toMatch(/ERROR/);
    expect(r.code).toBe(0);
    const about = JSON.parse(r.stdout) as { total: number; used: number; free: number };
    expect(about.total).toBeGreaterThan(0);
    expect(about.used).toBe(0);
    expect(about.free).toBe(about.total);
  });

  it('mkdir then copy a tree with awkward names', async () => {
    expect((await rclone(emu, ['mkdir', 'F:conf'])).code).toBe(0);
    const r = await rclone(emu, ['copy', local, 'F:conf']);
    expect(r.stderr).not.toMatch(/ERROR/);
    expect(r.code).toBe(0);
  });

  it('lsf -R gives back every name identically', async () => {
    const r = await rclone(emu, ['lsf', '-R', 'F:conf']);
    expect(r.code).toBe(0);
    const expected = [...NAMES, BIN, `${SUB}/`, `${SUB}/été.txt`].sort();
    expect(lines(r.stdout)).toEqual(expected);
  });

  it('check --size-only finds no difference', async () => {
    const r = await rclone(emu, ['check', '--size-only', local, 'F:conf']);
    expect(r.stderr).toMatch(/0 differences found/);
    expect(r.code).toBe(0);
  });

  it('modtimes: rclone reads the Paris wire date as UTC, so it sees the upload time shifted by the Paris offset', async () => {
    // The real service (and the emulator) date files in Europe/Paris time; rclone parses them as UTC, so
    // its modtimes are one (CET) or two (CEST) hours ahead of the instant of the upload. Our client reads Paris.
    const r = await rclone(emu, ['lsjson', `F:conf/${BIN}`]);
    expect(r.code).toBe(0);
    const [entry] = JSON.parse(r.stdout) as { ModTime: string }[];
    const sub = (await api.folderLs(0)).sub_folders!.find((f) => f.name === 'conf')!;
    const wire = (await api.fileLs(sub.id)).items.find((f) => f.filename === BIN)!.date;
    const uploaded = parseWireDate(wire)!.getTime();
    const rcloneTime = Date.parse(entry!.ModTime);
    expect(rcloneTime).toBe(Date.parse(`${wire.replace(' ', 'T')}Z`));
    expect([3_600_000, 7_200_000]).toContain(rcloneTime - uploaded);
    expect(Math.abs(uploaded - Date.now())).toBeLessThan(10 * 60_000);
  });

  it('cat returns identical bytes, whole and ranged', async () => {
    const whole = await rcloneBytes(emu, ['cat', `F:conf/${BIN}`]);
    expect(whole.code).toBe(0);
    expect(whole.stdout.equals(bin)).toBe(true);
    const part = await rcloneBytes(emu, ['cat', '--offset', '123457', '--count', '5000', `F:conf/${BIN}`]);
    expect(part.code).toBe(0);
    expect(part.stdout.equals(bin.subarray(123457, 123457 + 5000))).toBe(true);
    const named = await rcloneBytes(emu, ['cat', `F:conf/${NAMES[3]}`]);
    expect(named.stdout.toString('utf8')).toBe(`content of ${NAMES[3]}\n`);
  });

  it('hashsum whirlpool equals a locally computed whirlpool', async () => {
    const r = await rclone(emu, ['hashsum', 'whirlpool', `F:conf`]);
    expect(r.code).toBe(0);
    const got = new Map(lines(r.stdout).map((l) => [l.slice(130), l.slice(0, 128)]));
    expect(got.get(BIN)).toBe(await whirlpoolHex(bin));
    expect(got.get(NAMES[1]!)).toBe(await whirlpoolHex(Buffer.from(`content of ${NAMES[1]}\n`)));
    expect(got.get(`${SUB}/été.txt`)).toBe(await whirlpoolHex(Buffer.from('summer\n')));
  });

  it('moveto within a folder renames in place', async () => {
    const r = await rclone(emu, ['moveto', 'F:conf/hello world.txt', 'F:conf/hello renamed.txt']);
    expect(r.code).toBe(0);
    const ls = lines((await rclone(emu, ['lsf', 'F:conf'])).stdout);
    expect(ls).toContain('hello renamed.txt');
    expect(ls).not.toContain('hello world.txt');
  });

  it('moveto across folders: rclone 1.60 sends file/rename only, so the file is renamed in place', async () => {
    // rclone 1.60's fichier Move compares the destination folder with itself and always calls
    // file/rename (fixed in rclone 1.68); file/rename cannot change folders on the real API either.
    const before = await emu.stats();
    const r = await rclone(emu, ['moveto', `F:conf/${NAMES[1]}`, `F:conf/${SUB}/café moved.txt`]);
    expect(r.code).toBe(0);
    const after = await emu.stats();
    expect((after.calls['/v1/file/rename.cgi'] ?? 0) - (before.calls['/v1/file/rename.cgi'] ?? 0)).toBe(1);
    const ls = lines((await rclone(emu, ['lsf', 'F:conf'])).stdout);
    expect(ls).not.toContain(NAMES[1]);
    expect(ls).toContain('café moved.txt');
    const moved = await rcloneBytes(emu, ['cat', 'F:conf/café moved.txt']);
    expect(moved.stdout.toString('utf8')).toBe(`content of ${NAMES[1]}\n`);
  });

  it('file/mv across folders (our client) shows up in rclone at the new place, same URL', async () => {
    const conf = await folderId('conf');
    const sub = await folderId(SUB, conf);
    const file = (await api.fileLs(conf)).items.find((f) => f.filename === 'café moved.txt')!;
    const res = await api.fileMv([file.url], sub);
    expect(res.urls).toEqual([file.url]);
    expect(lines((await rclone(emu, ['lsf', 'F:conf'])).stdout)).not.toContain('café moved.txt');
    const moved = await rcloneBytes(emu, ['cat', `F:conf/${SUB}/café moved.txt`]);
    expect(moved.stdout.toString('utf8')).toBe(`content of ${NAMES[1]}\n`);
  });

  it('copyto is server-side (no upload) and makes an identical copy', async () => {
    const before = await emu.stats();
    const r = await rclone(emu, ['copyto', `F:conf/${BIN}`, `F:conf/${SUB}/copy of data.bin`]);
    expect(r.code).toBe(0);
    const after = await emu.stats();
    expect(after.calls['/v1/file/cp.cgi'] ?? 0).toBe((before.calls['/v1/file/cp.cgi'] ?? 0) + 1);
    expect(after.calls['/upload.cgi'] ?? 0).toBe(before.calls['/upload.cgi'] ?? 0);
    const copy = await rcloneBytes(emu, ['cat', `F:conf/${SUB}/copy of data.bin`]);
    expect(copy.stdout.equals(bin)).toBe(true);
  });

  it('moving a folder (folder/mv; rclone 1.60 has no DirMove) keeps its contents for rclone', async () => {
    const conf = await folderId('conf');
    const sub = await folderId(SUB, conf);
    const inner = await api.folderMkdir(conf, 'inner');
    await api.folderMv(sub, { destinationFolderId: inner.folder_id, rename: 'moved dir' });
    const ls = lines((await rclone(emu, ['lsf', '-R', 'F:conf'])).stdout);
    expect(ls).toContain('inner/moved dir/été.txt');
    expect(ls).toContain('inner/moved dir/copy of data.bin');
    expect(ls.some((l) => l.startsWith(SUB))).toBe(false);
    const copy = await rcloneBytes(emu, ['cat', 'F:conf/inner/moved dir/copy of data.bin']);
    expect(copy.stdout.equals(bin)).toBe(true);
  });

  it('link prints the file URL', async () => {
    const r = await rclone(emu, ['link', `F:conf/${BIN}`]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^https:\/\/1fichier\.com\/\?[a-z0-9]{5,20}$/);
  });

  it('rmdir of a non-empty folder fails and keeps it', async () => {
    const r = await rclone(emu, ['rmdir', 'F:conf/inner/moved dir']);
    expect(r.code).not.toBe(0);
    expect(lines((await rclone(emu, ['lsf', 'F:conf/inner'])).stdout)).toContain('moved dir/');
  });

  it('deletefile removes one file', async () => {
    expect((await rclone(emu, ['deletefile', `F:conf/${BIN}`])).code).toBe(0);
    expect(lines((await rclone(emu, ['lsf', 'F:conf'])).stdout)).not.toContain(BIN);
  });

  it('purge removes the whole tree', async () => {
    expect((await rclone(emu, ['purge', 'F:conf'])).code).toBe(0);
    expect(lines((await rclone(emu, ['lsf', 'F:'])).stdout)).not.toContain('conf/');
    const about = JSON.parse((await rclone(emu, ['about', 'F:', '--json'])).stdout) as { used: number };
    expect(about.used).toBe(0);
    expect(readFileSync(join(local, BIN)).equals(bin)).toBe(true);
  });
});
