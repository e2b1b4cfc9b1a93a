/**
 * B9's media library: `libraryFiles` small video files made with Debian's ffmpeg from its test sources
 * (testsrc2 video, a sine tone; H.264 + AAC at 2 Mb/s, 320x240, single-threaded and bit-exact flags so a
 * given ffmpeg makes the same bytes every time), alternately MP4 with the index (moov) at the END (ffmpeg's
 * default, no +faststart) and MKV, durations spread between libraryMinSeconds and libraryMaxSeconds, ten
 * files per folder. Generated once into `<work>/b9-library/` (kept between runs) and written into the
 * emulator's data dir as rows + blobs (its own marker), before the emulator opens it. Two longer files of the
 * same recipe (`probeSampleSeconds`) stay local: they only show what a probe reads from a film-sized file.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { newFileRow } from '../../src/emulator/catalog.ts';
import { ROOT_ID, State } from '../../src/emulator/state.ts';
import { createWhirlpoolHasher } from '../../src/util/whirlpool.ts';
import { PATHS, type BenchSizes } from './config.ts';

const run = promisify(execFile);
const VERSION = 1;
const MARKER = 'b9-library.json';
const PER_FOLDER = 10;

export interface LibraryFile {
  /** Account path (bench/library/d-NN/name). */
  path: string;
  /** Local copy (for the read-pattern measurement). */
  local: string;
  bytes: number;
  container: 'mp4' | 'mkv';
}

export interface LibraryFixtures {
  root: string;
  files: LibraryFile[];
  totalBytes: number;
  /** Longer local files (same recipe, `probeSampleSeconds` long), only for the read-pattern measurement. */
  samples: string[];
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/** The deterministic recipe of file `i`: its name, container and duration. */
function recipe(s: BenchSizes, i: number): { folder: string; name: string; container: 'mp4' | 'mkv'; seconds: number; hz: number } {
  const container = i % 2 === 0 ? 'mp4' : 'mkv';
  const span = s.libraryMaxSeconds - s.libraryMinSeconds + 1;
  const seconds = s.libraryMinSeconds + ((i * 7) % span);
  return { folder: `d-${pad(Math.floor(i / PER_FOLDER), 2)}`, name: `${container === 'mp4' ? 'movie' : 'show'}-${pad(i, 3)}.${container}`, container, seconds, hz: 220 + 20 * (i % 30) };
}

function spec(s: BenchSizes): string {
  return JSON.stringify({ version: VERSION, files: s.libraryFiles, min: s.libraryMinSeconds, max: s.libraryMaxSeconds });
}

/** The long samples: one MP4, one MKV, `probeSampleSeconds` long (none when 0). */
function sampleRecipes(s: BenchSizes): { name: string; r: ReturnType<typeof recipe> }[] {
  if (s.probeSampleSeconds <= 0) return [];
  return (['mp4', 'mkv'] as const).map((container) => ({
    name: `long-sample.${container}`,
    r: { folder: 'samples', name: `long-sample.${container}`, container, seconds: s.probeSampleSeconds, hz: 440 },
  }));
}

async function ffmpegVersion(): Promise<string> {
  try {
    const { stdout } = await run('ffmpeg', ['-version']);
    return stdout.split('\n')[0] ?? 'ffmpeg';
  } catch {
    throw new Error('ffmpeg is missing: B9 needs Debian\'s ffmpeg (apt-get install ffmpeg), which also brings ffprobe');
  }
}

async function makeFile(out: string, r: ReturnType<typeof recipe>): Promise<void> {
  const d = String(r.seconds);
  const args = ['-hide_banner', '-loglevel', 'error', '-y'];
  args.push('-f', 'lavfi', '-i', `testsrc2=size=320x240:rate=25:duration=${d}`, '-f', 'lavfi', '-i', `sine=frequency=${r.hz}:sample_rate=44100:duration=${d}`);
  args.push('-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '2M', '-threads', '1', '-c:a', 'aac', '-b:a', '96k');
  args.push('-fflags', '+bitexact', '-flags:v', '+bitexact', '-flags:a', '+bitexact', '-map_metadata', '-1', `${out}.partial.${r.container}`);
  await run('ffmpeg', args, { timeout: 120_000 });
  copyFileSync(`${out}.partial.${r.container}`, out);
  rmSync(`${out}.partial.${r.container}`);
}

/** Generates the missing files of the library into `dir` (two ffmpeg at a time). */
async function generate(dir: string, s: BenchSizes, log: (m: string) => void): Promise<void> {
  const todo = [...Array.from({ length: s.libraryFiles }, (_, i) => recipe(s, i)), ...sampleRecipes(s).map((x) => x.r)].filter((r) => !existsSync(join(dir, r.folder, r.name)));
  if (todo.length === 0) return;
  log(`B9: generating ${todo.length} media files with ${await ffmpegVersion()} into ${dir}`);
  const t0 = performance.now();
  const worker = async () => {
    for (let r = todo.shift(); r !== undefined; r = todo.shift()) {
      mkdirSync(join(dir, r.folder), { recursive: true });
      await makeFile(join(dir, r.folder, r.name), r);
    }
  };
  await Promise.all([worker(), worker()]);
  log(`B9: library generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

async function whirlpoolOfFile(file: string): Promise<string> {
  const h = await createWhirlpoolHasher();
  h.update(readFileSync(file));
  return h.digestHex();
}

function describe(dir: string, s: BenchSizes): LibraryFixtures {
  const files = Array.from({ length: s.libraryFiles }, (_, i) => {
    const r = recipe(s, i);
    const local = join(dir, r.folder, r.name);
    return { path: `${PATHS.library}/${r.folder}/${r.name}`, local, bytes: statSync(local).size, container: r.container };
  });
  const samples = sampleRecipes(s).map(({ r }) => join(dir, r.folder, r.name));
  return { root: PATHS.library, files, totalBytes: files.reduce((a, f) => a + f.bytes, 0), samples };
}

/**
 * Makes `<workDir>/b9-library` hold the library for `sizes` (generating what is missing) and the emulator's data
 * dir hold it under bench/library. Must run before the emulator opens the data dir. Throws when ffmpeg is missing.
 */
export async function prepareLibrary(dataDir: string, workDir: string, sizes: BenchSizes, log: (m: string) => void): Promise<LibraryFixtures> {
  const dir = join(workDir, 'b9-library');
  const stamp = join(dir, 'spec.json');
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== spec(sizes)) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await generate(dir, sizes, log);
  writeFileSync(stamp, spec(sizes));
  const lib = describe(dir, sizes);
  const markerFile = join(dataDir, MARKER);
  if (existsSync(markerFile)) {
    if (readFileSync(markerFile, 'utf8') === spec(sizes)) return lib;
    throw new Error(`the emulator data in ${dataDir} holds another B9 library: delete ${dataDir} to reseed`);
  }
  const rows: { folder: string; name: string; bytes: number; hash: string }[] = [];
  for (const f of lib.files) {
    const hash = await whirlpoolOfFile(f.local);
    copyFileSync(f.local, join(dataDir, 'blobs', hash));
    const [folder, name] = f.path.split('/').slice(-2) as [string, string];
    rows.push({ folder, name, bytes: f.bytes, hash });
  }
  const state = new State(join(dataDir, 'emulator.sqlite'), Date.now());
  try {
    const now = Date.now();
    state.tx(() => {
      const bench = state.subFolders(ROOT_ID).find((x) => x.name === PATHS.root);
      if (!bench) throw new Error(`emulator data: no folder ${PATHS.root}`);
      const root = state.createFolder(bench.id, 'library', now);
      const folders = new Map<string, number>();
      for (const r of rows) {
        let id = folders.get(r.folder);
        if (id === undefined) folders.set(r.folder, (id = state.createFolder(root.id, r.folder, now).id));
        state.insertFile(newFileRow({ folderId: id, filename: r.name, size: r.bytes, date: now, checksum: r.hash }));
      }
    });
  } finally {
    state.close();
  }
  writeFileSync(markerFile, spec(sizes));
  log(`B9: ${lib.files.length} files (${(lib.totalBytes / 1e6).toFixed(0)} MB) written into the emulator's data`);
  return lib;
}

/**
 * Files under `dir`, recursively, sorted (a media server's walk of its library folder). Asynchronous on
 * purpose: on a FUSE mount of a server that talks to the emulator in this very process, a synchronous
 * readdir would block the event loop the emulator needs to answer, and never return.
 */
export async function walkFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walkFiles(p)));
    else out.push(p);
  }
  return out;
}
