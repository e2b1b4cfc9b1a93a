/**
 * One folder's entries from the API, complete, with as few listings as the answers allow.
 *
 * - folder/ls with `files: 1` gives sub-folders and files in one call. file/ls is called as well only when the
 *   answer has no `items` key at all while the folder may hold files (no `files: 0` count in the answer).
 * - A listing answers at most `cap` entries (5,000, the official figure; folder/ls counts sub-folders too). A
 *   capped answer is paged with file/ls `sent_before` / `sent_after` (inclusive, second precision) and the pages
 *   merged by URL. The emulator, like the cautious reading of the service, keeps the NEWEST files in a capped
 *   answer, so the pages go back in time: sent_before = the oldest date seen so far. If the first such page adds
 *   nothing, the service kept the OLDEST files instead, and the pages go forward with sent_after. Each page is a
 *   listing of the same folder for the rules (30 s apart at real timings): the budget in the pacer spaces them;
 *   a 12,000-file folder costs three listings.
 * - A listing that cannot be completed is returned with a `partial` reason: more sub-folders than one answer
 *   holds (nothing pages them), more than `cap` files uploaded in one second (a date filter cannot split them),
 *   or files without a date. Callers must not conclude from it that a name is absent.
 *
 * Names are decoded (encoding.ts `fromStoredName`); dates are Paris local time (parseWireDate): a file's
 * modTime is its upload `date`, a folder's its `create_date`; an unparsable date gives "now", as in rclone.
 * Order: sub-folders first, then files, each in the server's order (later pages after earlier ones).
 */
import type { FichierClient, ListingOptions } from '../../api/client.ts';
import { parseWireDate, type FileEntry, type SubFolderEntry } from '../../api/types.ts';
import type { Clock } from '../../util/clock.ts';
import type { Logger } from '../../util/log.ts';
import { joinPath } from '../../core/path.ts';
import type { RemoteEntry } from '../types.ts';
import { fromStoredName } from './encoding.ts';

/** A listing answers at most this many entries (folder/ls: sub-folders + files; file/ls: files). */
export const FOLDER_LS_CAP = 5000;

export interface ListContext {
  client: FichierClient;
  clock: Clock;
  logger: Logger;
  /** Entries per listing answer beyond which the answer is taken as capped. Default FOLDER_LS_CAP. */
  cap?: number;
}

export interface FolderListing {
  entries: RemoteEntry[];
  /** Set when the entries are not the whole folder: why (for logs). */
  partial?: string;
}

/**
 * Entries of folder `folderId`, shown at `dir`, paged to completion when capped. Throws FichierApiError
 * (not-found for an unknown folder id; a page that fails fails the listing), or the signal's reason.
 */
export async function listFolder(ctx: ListContext, folderId: number, dir: string, opts: ListingOptions = {}): Promise<FolderListing> {
  const cap = ctx.cap ?? FOLDER_LS_CAP;
  const res = await ctx.client.folderLs(folderId, { ...opts, files: true });
  const subs = res.sub_folders ?? [];
  let items: FileEntry[];
  let capped: boolean;
  if (res.items === undefined || res.items === null) {
    items = res.files === 0 ? [] : (await ctx.client.fileLs(folderId, opts)).items;
    capped = items.length >= cap;
  } else {
    items = res.items;
    capped = subs.length + items.length >= cap;
  }
  let partial: string | undefined = subs.length >= cap ? `more than ${cap} sub-folders` : undefined;
  if (capped) {
    ctx.logger.info({ dir, folderId, entries: subs.length + items.length }, 'a listing hit its cap; paging the files by upload date');
    const paged = await pageFiles(ctx, folderId, items, cap, opts);
    items = paged.items;
    partial ??= paged.partial;
  }
  if (partial !== undefined) ctx.logger.warn({ dir, folderId, reason: partial }, 'folder listing incomplete');
  const now = ctx.clock.now();
  const entries: RemoteEntry[] = [];
  const add = (e: RemoteEntry): void => {
    if (e.name === '') ctx.logger.warn({ dir, id: e.id }, 'skipping an entry with an empty name');
    else entries.push(e);
  };
  for (const s of subs) add(dirEntry(dir, s, now));
  for (const f of items) add(fileEntry(dir, f, now));
  return partial === undefined ? { entries } : { entries, partial };
}

/** The files of a capped answer `first`, completed with file/ls pages merged by URL (see the module doc). */
async function pageFiles(ctx: ListContext, folderId: number, first: FileEntry[], cap: number, opts: ListingOptions): Promise<{ items: FileEntry[]; partial?: string }> {
  const byUrl = new Map<string, FileEntry>(first.map((f) => [f.url, f]));
  let direction: 'back' | 'forward' = 'back';
  let firstPage = true;
  let bound = edge(first, 'back');
  while (bound !== undefined) {
    const filter = direction === 'back' ? { sentBefore: bound } : { sentAfter: bound };
    const page = (await ctx.client.fileLs(folderId, { ...opts, ...filter })).items;
    let added = 0;
    for (const f of page) {
      if (byUrl.has(f.url)) continue;
      byUrl.set(f.url, f);
      added++;
    }
    const pageCapped = page.length >= cap;
    if (direction === 'back' && firstPage && added === 0) {
      // Nothing older than the first answer: it kept the oldest files, so the missing ones are newer.
      direction = 'forward';
      firstPage = false;
      bound = edge([...byUrl.values()], 'forward');
      continue;
    }
    firstPage = false;
    if (!pageCapped) return { items: [...byUrl.values()] };
    if (added === 0) return { items: [...byUrl.values()], partial: `more than ${cap} files share one upload second` };
    bound = edge(page, direction);
  }
  return { items: [...byUrl.values()], partial: 'files without an upload date cannot be paged' };
}

/** The wire date of the oldest ('back') or newest ('forward') file of `files`; undefined when none has a date. */
function edge(files: FileEntry[], direction: 'back' | 'forward'): string | undefined {
  let best: { wire: string; t: number } | undefined;
  for (const f of files) {
    const t = f.date !== undefined ? parseWireDate(f.date)?.getTime() : undefined;
    if (t === undefined) continue;
    if (!best || (direction === 'back' ? t < best.t : t > best.t)) best = { wire: f.date, t };
  }
  return best?.wire;
}

function timeOf(wire: string | undefined, fallback: number): number {
  return (wire !== undefined ? parseWireDate(wire)?.getTime() : undefined) ?? fallback;
}

/** The entry of a sub-folder of `dir`. */
export function dirEntry(dir: string, s: SubFolderEntry, now: number): RemoteEntry {
  const name = fromStoredName(s.name);
  return { path: joinPath(dir, name), name, kind: 'dir', size: 0, modTime: timeOf(s.create_date, now), id: String(s.id), hashes: {} };
}

/** The entry of a file of `dir`. */
export function fileEntry(dir: string, f: FileEntry, now: number): RemoteEntry {
  const name = fromStoredName(f.filename);
  const wireDate = f.date ?? (f as { create_date?: string }).create_date;
  const mimeType = f['content-type'];
  return {
    path: joinPath(dir, name),
    name,
    kind: 'file',
    size: f.size,
    modTime: timeOf(wireDate, now),
    id: f.url,
    ...(typeof mimeType === 'string' && mimeType !== '' ? { mimeType } : {}),
    hashes: typeof f.checksum === 'string' && f.checksum !== '' ? { whirlpool: f.checksum.toLowerCase() } : {},
  };
}
