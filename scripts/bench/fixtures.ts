/**
 * Seeds the emulator's data dir directly (SQLite rows and blob files, no HTTP), before the emulator opens it:
 * the big folder (B1, B6), the tree (B2), the big file (B3, B4), the empty PUT folder (B5) and the many-entries
 * folders (B7). Small files all share one 1 KiB blob. The seed is kept between runs: a marker file records the
 * sizes it was made for, and the data dir is rebuilt only when they change (the big file costs ~10 s to write).
 */
import { randomFillSync } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { newFileRow } from '../../src/emulator/catalog.ts';
import { ROOT_ID, State } from '../../src/emulator/state.ts';
import { createWhirlpoolHasher, whirlpoolHex } from '../../src/util/whirlpool.ts';
import { MiB, PATHS, treeFolderCount, type BenchSizes } from './config.ts';
import type { LibraryFixtures } from './library.ts';
import type { StoreFixtures } from './store-fixtures.ts';

export interface BenchFixtures {
  bigFolder: { path: string; files: number; dirs: number };
  tree: { path: string; folders: number; files: number };
  bigFile: { path: string; bytes: number };
  putDir: string;
  many: { path: string; folders: number; files: number };
  /** B8's store template and cold folder, when B8 runs. */
  store?: StoreFixtures;
  /** B9's media library, when B9 runs. */
  library?: LibraryFixtures;
}

const MARKER = 'bench-fixtures.json';
const SEED_VERSION = 1;
const SMALL_BYTES = 1024;

interface Marker {
  version: number;
  sizes: Partial<BenchSizes>;
  putFolderId: number;
}

/** The sizes that shape the seed (the others only shape the measurements). */
function seedSpec(s: BenchSizes): Partial<BenchSizes> {
  const { bigFolderFiles, bigFolderDirs, treeTop, treeSub, treeFiles, bigFileBytes, manyFolders, manyFilesPerFolder } = s;
  return { bigFolderFiles, bigFolderDirs, treeTop, treeSub, treeFiles, bigFileBytes, manyFolders, manyFilesPerFolder };
}

function describe(s: BenchSizes): BenchFixtures {
  return {
    bigFolder: { path: PATHS.bigFolder, files: s.bigFolderFiles, dirs: s.bigFolderDirs },
    tree: { path: PATHS.tree, folders: treeFolderCount(s), files: s.treeFiles },
    bigFile: { path: PATHS.bigFile, bytes: s.bigFileBytes },
    putDir: PATHS.putDir,
    many: { path: PATHS.many, folders: s.manyFolders, files: s.manyFolders * s.manyFilesPerFolder },
  };
}

const pad = (n: number, width = 4): string => String(n).padStart(width, '0');

/** Writes `bytes` random bytes as a blob (streamed, 4 MiB at a time) and returns its Whirlpool hash. */
async function writeRandomBlob(blobDir: string, bytes: number): Promise<string> {
  const staging = join(blobDir, '..', 'bench-big.partial');
  const out = createWriteStream(staging);
  const hasher = await createWhirlpoolHasher();
  const buf = Buffer.allocUnsafe(4 * MiB);
  for (let done = 0; done < bytes; ) {
    const n = Math.min(buf.length, bytes - done);
    const chunk = Buffer.from(randomFillSync(buf).subarray(0, n));
    hasher.update(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
    done += n;
  }
  out.end();
  await once(out, 'finish');
  const hash = hasher.digestHex();
  renameSync(staging, join(blobDir, hash));
  return hash;
}

class Seeder {
  private readonly now = Date.now();
  constructor(private readonly state: State) {}

  folder(parent: number, name: string): number {
    return this.state.createFolder(parent, name, this.now).id;
  }

  file(folder: number, filename: string, size: number, checksum: string): void {
    this.state.insertFile(newFileRow({ folderId: folder, filename, size, date: this.now, checksum }));
  }
}

async function seed(dataDir: string, s: BenchSizes, log: (m: string) => void): Promise<Marker> {
  const blobDir = join(dataDir, 'blobs');
  mkdirSync(blobDir, { recursive: true });
  const small = Buffer.alloc(SMALL_BYTES, 'fichier-dav bench\n');
  const smallHash = await whirlpoolHex(small);
  writeFileSync(join(blobDir, smallHash), small);
  log(`seeding: writing the ${(s.bigFileBytes / MiB).toFixed(0)} MiB random file`);
  const bigHash = await writeRandomBlob(blobDir, s.bigFileBytes);
  const state = new State(join(dataDir, 'emulator.sqlite'), Date.now());
  try {
    return state.tx(() => {
      const seed = new Seeder(state);
      const root = seed.folder(ROOT_ID, PATHS.root);
      const big = seed.folder(root, 'F2000');
      for (let i = 1; i <= s.bigFolderDirs; i++) seed.folder(big, `dir-${pad(i, 3)}`);
      for (let i = 1; i <= s.bigFolderFiles; i++) seed.file(big, `file-${pad(i)}.txt`, SMALL_BYTES, smallHash);
      const tree = seed.folder(root, 'tree');
      const treeFolders: number[] = [];
      for (let t = 1; t <= s.treeTop; t++) {
        const top = seed.folder(tree, `season-${pad(t, 2)}`);
        treeFolders.push(top);
        for (let u = 1; u <= s.treeSub; u++) treeFolders.push(seed.folder(top, `disc-${pad(u, 2)}`));
      }
      for (let i = 0; i < s.treeFiles; i++) seed.file(treeFolders[i % treeFolders.length]!, `episode-${pad(i + 1)}.txt`, SMALL_BYTES, smallHash);
      seed.file(seed.folder(root, 'big'), 'big.bin', s.bigFileBytes, bigHash);
      const putFolderId = seed.folder(root, 'put');
      const many = seed.folder(root, 'many');
      for (let f = 1; f <= s.manyFolders; f++) {
        const dir = seed.folder(many, `m-${pad(f, 3)}`);
        for (let i = 1; i <= s.manyFilesPerFolder; i++) seed.file(dir, `n-${pad(i, 5)}.txt`, SMALL_BYTES, smallHash);
      }
      return { version: SEED_VERSION, sizes: seedSpec(s), putFolderId };
    });
  } finally {
    state.close();
  }
}

function readMarker(dataDir: string): Marker | undefined {
  try {
    return JSON.parse(readFileSync(join(dataDir, MARKER), 'utf8')) as Marker;
  } catch {
    return undefined;
  }
}

/** Removes what earlier PUTs left in the PUT folder (the emulator sweeps their blobs when it opens). */
function emptyPutFolder(dataDir: string, putFolderId: number): number {
  const state = new State(join(dataDir, 'emulator.sqlite'), Date.now());
  try {
    const files = state.files(putFolderId);
    state.tx(() => files.forEach((f) => state.deleteFile(f.id, Date.now())));
    return files.length;
  } finally {
    state.close();
  }
}

/**
 * Makes `dataDir` hold exactly the seed for `sizes` (reusing a matching one) with an empty PUT folder.
 * Must run before the emulator opens the data dir. Throws on file-system or SQLite errors.
 */
export async function prepareFixtures(dataDir: string, sizes: BenchSizes, log: (m: string) => void): Promise<BenchFixtures> {
  const want = JSON.stringify({ version: SEED_VERSION, sizes: seedSpec(sizes) });
  const have = readMarker(dataDir);
  if (have && existsSync(join(dataDir, 'emulator.sqlite')) && JSON.stringify({ version: have.version, sizes: have.sizes }) === want) {
    const removed = emptyPutFolder(dataDir, have.putFolderId);
    log(`fixtures: reusing ${dataDir}${removed ? ` (removed ${removed} leftover PUT file(s))` : ''}`);
    return describe(sizes);
  }
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const t0 = performance.now();
  const marker = await seed(dataDir, sizes, log);
  writeFileSync(join(dataDir, MARKER), JSON.stringify(marker, null, 2));
  log(`fixtures: seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return describe(sizes);
}
