/**
 * B8's fixtures, added to the seeded emulator data dir (after the base fixtures, before the emulator opens it)
 * and kept between runs with their own marker:
 * - in the emulator: `bench/b8/archive/a-NNN` (`storeFolders` folders of `storeFilesPerFolder` files) and
 *   `bench/b8/cold` (`coldFolderFiles` files), rows written straight into its SQLite (one shared blob);
 * - a metadata-store template (`<work>/b8-store/meta.sqlite`) holding the listing of `bench/b8/archive` and of
 *   every archive folder, as our server would have stored them after browsing there: each entry is the
 *   emulator's own wire item (catalog.fileEntry) mapped by the fichier remote's own listing mapper, stored
 *   through src/store's putListing. Nothing goes over HTTP, so a million entries take seconds, not the hours
 *   the paced API would need; `bench/b8/cold` is never in the template (B8 lists it cold).
 * The store path depends on the emulator's port (storePathFor hashes the API base), so B8 copies the template
 * into each fresh --cache-dir at run time.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SubFolderEntry } from '../../src/api/types.ts';
import { fileEntry as wireFile, newFileRow, wireDate } from '../../src/emulator/catalog.ts';
import { ROOT_ID, State } from '../../src/emulator/state.ts';
import { dirEntry, fileEntry } from '../../src/remote/fichier/listing.ts';
import type { RemoteEntry } from '../../src/remote/types.ts';
import { openMetaStore } from '../../src/store/index.ts';
import { whirlpoolHex } from '../../src/util/whirlpool.ts';
import { PATHS, type BenchSizes } from './config.ts';

const MARKER = 'b8-fixtures.json';
const VERSION = 1;
const FILE_BYTES = 1024;

export interface StoreFixtures {
  /** Template store file (copy it to storePathFor(...) of a fresh cache dir). */
  template: string;
  /** Entries in the template's listings (files and folders). */
  storedEntries: number;
  /** The folder B8 lists cold. */
  coldFolder: { path: string; files: number };
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

function spec(s: BenchSizes): string {
  return JSON.stringify({ version: VERSION, folders: s.storeFolders, perFolder: s.storeFilesPerFolder, cold: s.coldFolderFiles });
}

/** Finds a folder by path in the emulator state (throws when missing). */
function folderId(state: State, path: string): number {
  let id = ROOT_ID;
  for (const name of path.split('/')) {
    const f = state.subFolders(id).find((x) => x.name === name);
    if (!f) throw new Error(`emulator data: no folder ${path}`);
    id = f.id;
  }
  return id;
}

async function seed(dataDir: string, template: string, s: BenchSizes, log: (m: string) => void): Promise<number> {
  const blobDir = join(dataDir, 'blobs');
  const body = Buffer.alloc(FILE_BYTES, 'fichier-dav b8\n');
  const checksum = await whirlpoolHex(body);
  writeFileSync(join(blobDir, checksum), body);
  rmSync(join(template, '..'), { recursive: true, force: true });
  const state = new State(join(dataDir, 'emulator.sqlite'), Date.now());
  const store = openMetaStore({ file: template });
  try {
    const now = Date.now();
    const archivePath = `${PATHS.b8}/archive`;
    const { archiveRows, folders } = state.tx(() => {
      const b8 = state.createFolder(folderId(state, PATHS.root), 'b8', now);
      const archive = state.createFolder(b8.id, 'archive', now);
      const cold = state.createFolder(b8.id, 'cold', now);
      for (let i = 1; i <= s.coldFolderFiles; i++) state.insertFile(newFileRow({ folderId: cold.id, filename: `c-${pad(i, 5)}.txt`, size: FILE_BYTES, date: now, checksum }));
      const made = [];
      for (let f = 0; f < s.storeFolders; f++) {
        const folder = state.createFolder(archive.id, `a-${pad(f, 3)}`, now);
        const rows = [];
        for (let i = 1; i <= s.storeFilesPerFolder; i++) {
          rows.push(state.insertFile(newFileRow({ folderId: folder.id, filename: `f-${pad(i, 5)}.txt`, size: FILE_BYTES, date: now, checksum })));
        }
        made.push({ folder, rows });
      }
      return { archiveRows: made, folders: made.map((m) => m.folder) };
    });
    log(`B8 fixtures: ${s.storeFolders * s.storeFilesPerFolder + s.coldFolderFiles} emulator rows written; filling the store template`);
    const wireSub = (f: { id: number; name: string; created: number }): SubFolderEntry => ({ id: f.id, name: f.name, create_date: wireDate(f.created), pass: 0 });
    const subs: RemoteEntry[] = folders.map((f) => dirEntry(archivePath, wireSub(f), now));
    store.putListing(archivePath, subs, now);
    let stored = subs.length;
    for (const [i, { folder, rows }] of archiveRows.entries()) {
      const dir = subs[i]!.path;
      if (subs[i]!.id !== String(folder.id)) throw new Error('folder order mismatch');
      const entries = rows.map((r) => fileEntry(dir, wireFile(r), now));
      store.putListing(dir, entries, now);
      stored += entries.length;
    }
    return stored;
  } finally {
    store.close();
    state.close();
  }
}

/**
 * Makes the data dir hold B8's rows and `<workDir>/b8-store/meta.sqlite` the matching template (reusing both
 * when the marker says they match `sizes`). Must run before the emulator opens the data dir.
 */
export async function prepareStoreFixtures(dataDir: string, workDir: string, sizes: BenchSizes, log: (m: string) => void): Promise<StoreFixtures> {
  const template = join(workDir, 'b8-store', 'meta.sqlite');
  const markerFile = join(dataDir, MARKER);
  const coldFolder = { path: `${PATHS.b8}/cold`, files: sizes.coldFolderFiles };
  const have = existsSync(markerFile) ? (JSON.parse(readFileSync(markerFile, 'utf8')) as { spec: string; stored: number }) : undefined;
  if (have && have.spec === spec(sizes) && existsSync(template)) {
    log(`B8 fixtures: reusing ${template}`);
    return { template, storedEntries: have.stored, coldFolder };
  }
  if (have) throw new Error(`B8 fixtures in ${dataDir} were made for other sizes or lost their store template: delete ${dataDir} to reseed`);
  mkdirSync(join(template, '..'), { recursive: true });
  const t0 = performance.now();
  const stored = await seed(dataDir, template, sizes, log);
  writeFileSync(markerFile, JSON.stringify({ spec: spec(sizes), stored }));
  log(`B8 fixtures: seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s (${stored} entries in the store template)`);
  return { template, storedEntries: stored, coldFolder };
}
