/**
 * Names interoperability with real rclone (Debian's 1.60, its own fichier backend).
 *
 * 1. rclone's encoder itself, without any server: rclone copies between a plain local folder and a local
 *    folder that uses the fichier encoding (a `:local,encoding=...:` connection string), so the file names
 *    on disk are rclone's exact encoding, or decoding, of several hundred generated names; encodeName and
 *    decodeName must give the same. (Names whose characters rclone's local backend itself rewrites, ‛ ␀
 *    ／ and whole-name ．, are left out of that comparison; the emulator part covers them.)
 * 2. Against the emulator (proxy mode): a local tree with awkward names uploaded by `rclone copy` lists
 *    under the same names through our fichier remote; files and folders created through our remote show
 *    identically in `rclone lsf -R`, and the bytes match both ways.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FichierClient } from '../src/api/client.ts';
import { createFichierRemote, decodeName, encodeName } from '../src/remote/fichier/index.ts';
import type { Remote } from '../src/remote/types.ts';
import { startEmulator, type TestEmulator } from './support/emulator.ts';
import { rclone, rcloneBytes } from './support/rclone.ts';

const FICHIER_ENCODING = 'Slash,LtGt,DoubleQuote,SingleQuote,BackQuote,Dollar,BackSlash,Del,Ctl,LeftSpace,RightSpace,InvalidUtf8,Dot';
const Q = '\u201B';

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'fdav-names-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** rclone with a private empty config, no network use (local backends only). */
function rcloneLocal(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const home = join(scratch, 'home');
  mkdirSync(home, { recursive: true });
  const env = { PATH: process.env.PATH, HOME: home };
  return new Promise((resolve) => {
    execFile('rclone', ['--config', join(home, 'rclone.conf'), ...args], { env, timeout: 60_000, encoding: 'buffer' }, (err, out, stderr) => {
      resolve({ code: err ? 1 : 0, stdout: out.toString('utf8'), stderr: stderr.toString('utf8') });
    });
  });
}

/** Names on disk in `dir`, decoded as UTF-8 (every name here is valid UTF-8). */
function diskNames(dir: string): string[] {
  return readdirSync(dir, { encoding: 'buffer' }).map((b) => b.toString('utf8'));
}

const utf8Len = (s: string): number => Buffer.byteLength(s, 'utf8');
/** A name rclone's local backend on Linux reads back unchanged (its own decoding touches ‛ ␀ ／ and whole ．). */
const localSafe = (s: string): boolean =>
  s !== '' && !/[/\0\u201B\u2400\uFF0F]/.test(s) && !['.', '..', '\uFF0E', '\uFF0E\uFF0E'].includes(s) && utf8Len(s) <= 200;

describe("rclone's own fichier encoder agrees with encodeName / decodeName", () => {
  it('encoding: rclone copy into a fichier-encoded local folder stores encodeName(name)', async () => {
    const tricky = fc.constantFrom(' ', '.', '$', '"', "'", '`', '<', '>', '\\', '\t', '\x01', '\x1F', '\x7F', '\u2420', '\u2401', '\u2421', '\uFF04', '\uFF02', '\uFF1C', '\uFF3C', '\uFF0E', 'é', '🎉', 'a', 'Z', '#', '%');
    const arb = fc.oneof(fc.string({ unit: tricky, minLength: 1, maxLength: 8 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }));
    const names = [...new Set([' a', 'a ', ' ', '  ', '...', `x${'\u2420'}`, ...fc.sample(arb, { numRuns: 400, seed: 42 })])].filter(localSafe);
    const src = join(scratch, 'enc-src');
    mkdirSync(src);
    for (const n of names) writeFileSync(join(src, n), '');
    const dst = join(scratch, 'enc-dst');
    const r = await rcloneLocal(['copy', src, `:local,encoding='${FICHIER_ENCODING}':${dst}`]);
    expect(r.stderr).not.toMatch(/ERROR/);
    expect(diskNames(dst).sort()).toEqual(names.map(encodeName).sort());
    expect(names.length).toBeGreaterThan(300);
  });

  it('decoding: rclone lsf of a fichier-encoded local folder shows decodeName(stored)', async () => {
    const token = fc.constantFrom(
      'a', 'é', ' ', '.', '\uFF04', '\uFF02', '\uFF07', '\uFF40', '\uFF1C', '\uFF1E', '\uFF3C', '\u2420', '\uFF0E',
      `${Q}\uFF04`, `${Q}\uFF3C`, `${Q}\uFF1C`, `${Q}\u2420`, `${Q}C3${Q}A9`, `${Q}41`, `${Q}e2${Q}82${Q}ac`, `${Q}F0${Q}9F${Q}8E${Q}89`, `${Q}x`, `${Q}4`,
    );
    const arb = fc.array(token, { minLength: 1, maxLength: 7 }).map((t) => t.join(''));
    const candidates = [...new Set(['\u2420a', 'a\u2420', `${Q}\u2420a`, `a${Q}\u2420`, ' a ', ...fc.sample(arb, { numRuns: 1500, seed: 7 })])];
    // rclone prints names in its Standard encoding, which rewrites controls, ‛ ␀ ／ . ..: keep names free of them.
    const printable = (d: string): boolean => localSafe(d) && ![...d].some((c) => c.charCodeAt(0) < 0x20 || c === '\x7F');
    const stored = candidates.filter((s) => utf8Len(s) <= 200 && printable(decodeName(s)));
    const src = join(scratch, 'dec-src');
    mkdirSync(src);
    for (const s of stored) writeFileSync(join(src, s), '');
    const r = await rcloneLocal(['lsf', `:local,encoding='${FICHIER_ENCODING}':${src}`]);
    expect(r.stderr).not.toMatch(/ERROR/);
    expect(r.stdout.split('\n').filter((l) => l !== '').sort()).toEqual(stored.map(decodeName).sort());
    expect(stored.filter((s) => s.includes(`${Q}41`) || s.includes(`${Q}C3`)).length).toBeGreaterThan(20);
    expect(stored.length).toBeGreaterThan(300);
  });
});

/** Every path below `dir` (folders with a trailing slash), as `rclone lsf -R` prints them, sorted. */
async function walk(remote: Remote, dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await remote.list(dir)) {
    const rel = prefix + e.name;
    if (e.kind === 'dir') out.push(`${rel}/`, ...(await walk(remote, e.path, `${rel}/`)));
    else out.push(rel);
  }
  return out.sort();
}

function lines(stdout: string): string[] {
  return Buffer.from(stdout, 'latin1').toString('utf8').split('\n').filter((l) => l.length > 0).sort();
}

/**
 * Local names for rclone to upload: every one must list identically through our remote. (No ‛: rclone 1.60's
 * local backend cannot open a local file whose name holds one; it re-encodes the name as ‛‛.)
 */
const FROM_RCLONE = [
  ' leading space.txt',
  'trailing space.txt ',
  'café crème.txt',
  'emoji 🎉 party.txt',
  `quotes ' " \`.txt`,
  'dollar $HOME.txt',
  'hash #1 and 100%.txt',
  'back\\slash <angle>.txt',
  'fullwidth ＄ already.txt',
  'fullwidth ／ slash.txt',
  'tab\tcontrol',
  '...',
  '．',
];
const FROM_RCLONE_DIR = ' sub $dir é ';

/** Names our remote creates: every one must show identically in `rclone lsf -R` (rclone prints ‛ and controls quoted, so none here). */
const FROM_US = [' lead', 'trail ', `it's "$5" \`x\``, 'a\\b<c>', 'fullwidth ＄＂ kept', 'slash ／ look-alike', 'nul ␀ look-alike', '...', '．', '日本語 🎉'];
const FROM_US_DIR = `dir 'quoted' $ `;
/** Folders made inside FROM_US_DIR (a few: each costs rclone two paced calls to list). */
const FROM_US_SUBDIRS = [FROM_US[0]!, FROM_US[1]!, FROM_US[2]!, FROM_US[5]!, FROM_US[8]!];

describe('rclone and the fichier remote see the same names (emulator, proxy mode)', () => {
  let emu: TestEmulator;
  let client: FichierClient;
  let remote: Remote;

  beforeAll(async () => {
    emu = await startEmulator();
    client = emu.client();
    remote = createFichierRemote({ client });
  });
  afterAll(async () => {
    await emu?.stop();
  });

  it('a tree uploaded by rclone lists under its local names, and the bytes match', async () => {
    const local = join(scratch, 'tree');
    mkdirSync(join(local, FROM_RCLONE_DIR), { recursive: true });
    for (const n of FROM_RCLONE) writeFileSync(join(local, n), `content of ${n}\n`);
    writeFileSync(join(local, FROM_RCLONE_DIR, 'inner $x.txt'), 'inner\n');
    const r = await rclone(emu, ['copy', '--transfers', '8', local, 'F:from-rclone']);
    expect(r.stderr).not.toMatch(/ERROR/);
    expect(r.code).toBe(0);
    const expected = [...FROM_RCLONE, `${FROM_RCLONE_DIR}/`, `${FROM_RCLONE_DIR}/inner $x.txt`].sort();
    expect(await walk(remote, 'from-rclone')).toEqual(expected);
    const quotes = await remote.stat(`from-rclone/${FROM_RCLONE[4]}`);
    const parts: Buffer[] = [];
    for await (const c of await remote.openRead(quotes)) parts.push(Buffer.from(c as Uint8Array));
    expect(Buffer.concat(parts).toString()).toBe(`content of ${FROM_RCLONE[4]}\n`);
  }, 60_000);

  it('files and folders made through our remote show identically in rclone lsf -R, and rclone reads them', async () => {
    const top = await remote.mkdir(await remote.stat(''), 'from-us');
    const dir = await remote.mkdir(top, FROM_US_DIR);
    for (const n of FROM_US_SUBDIRS) await remote.mkdir(dir, n);
    for (const n of FROM_US) {
      const data = Buffer.from(`ours: ${n}`);
      await remote.put(top, n, Readable.from([data]), { size: data.length });
    }
    const expected = [...FROM_US, `${FROM_US_DIR}/`, ...FROM_US_SUBDIRS.map((n) => `${FROM_US_DIR}/${n}/`)].sort();
    const ls = await rclone(emu, ['lsf', '-R', 'F:from-us']);
    expect(ls.code).toBe(0);
    expect(lines(ls.stdout)).toEqual(expected);
    const cat = await rcloneBytes(emu, ['cat', `F:from-us/${FROM_US[2]}`]);
    expect(cat.stdout.toString('utf8')).toBe(`ours: ${FROM_US[2]}`);
  }, 60_000);
});
