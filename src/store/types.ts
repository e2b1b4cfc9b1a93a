/**
 * The persistent metadata store: an embedded SQLite database (better-sqlite3, WAL, synchronous=NORMAL so a
 * kill -9 loses at most the last transactions and never corrupts), one file per account under the cache dir.
 * It keeps what makes a restarted server answer a known tree with zero API calls, and what 1fichier cannot
 * store. All methods are synchronous (better-sqlite3) and each is one transaction.
 *
 * Keys: listings and local files by canonical path (core/path.ts); file metadata and dead properties by
 * the remote id (1fichier file URL / folder id), so they survive renames and moves made through us.
 */
import type { DeadProp } from '../core/props.ts';
import type { RemoteEntry } from '../remote/types.ts';

export interface Listing {
  /** The directory's entries as the remote listed them (duplicates included), in remote order. */
  entries: RemoteEntry[];
  /** Clock ms when the listing was fetched from the remote (TTL decisions are the VFS's). */
  fetchedAt: number;
  /** True when the remote could not give the whole folder: a name missing from it may exist all the same. */
  partial?: boolean;
}

/** What 1fichier cannot hold, kept per file id. */
export interface FileMeta {
  /** The client's modification time (X-OC-Mtime, PROPPATCH, PUT with a known mtime), ms. */
  modTime?: number;
  /** Hex digests computed while the bytes streamed through us. */
  md5?: string;
  sha1?: string;
}

/** A file that lives only in the store: 0-byte files and OS junk (._*, .DS_Store, Thumbs.db...). */
export interface LocalFile {
  path: string;
  /** Synthetic id "local:<uuid>", stable across renames. */
  id: string;
  content: Buffer;
  modTime: number;
}

/** One entry found by MetaStore.searchNames. */
export interface SearchHit {
  /** The entry's path as listed ('a/b.txt'); a duplicate name shows under its listed name, not its suffixed one. */
  path: string;
  name: string;
  kind: 'file' | 'dir';
  size: number;
  /** The client's modtime when one is stored, else the remote's, ms. */
  modTime: number;
}

/** How much of the account's tree the store has ever listed. */
export interface ListingCoverage {
  /** The root folder has a cached listing. */
  rootListed: boolean;
  /** Folders the store knows of (from their parent's listing) whose own content was never listed, or was forgotten. */
  unlistedDirs: number;
}

export interface MetaStore {
  /** The cached listing of `dir`, or undefined if never listed (or forgotten). */
  getListing(dir: string): Listing | undefined;
  /**
   * Replace the listing of `dir` (atomically), `partial` when it is not the whole folder. Also records the ids of
   * its sub-directories (setDirId).
   */
  putListing(dir: string, entries: RemoteEntry[], fetchedAt: number, partial?: boolean): void;
  /**
   * Write-through after a change made through us: add or replace (same id) `entry` in its parent's listing,
   * if that listing is cached; no-op otherwise. For a directory entry it also records its id.
   */
  upsertEntry(entry: RemoteEntry): void;
  /** Write-through: drop the entry with `id` from the cached listing of `dir` (no-op when not cached). */
  removeEntry(dir: string, id: string): void;
  /** Forget the listing of `prefix` and of everything below it ('' = all), and their directory ids. */
  forgetTree(prefix: string): void;
  /**
   * A folder moved from `src` to `dst` (neither the root): its cached listings and directory ids at and below
   * `src` now sit at the same places below `dst`, entry paths rewritten; whatever was cached at and below `dst`
   * is forgotten first. The parents' listings are the caller's (upsertEntry / removeEntry).
   */
  moveTree(src: string, dst: string): void;
  /** Paths of every cached listing at or below `prefix` (for recursive refresh). */
  listedDirs(prefix: string): string[];

  /**
   * Entries of the cached listings, and local-only files, whose name contains `text` (ASCII letters compared
   * case-insensitively, other characters exactly; `%`, `_` and `\` are literal), ordered by path, at most
   * `limit`; with `under`, only those below that folder (a served root; paths stay the account's). A query on the
   * store only: it never lists anything, so folders never listed are not searched (see listingCoverage).
   */
  searchNames(text: string, limit: number, under?: string): SearchHit[];
  /** How much of the tree is listed: the account's, or with `under` that folder's (its listing, the folders below it). */
  listingCoverage(under?: string): ListingCoverage;

  /** Directory path -> remote folder id (root not stored: callers know it). Used by the fichier remote. */
  getDirId(path: string): string | undefined;
  setDirId(path: string, id: string): void;

  getMeta(id: string): FileMeta | undefined;
  /** Merge `patch` into the metadata of `id` (undefined fields are left as they are). */
  setMeta(id: string, patch: FileMeta): void;
  /** Give `toId` a copy of `fromId`'s metadata and dead properties (server-side copy). */
  copyMeta(fromId: string, toId: string): void;
  /** Forget metadata and dead properties of `id` (the file was deleted). */
  deleteMeta(id: string): void;

  getProps(id: string): DeadProp[];
  /** Dead properties of many ids in one query: id -> properties; ids without any are absent. */
  getPropsMany(ids: readonly string[]): Map<string, DeadProp[]>;
  /** Set (insert or replace) one dead property. */
  setProp(id: string, prop: DeadProp): void;
  /** Remove one dead property; no-op when absent. */
  removeProp(id: string, ns: string, name: string): void;

  getLocal(path: string): LocalFile | undefined;
  /** Local files directly inside `dir`. */
  listLocal(dir: string): LocalFile[];
  /** Insert or replace the local file at `file.path`. Throws RangeError over `maxLocalBytes`. */
  putLocal(file: LocalFile): void;
  /** No-op when absent. */
  removeLocal(path: string): void;
  /** Move every local file at or below `src` to the same place below `dst` (a file or a folder rename). */
  moveLocal(src: string, dst: string): void;
  /** Delete every local file at or below `prefix`. */
  removeLocalTree(prefix: string): void;

  /** A small named record (JSON text) kept across restarts, or undefined. */
  getState(key: string): string | undefined;
  /** Sets (or replaces) the named record `key`. */
  setState(key: string, value: string): void;

  /** Rows per table, and the database file size in bytes (0 in memory). */
  stats(): { listings: number; entries: number; dirIds: number; meta: number; props: number; local: number; bytes: number };
  close(): void;
}

export interface MetaStoreOptions {
  /** Database file, or ':memory:' for tests. Parent directories are created. */
  file: string;
  /** Largest content of one local file, bytes. Default 16 MiB. */
  maxLocalBytes?: number;
}
