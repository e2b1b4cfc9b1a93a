/**
 * The account commands (about, ls, lsd, lsjson, mkdir, rmdir, delete, link, remote-upload) run in-process
 * against the emulator, their output checked against what the emulator holds: every command's happy
 * path, one failure each, and --help; `link -R` on 200 files under a flood limit stays within the pacer;
 * `remote-upload --wait` of a loopback URL ends with the file listed, with the right bytes.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli, type CliResult } from './support/cli.ts';
import type { LsjsonItem } from '../src/cli/commands/lsjson.ts';
import { uploadFiles, type EndLink } from './support/emulator-http.ts';
import { startEmulator, type TestEmulator } from './support/emulator.ts';


async function api<T = Record<string, unknown>>(emu: TestEmulator, path: string, body: unknown): Promise<T> {
  const res = await fetch(`${emu.apiBase}/${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${emu.key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const mkdirApi = async (emu: TestEmulator, parent: number, name: string): Promise<number> =>
  (await api<{ folder_id: number }>(emu, 'folder/mkdir.cgi', { folder_id: parent, name })).folder_id;

/** Uploads several files into folder `did` in one multipart request (get_upload_server, upload.cgi, end.pl). */
const uploadApi = (emu: TestEmulator, did: number, files: { name: string; data: Buffer }[]): Promise<EndLink[]> => uploadFiles(emu.url, emu.key, files, did);

/** Names (folders with a trailing '/') in folder `id`, per the emulator. */
async function namesIn(emu: TestEmulator, id: number): Promise<string[]> {
  const ls = await api<{ sub_folders?: { name: string }[]; items?: { filename: string }[] }>(emu, 'folder/ls.cgi', { folder_id: id, files: 1 });
  return [...(ls.sub_folders ?? []).map((f) => `${f.name}/`), ...(ls.items ?? []).map((f) => f.filename)].sort();
}

async function folderId(emu: TestEmulator, parent: number, name: string): Promise<number | undefined> {
  const ls = await api<{ sub_folders?: { id: number; name: string }[] }>(emu, 'folder/ls.cgi', { folder_id: parent });
  return ls.sub_folders?.find((f) => f.name === name)?.id;
}

const bytesOf = async (url: string): Promise<Buffer> => {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
};

let emu: TestEmulator;
let env: NodeJS.ProcessEnv;
const cli = (...argv: string[]): Promise<CliResult> => runCli(argv, { env });
const A = Buffer.from('hello\n');
const B = randomBytes(1000);
const C = Buffer.from('abc');
let links: Record<string, EndLink>;
const ids: Record<string, number> = {};

beforeAll(async () => {
  // Lenient: each command's output is checked against what the emulator holds, read with raw listings between
  // the commands' own; the commands' process does not know of those, so under the listing rules the test itself
  // would break them. The commands pass the same pacer and listing budget the WebDAV suites prove.
  emu = await startEmulator({ profile: 'lenient' });
  env = cliEnv(emu.apiBase, emu.key);
  ids.docs = await mkdirApi(emu, 0, 'docs');
  ids.sub = await mkdirApi(emu, ids.docs, 'sub');
  ids.empty = await mkdirApi(emu, 0, 'empty');
  ids.trash = await mkdirApi(emu, 0, 'trash');
  ids.trashSub = await mkdirApi(emu, ids.trash, 'sub');
  ids.incoming = await mkdirApi(emu, 0, 'incoming');
  ids.single = await mkdirApi(emu, 0, 'single');
  const up = [
    ...(await uploadApi(emu, ids.docs, [
      { name: 'a.txt', data: A },
      { name: 'b.bin', data: B },
    ])),
    ...(await uploadApi(emu, ids.sub, [{ name: 'c.txt', data: C }])),
  ];
  links = Object.fromEntries(up.map((l) => [l.filename, l]));
  await uploadApi(emu, ids.trash, [
    { name: 't1.txt', data: Buffer.from('1') },
    { name: 't2.txt', data: Buffer.from('22') },
  ]);
  await uploadApi(emu, ids.trashSub, [{ name: 't3.txt', data: Buffer.from('333') }]);
  await uploadApi(emu, ids.single, [
    { name: 'one.txt', data: Buffer.from('1') },
    { name: 'two.txt', data: Buffer.from('2') },
  ]);
});

afterAll(async () => {
  await emu?.stop();
});

describe('--help', () => {
  const cases: [string[], string[]][] = [
    [['about'], ['--json', '--full']],
    [['ls'], ['--max-depth']],
    [['lsd'], ['--recursive', '--max-depth']],
    [['lsjson'], ['--recursive', '--dirs-only', '--files-only', '--hash', '--no-modtime', '--no-mimetype', '--original', '--max-depth']],
    [['mkdir'], []],
    [['rmdir'], []],
    [['delete'], ['--rmdirs', '--dry-run']],
    [['link'], ['--recursive', '--page']],
    [['remote-upload'], ['--to', '--wait', '--timeout', '--interval', '--json', 'status']],
    [['remote-upload', 'status'], ['--json', '--remote']],
    [['copy'], ['--transfers', '--dry-run', '--size-only', '--ignore-existing', '--progress']],
    [['copyto'], ['--dry-run']],
    [['moveto'], ['--dry-run']],
    [['serve', 'webdav'], ['--addr', '--user', '--pass', '--htpasswd', '--read-only', '--baseurl', '--cert', '--key', '--dir-cache-time', '--vfs-read-chunk-size', '--vfs-read-chunk-size-limit', '--cache-dir', '--config', '--log-format', '--rc', '--rc-addr', '--emulator']],
    [['config', 'show'], ['--json', '--config', '--mount-config']],
  ];
  it.each(cases)('%s --help describes the command, its flags and an example', async (cmd, flags) => {
    const r = await runCli([...cmd, '--help'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`fichier-dav ${cmd.join(' ')}`);
    expect(r.stdout).toContain('Examples:');
    for (const f of flags) expect(r.stdout).toContain(f);
  });
});

describe('about', () => {
  it('prints the quota as rclone does, in full and as JSON', async () => {
    const info = await api<{ cold_storage: number; available_cold_storage: number }>(emu, 'user/info.cgi', {});
    const full = await cli('about', 'fichier:', '--full');
    expect(full.code).toBe(0);
    const free = info.available_cold_storage - info.cold_storage;
    expect(full.stdout).toBe(`Total:   ${info.available_cold_storage}\nUsed:    ${info.cold_storage}\nFree:    ${free}\n`);
    const json = await cli('about', '--json');
    expect(JSON.parse(json.stdout)).toEqual({ total: info.available_cold_storage, used: info.cold_storage, free });
    const text = await cli('about');
    expect(text.stdout).toMatch(/^Total: {3}\d+(\.\d{3})? [KMGTPE]?i?B\nUsed: {4}\d+(\.\d{3})? [KMGTPE]?i?B\nFree: {4}/);
  });

  it('fails (exit 1, EACCES) with a key the account refuses', async () => {
    const r = await runCli(['about'], { env: { ...env, FICHIER_API_KEY: 'WrongKey_0123456789abcdefghijklm' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/EACCES/);
  });
});

describe('ls and lsd', () => {
  it('ls lists every file below the path with rclone %9d lines', async () => {
    const r = await cli('ls', 'fichier:docs');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('        6 a.txt\n     1000 b.bin\n        3 sub/c.txt\n');
    expect((await cli('ls', 'fichier:docs', '--max-depth', '1')).stdout).toBe('        6 a.txt\n     1000 b.bin\n');
    expect((await cli('ls', 'docs/sub/c.txt')).stdout).toBe('        3 c.txt\n');
  });

  it('lsd lists folders with size and count -1 and a local date; -R goes down', async () => {
    const r = await cli('lsd', 'fichier:');
    expect(r.code).toBe(0);
    const line = (name: string) => new RegExp(`^ {10}-1 \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d {8}-1 ${name}$`);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.map((l) => l.slice(43))).toEqual(['docs', 'empty', 'incoming', 'single', 'trash']);
    for (const l of lines) expect(l).toMatch(line('\\w+'));
    expect((await cli('lsd', '-R', 'fichier:docs')).stdout.trimEnd()).toMatch(line('sub'));
  });

  it('fails with exit 1 and ENOENT on a missing path', async () => {
    for (const cmd of ['ls', 'lsd']) {
      const r = await cli(cmd, 'fichier:nope');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/ENOENT/);
    }
  });
});

describe('lsjson', () => {
  it("prints rclone's JSON: one object per line, folders with Size -1 and inode/directory", async () => {
    const r = await cli('lsjson', 'fichier:docs');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\[\n\{.*\},\n\{.*\},\n\{.*\}\n\]\n$/);
    const items = JSON.parse(r.stdout) as LsjsonItem[];
    expect(items.map((i) => [i.Path, i.Name, i.Size, i.IsDir, i.MimeType])).toEqual([
      ['a.txt', 'a.txt', 6, false, 'text/plain'],
      ['b.bin', 'b.bin', 1000, false, 'application/octet-stream'],
      ['sub', 'sub', -1, true, 'inode/directory'],
    ]);
    for (const i of items) expect(i.ModTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(Z|[+-]\d\d:\d\d)$/);
    expect(Object.keys(items[0]!)).toEqual(['Path', 'Name', 'Size', 'MimeType', 'ModTime', 'IsDir']);
  });

  it('-R --files-only --hash --original adds the whirlpool and the file URL', async () => {
    const items = JSON.parse((await cli('lsjson', '-R', '--files-only', '--hash', '--original', 'fichier:docs')).stdout) as LsjsonItem[];
    expect(items.map((i) => i.Path)).toEqual(['a.txt', 'b.bin', 'sub/c.txt']);
    for (const i of items) {
      expect(i.Hashes?.whirlpool).toBe(links[i.Name]!.whirlpool);
      expect(i.ID).toBe(links[i.Name]!.download);
    }
  });

  it('--dirs-only, --no-modtime, --no-mimetype, and a file path', async () => {
    const dirs = JSON.parse((await cli('lsjson', '--dirs-only', '--no-modtime', '--no-mimetype', 'fichier:docs')).stdout) as LsjsonItem[];
    expect(dirs).toEqual([{ Path: 'sub', Name: 'sub', Size: -1, ModTime: '', IsDir: true }]);
    const file = JSON.parse((await cli('lsjson', 'fichier:docs/sub/c.txt')).stdout) as LsjsonItem[];
    expect(file.map((i) => [i.Path, i.Size])).toEqual([['c.txt', 3]]);
    expect((await cli('lsjson', 'fichier:empty')).stdout).toBe('[\n]\n');
  });

  it('fails with exit 1 and no output on a missing path', async () => {
    const r = await cli('lsjson', 'fichier:docs/nope');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/ENOENT/);
  });
});

describe('mkdir and rmdir', () => {
  it('mkdir makes the missing parents; again is fine; rmdir removes the empty folder', async () => {
    expect((await cli('mkdir', 'fichier:made/deep/er')).code).toBe(0);
    const made = await folderId(emu, 0, 'made');
    const deep = await folderId(emu, made!, 'deep');
    expect(await namesIn(emu, deep!)).toEqual(['er/']);
    expect((await cli('mkdir', 'fichier:made/deep/er')).code).toBe(0);
    expect((await cli('rmdir', 'fichier:made/deep/er')).code).toBe(0);
    expect(await namesIn(emu, deep!)).toEqual([]);
  });

  it('mkdir over a file fails with EEXIST; rmdir of a folder that is not empty with ENOTEMPTY', async () => {
    const mk = await cli('mkdir', 'fichier:docs/a.txt');
    expect(mk.code).toBe(1);
    expect(mk.stderr).toMatch(/EEXIST/);
    const rm = await cli('rmdir', 'fichier:docs');
    expect(rm.code).toBe(1);
    expect(rm.stderr).toMatch(/ENOTEMPTY/);
    expect(await namesIn(emu, ids.docs!)).toEqual(['a.txt', 'b.bin', 'sub/']);
  });
});

describe('delete', () => {
  it('--dry-run deletes nothing; delete removes the files and keeps the folders; --rmdirs removes them', async () => {
    const dry = await cli('delete', '-n', 'fichier:trash');
    expect(dry.code).toBe(0);
    expect(dry.stderr.match(/Skipped delete as --dry-run is set/g)).toHaveLength(3);
    expect(await namesIn(emu, ids.trash!)).toEqual(['sub/', 't1.txt', 't2.txt']);
    expect((await cli('delete', 'fichier:trash')).code).toBe(0);
    expect(await namesIn(emu, ids.trash!)).toEqual(['sub/']);
    expect(await namesIn(emu, ids.trashSub!)).toEqual([]);
    expect((await cli('delete', '--rmdirs', 'fichier:trash')).code).toBe(0);
    expect(await namesIn(emu, ids.trash!)).toEqual([]);
  });

  it('on a file removes that file; a missing path fails with ENOENT', async () => {
    expect((await cli('delete', 'fichier:single/one.txt')).code).toBe(0);
    expect(await namesIn(emu, ids.single!)).toEqual(['two.txt']);
    const r = await cli('delete', 'fichier:single/one.txt');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ENOENT/);
  });
});

describe('link', () => {
  it('one file: just a reusable direct URL; several: path<TAB>url lines; --page: the file URL', async () => {
    const one = await cli('link', 'fichier:docs/a.txt');
    expect(one.code).toBe(0);
    const url = one.stdout.trim();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(await bytesOf(url)).toEqual(A);
    expect(await bytesOf(url)).toEqual(A);
    const two = await cli('link', 'fichier:docs/a.txt', 'fichier:docs/b.bin');
    const rows = two.stdout.trimEnd().split('\n').map((l) => l.split('\t'));
    expect(rows.map((r) => r[0])).toEqual(['docs/a.txt', 'docs/b.bin']);
    expect(await bytesOf(rows[1]![1]!)).toEqual(B);
    const page = await cli('link', '--page', 'fichier:docs/sub/c.txt');
    expect(page.stdout).toBe(`${links['c.txt']!.download}\n`);
  });

  it('a failing file is one stderr line, the others are printed, exit 1; a folder needs -R', async () => {
    const r = await cli('link', 'fichier:docs/nope', 'fichier:docs/a.txt');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^docs\/a\.txt\thttp:\/\/\S+\n$/);
    expect(r.stderr).toMatch(/docs\/nope: ENOENT/);
    const dir = await cli('link', 'fichier:docs');
    expect(dir.code).toBe(1);
    expect(dir.stderr).toMatch(/EISDIR/);
    expect((await cli('link', '-R', 'fichier:docs')).stdout.trimEnd().split('\n').map((l) => l.split('\t')[0])).toEqual([
      'docs/a.txt',
      'docs/b.bin',
      'docs/sub/c.txt',
    ]);
  });
});

describe('remote-upload', () => {
  let server: Server;
  let base: string;
  const payload = randomBytes(50_000);

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url !== '/payload.bin') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': payload.length }).end(payload);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('--wait fetches a loopback URL into the folder, which then lists the file with the right bytes', async () => {
    expect((await cli('ls', 'fichier:incoming')).stdout).toBe('');
    const r = await cli('remote-upload', `${base}/payload.bin`, '--to', 'fichier:incoming', '--wait', '--interval', '100ms', '--timeout', '30s', '--json');
    expect(r.code).toBe(0);
    const job = JSON.parse(r.stdout) as { id: number; done: boolean; results: { status: string; link: string }[] };
    expect(job.done).toBe(true);
    expect(job.results.map((x) => x.status)).toEqual(['OK']);
    expect((await cli('ls', 'fichier:incoming')).stdout).toBe('    50000 payload.bin\n');
    const [item] = JSON.parse((await cli('lsjson', '--original', 'fichier:incoming')).stdout) as LsjsonItem[];
    expect(item?.ID).toBe(job.results[0]!.link);
    expect(await bytesOf((await cli('link', 'fichier:incoming/payload.bin')).stdout.trim())).toEqual(payload);

    const list = await cli('remote-upload', 'status', '--json');
    expect((JSON.parse(list.stdout) as { id: number }[]).map((j) => j.id)).toContain(job.id);
    const one = await cli('remote-upload', 'status', String(job.id));
    expect(one.code).toBe(0);
    const [head, line, ...rest] = one.stdout.split('\n');
    expect(head).toMatch(new RegExp(`^job ${job.id}: requested .*; 1 of 1 URLs fetched$`));
    expect(line).toBe(`OK      ${base}/payload.bin  -> ${job.results[0]!.link}`);
    expect(rest).toEqual(['']);
  });

  it('without --wait prints the job id; a refused URL fails the wait with exit 1', async () => {
    const queued = await cli('remote-upload', `${base}/payload.bin`, '--to', 'fichier:empty', '--json');
    expect(queued.code).toBe(0);
    expect(JSON.parse(queued.stdout)).toMatchObject({ id: expect.any(Number), folder: 'empty' });
    await emu.emulator.control.idle();
    const bad = await cli('remote-upload', 'http://example.invalid/x.bin', '--to', 'fichier:empty', '--wait', '--interval', '100ms');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/\nKO {6}http:\/\/example\.invalid\/x\.bin {2}\S/);
  });

  it('usage errors exit 2: no --to, no URL, a bad job id', async () => {
    expect((await cli('remote-upload', `${base}/payload.bin`)).code).toBe(2);
    expect((await cli('remote-upload', '--to', 'fichier:')).code).toBe(2);
    expect((await cli('remote-upload', 'status', 'abc')).code).toBe(2);
  });
});

describe('link -R on 200 files under a flood limit', () => {
  let flood: TestEmulator;
  afterAll(async () => {
    await flood?.stop();
  });

  it('gets 200 distinct working links, one get_token each, with no ban', async () => {
    flood = await startEmulator({ limits: { rps: 25 } });
    const seeds = await mkdirApi(flood, 0, 'seeds');
    const files = Array.from({ length: 200 }, (_, i) => ({ name: `f${String(i).padStart(3, '0')}.bin`, data: randomBytes(64 + i) }));
    await uploadApi(flood, seeds, files);
    await flood.admin('stats/reset', {});
    const r = await runCli(['link', '-R', 'fichier:seeds'], { env: cliEnv(flood.apiBase, flood.key, { minIntervalMs: 50 }) });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = r.stdout.trimEnd().split('\n').map((l) => l.split('\t') as [string, string]);
    expect(rows.map(([p]) => p)).toEqual(files.map((f) => `seeds/${f.name}`));
    expect(new Set(rows.map(([, u]) => u)).size).toBe(200);
    for (const i of [0, 199]) expect(await bytesOf(rows[i]![1])).toEqual(files[i]!.data);
    const stats = await flood.stats();
    expect(stats.bans).toBe(0);
    expect(stats.calls['/v1/download/get_token.cgi']).toBe(200);
  });
});
