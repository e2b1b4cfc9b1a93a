/**
 * Benchmark sizes (full run and `--quick` smoke run) and the fixed conditions of every run: the emulator's API
 * latency, its bandwidth caps, and the key. Sizes are the only thing `--quick` changes.
 */

export const MiB = 2 ** 20;

/** Workload sizes of one run. */
export interface BenchSizes {
  /** B1/B6: files and sub-folders in the big folder. */
  bigFolderFiles: number;
  bigFolderDirs: number;
  /** B2: the tree has `treeTop` folders, each with `treeSub` sub-folders; files are spread evenly over them all. */
  treeTop: number;
  treeSub: number;
  treeFiles: number;
  /** B3/B4: size of the big file. */
  bigFileBytes: number;
  /** B4: number and size of the Range GETs. */
  ranges: number;
  rangeBytes: number;
  /** B5: size of the PUT body. */
  putBytes: number;
  /** B6: concurrent clients and seconds per server. */
  loadClients: number;
  loadSeconds: number;
  /** B7: folders x files per folder (each folder stays under folder/ls's 5000-entry cap: one call per folder). */
  manyFolders: number;
  manyFilesPerFolder: number;
  /** B8: folders x files per folder already in our metadata store, and the folder listed cold. */
  storeFolders: number;
  storeFilesPerFolder: number;
  coldFolderFiles: number;
  /** B9: media files in the library (half MP4 with the index at the end, half MKV) and their durations. */
  libraryFiles: number;
  libraryMinSeconds: number;
  libraryMaxSeconds: number;
  /** B9: duration of the two longer files (MP4, MKV; not scanned) whose read pattern is also measured; 0 = none. */
  probeSampleSeconds: number;
}

export const FULL: BenchSizes = {
  bigFolderFiles: 2000,
  bigFolderDirs: 50,
  treeTop: 10,
  treeSub: 9,
  treeFiles: 3000,
  bigFileBytes: 1024 * MiB,
  ranges: 20,
  rangeBytes: MiB,
  putBytes: 1024 * MiB,
  loadClients: 8,
  loadSeconds: 10,
  manyFolders: 25,
  manyFilesPerFolder: 4000,
  storeFolders: 200,
  storeFilesPerFolder: 5000,
  coldFolderFiles: 5000,
  libraryFiles: 200,
  libraryMinSeconds: 6,
  libraryMaxSeconds: 15,
  probeSampleSeconds: 300,
};

export const QUICK: BenchSizes = {
  bigFolderFiles: 200,
  bigFolderDirs: 5,
  treeTop: 3,
  treeSub: 1,
  treeFiles: 60,
  bigFileBytes: 8 * MiB,
  ranges: 5,
  rangeBytes: MiB,
  putBytes: 8 * MiB,
  loadClients: 8,
  loadSeconds: 2,
  manyFolders: 2,
  manyFilesPerFolder: 1000,
  storeFolders: 4,
  storeFilesPerFolder: 1000,
  coldFolderFiles: 500,
  libraryFiles: 2,
  libraryMinSeconds: 1,
  libraryMaxSeconds: 2,
  probeSampleSeconds: 0,
};

/**
 * Our server's listing budget in quick mode: the real rules (a listing every 3 s, one folder every 30 s) at a
 * tenth, so that a smoke run of every item does not spend minutes waiting between listings. A full run keeps
 * the real rules: they are what the comparison is about.
 */
export const QUICK_OURS_ENV: Record<string, string> = { FICHIER_DAV_LIST_INTERVAL: '300ms', FICHIER_DAV_LIST_FOLDER_INTERVAL: '3s' };

/** Folder count of the B2 tree (without its root). */
export function treeFolderCount(s: BenchSizes): number {
  return s.treeTop * (1 + s.treeSub);
}

/** Fixed conditions, the same for both servers. */
export const CONDITIONS = {
  /** Added by the emulator before answering each API and upload-node call. */
  apiLatencyMs: 50,
  /** Emulator bandwidth cap, download and upload bodies (100 MiB/s, about a gigabit line). */
  bandwidthBytesPerSec: 100 * MiB,
  /** Seed of the B4 offsets. */
  rangeSeed: 42,
  /** RSS sampling period. */
  rssSampleMs: 100,
} as const;

/** The emulator's single account key (a local fake, never a real key). */
export const BENCH_KEY = 'BenchKey_fichierdav_0123456789_xy';

/** Account paths of the fixtures (no leading or trailing slash). */
export const PATHS = {
  root: 'bench',
  bigFolder: 'bench/F2000',
  tree: 'bench/tree',
  bigFile: 'bench/big/big.bin',
  putDir: 'bench/put',
  many: 'bench/many',
  b8: 'bench/b8',
  library: 'bench/library',
} as const;
