import { Readable } from 'node:stream';
import { newFileRow } from './catalog.ts';
import type { Core } from './core.ts';
import { KO } from './errors.ts';

/**
 * Bulk test data: many small files in one folder in one transaction (a 12,000-file folder in well under a
 * second, where uploading them would take minutes). Not an API of the real service: admin only.
 */
export interface SeedFilesOptions {
  folderId: number;
  count: number;
  /** File names are `<prefix><index padded to 6 digits>.txt`; default "seed-". */
  prefix?: string;
  /** Upload dates: the last file is dated now, each earlier one `spacingMs` before the next; default 1000. */
  spacingMs?: number;
  /** Bytes per file (all files share one blob); default 16. */
  size?: number;
}

export interface SeedFilesResult {
  folderId: number;
  count: number;
  /** Upload dates (clock ms) of the first and last file added. */
  firstDate: number;
  lastDate: number;
}

/** Adds the files, listed at once. Unknown folder => KO 404 #469. */
export async function seedFiles(core: Core, o: SeedFilesOptions): Promise<SeedFilesResult> {
  if (!core.state.folder(o.folderId)) throw KO.notFound();
  const size = o.size ?? 16;
  const spacing = o.spacingMs ?? 1000;
  const prefix = o.prefix ?? 'seed-';
  const blob = await core.blobs.receive(Readable.from([Buffer.alloc(size, 's')]));
  const now = core.clock.now();
  const dateOf = (i: number) => now - (o.count - 1 - i) * spacing;
  core.state.tx(() => {
    blob.commit();
    for (let i = 0; i < o.count; i++) {
      const filename = `${prefix}${String(i).padStart(6, '0')}.txt`;
      core.state.insertFile(newFileRow({ folderId: o.folderId, filename, size, date: dateOf(i), checksum: blob.hash }));
    }
  });
  return { folderId: o.folderId, count: o.count, firstDate: dateOf(0), lastDate: dateOf(o.count - 1) };
}
