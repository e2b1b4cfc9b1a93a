/**
 * rclone's webdav backend (Debian's 1.60) as a client of our server, over the full production stack and the
 * emulator (test/support/stack.ts). The remote `D:` is configured only through the environment (no proxy
 * variables, an empty config file, a private HOME).
 *
 * vendor owncloud: copy of a 100-file tree with awkward names, hash-based check (MD5/SHA1 from oc:checksums), a
 * second sync that transfers nothing (modtimes from X-OC-Mtime / PROPPATCH), moveto of a file and a folder, about
 * (RFC 4331 quota), cat with --offset/--count (exact ranges), purge.
 * vendor other: copy, lsl with sizes, purge.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBytes } from './support/bytes.ts';
import { startDavStack, type DavStack } from './support/stack.ts';

interface Run {
  code: number;
  stdout: Buffer;
  stderr: string;
}

let scratch: string;
let stack: DavStack;
let obscured: string;

/** rclone with only PATH and a private HOME in its environment (plus `extra`), stdout as bytes. */
function rcloneRaw(args: string[], extra: NodeJS.ProcessEnv = {}): Promise<Run> {
  const home = join(scratch, 'home');
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, ...extra };
  const full = ['--config', join(home, 'rclone.conf'), '--retries', '1', '--low-level-retries', '2', ...args];
  return new Promise((resolve) => {
    execFile('rclone', full, { env, timeout: 60_000, maxBuffer: 64 * 1024 * 1024, encoding: 'buffer' }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr: stderr.toString('utf8') });
    });
  });
}

/** rclone with remote `D:` = our server with the given vendor. */
function rcloneD(vendor: string, args: string[]): Promise<Run> {
  return rcloneRaw(args, {
    RCLONE_CONFIG_D_TYPE: 'webdav',
    RCLONE_CONFIG_D_URL: stack.url,
    RCLONE_CONFIG_D_VENDOR: vendor,
    RCLONE_CONFIG_D_USER: stack.user,
    RCLONE_CONFIG_D_PASS: obscured,
  });
}

const AWKWARD = ['a b & c (1).txt', 'é ü ß 日本.bin', 'semi;colon[1]#%25.dat', "quote's+plus=.md"];
const FOLDERS = ['', 'docs', 'docs/deep er', 'media', 'spé cial'];

/** Writes 100 files (1 B .. 200 KB, a few awkward names) under `root`; returns relative path -> content. */
function makeTree(root: string, count: number): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    const folder = FOLDERS[i % FOLDERS.length]!;
    const name = i < AWKWARD.length ? AWKWARD[i]! : `file-${String(i).padStart(3, '0')}.bin`;
    const size = i === 0 ? 1 : i === 1 ? 200 * 1024 : 1 + ((i * 7919) % (200 * 1024));
    const rel = folder === '' ? name : `${folder}/${name}`;
    const content = testBytes(size, i + 1);
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), content);
    files.set(rel, content);
  }
  return files;
}

function text(r: Run): string {
  return `exit ${r.code}\n--- stdout\n${r.stdout.toString('utf8').slice(-3000)}\n--- stderr\n${r.stderr.slice(-4000)}`;
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'fdav-rclone-webdav-'));
  mkdirSync(join(scratch, 'home'), { recursive: true });
  writeFileSync(join(scratch, 'home', 'rclone.conf'), '');
  stack = await startDavStack();
  const ob = await rcloneRaw(['obscure', stack.pass]);
  expect(ob.code).toBe(0);
  obscured = ob.stdout.toString('utf8').trim();
}, 30_000);

afterAll(async () => {
  await stack.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('rclone webdav, vendor owncloud', () => {
  const V = 'owncloud';
  let src: string;
  let files: Map<string, Buffer>;

  beforeAll(() => {
    src = join(scratch, 'src-oc');
    files = makeTree(src, 100);
  });

  it('copies a 100-file tree', { timeout: 60_000 }, async () => {
    const r = await rcloneD(V, ['copy', src, 'D:oc', '--transfers', '8', '--checkers', '8']);
    expect(r.code, text(r)).toBe(0);
    const ls = await rcloneD(V, ['lsf', '-R', '--files-only', 'D:oc']);
    expect(ls.code, text(ls)).toBe(0);
    expect(ls.stdout.toString('utf8').split('\n').filter(Boolean).sort()).toEqual([...files.keys()].sort());
  });

  it('check compares hashes and finds 0 differences', { timeout: 30_000 }, async () => {
    const r = await rcloneD(V, ['check', src, 'D:oc', '-v']);
    expect(r.code, text(r)).toBe(0);
    expect(r.stderr).not.toMatch(/no hashes in common|size only/i);
    expect(r.stderr).toMatch(/0 differences found/);
    expect(r.stderr).toMatch(/100 matching files/);
    expect(r.stderr).toMatch(/Using (md5|sha1) for hash comparisons/);
    const alt = join(scratch, 'alt-oc');
    const flipped = Buffer.from(files.get('file-015.bin')!);
    const mid = flipped.length >> 1;
    flipped[mid] = (flipped[mid] ?? 0) ^ 0xff;
    mkdirSync(alt, { recursive: true });
    writeFileSync(join(alt, 'file-015.bin'), flipped);
    const neg = await rcloneD(V, ['check', alt, 'D:oc', '--one-way', '--include', '/file-015.bin', '-v']);
    expect(neg.code, text(neg)).not.toBe(0);
    expect(neg.stderr).toMatch(/1 differences found/);
    expect(neg.stderr).not.toMatch(/hashes could not be checked/);
    const sums = await rcloneD(V, ['md5sum', 'D:oc/docs']);
    expect(sums.code, text(sums)).toBe(0);
    const want = [...files].filter(([k]) => k.startsWith('docs/') && !k.startsWith('docs/deep er/'));
    for (const [rel, content] of want) {
      expect(sums.stdout.toString('utf8')).toContain(`${createHash('md5').update(content).digest('hex')}  ${rel.slice('docs/'.length)}`);
    }
  });

  it('a second sync transfers nothing', { timeout: 30_000 }, async () => {
    const r = await rcloneD(V, ['sync', src, 'D:oc', '-v', '--stats-one-line']);
    expect(r.code, text(r)).toBe(0);
    expect(r.stderr).not.toMatch(/: Copied \(/);
    expect(r.stderr).not.toMatch(/Updated modification time/);
    expect(r.stderr).toMatch(/There was nothing to transfer/);
    expect(r.stderr).toMatch(/\b0 B \/ 0 B\b/);
    expect(r.stderr).not.toMatch(/Transferred:\s+[1-9]\d* \/ /);
  });

  it('moveto moves a file and a folder', { timeout: 30_000 }, async () => {
    const f = await rcloneD(V, ['moveto', 'D:oc/file-005.bin', 'D:oc/moved/renamed file.bin']);
    expect(f.code, text(f)).toBe(0);
    const d = await rcloneD(V, ['moveto', 'D:oc/docs', 'D:oc/docs-moved']);
    expect(d.code, text(d)).toBe(0);
    const ls = await rcloneD(V, ['lsf', '-R', '--files-only', 'D:oc']);
    const names = ls.stdout.toString('utf8').split('\n').filter(Boolean);
    expect(names).toContain('moved/renamed file.bin');
    expect(names).not.toContain('file-005.bin');
    expect(names.some((n) => n.startsWith('docs/'))).toBe(false);
    const docs = [...files.keys()].filter((k) => k.startsWith('docs/'));
    for (const k of docs) expect(names).toContain(`docs-moved/${k.slice('docs/'.length)}`);
    const cat = await rcloneD(V, ['cat', 'D:oc/moved/renamed file.bin']);
    expect(cat.stdout.equals(files.get('file-005.bin')!)).toBe(true);
  });

  it('about shows Total, Used and Free', { timeout: 15_000 }, async () => {
    const r = await rcloneD(V, ['about', 'D:', '--json']);
    expect(r.code, text(r)).toBe(0);
    const about = JSON.parse(r.stdout.toString('utf8')) as { total?: number; used?: number; free?: number };
    expect(typeof about.total).toBe('number');
    expect(typeof about.used).toBe('number');
    expect(typeof about.free).toBe('number');
    expect(about.total).toBe(about.used! + about.free!);
    expect(about.used).toBeGreaterThan(0);
  });

  it('cat --offset --count returns exactly the requested bytes', { timeout: 30_000 }, async () => {
    const content = files.get('file-010.bin')!;
    for (const [offset, count] of [
      [0, 1],
      [1000, 5000],
      [content.length - 10, 10],
      [content.length - 10, 100],
    ] as const) {
      const r = await rcloneD(V, ['cat', 'D:oc/file-010.bin', '--offset', String(offset), '--count', String(count)]);
      expect(r.code, text(r)).toBe(0);
      expect(r.stdout.equals(content.subarray(offset, offset + count)), `offset ${offset} count ${count}`).toBe(true);
    }
  });

  it('purge removes the tree', { timeout: 30_000 }, async () => {
    const r = await rcloneD(V, ['purge', 'D:oc']);
    expect(r.code, text(r)).toBe(0);
    const ls = await rcloneD(V, ['lsf', 'D:']);
    expect(ls.code, text(ls)).toBe(0);
    expect(ls.stdout.toString('utf8').split('\n')).not.toContain('oc/');
    const gone = await rcloneD(V, ['lsf', 'D:oc']);
    expect(gone.code).not.toBe(0);
  });
});

describe('rclone webdav, vendor other', () => {
  const V = 'other';

  it('copy, lsl with sizes, purge', { timeout: 45_000 }, async () => {
    const src = join(scratch, 'src-other');
    const files = makeTree(src, 12);
    const c = await rcloneD(V, ['copy', src, 'D:other']);
    expect(c.code, text(c)).toBe(0);
    const ls = await rcloneD(V, ['lsl', 'D:other']);
    expect(ls.code, text(ls)).toBe(0);
    const listed = new Map<string, number>();
    for (const line of ls.stdout.toString('utf8').split('\n')) {
      const m = /^\s*(\d+) \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ (.+)$/.exec(line);
      if (m) listed.set(m[2]!, Number(m[1]));
    }
    expect(listed).toEqual(new Map([...files].map(([k, v]) => [k, v.length])));
    const p = await rcloneD(V, ['purge', 'D:other']);
    expect(p.code, text(p)).toBe(0);
    const gone = await rcloneD(V, ['lsf', 'D:other']);
    expect(gone.code).not.toBe(0);
  });
});
