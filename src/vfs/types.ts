/**
 * The virtual filesystem: paths over a Remote, with cached listings that survive restarts (MetaStore),
 * streamed reads with read-ahead and resume, durable writes, local-only files (0-byte and OS junk), a
 * deterministic duplicate-name policy, client modtimes and MD5/SHA-1, dead properties, and POSIX-style
 * errors (FsError from core/errors.ts). webdav/ and cli/ use only this interface.
 *
 * A request looks its path up once and acts on what it found (rclone's Node and Dir.Mkdir(leaf), sabre/dav's
 * INode): `lookup(path)` gives a VfsNode (what is there), `resolve(path)` a VfsTarget (the parent folder, the
 * leaf name and what is there, for creations), and every operation accepts them, so nothing below resolves
 * the path again. Operations also accept a path (one look-up inside), as Node's fs accepts a path or a
 * FileHandle. Handles are snapshots of one look-up: an operation on a handle whose item changed since acts on
 * what the handle found (a file by its id, a new item in the parent found), and a remote that no longer has it
 * answers ENOENT.
 *
 * Paths are client paths: '/a/b', 'a/b/' and 'a/b' are the same; '' or '/' is the root. A name matches any
 * canonically equivalent spelling (NFC or NFD: core/names.ts), and with `caseInsensitive` the one name equal
 * ignoring case; entries carry the stored spelling (their `path` is canonical), and a write over an existing item
 * keeps that item's spelling.
 */
import type { Readable, Writable } from 'node:stream';
import type { DeadProp } from '../core/props.ts';
import type { ByteSpan } from '../core/span.ts';
import type { MetaStore } from '../store/types.ts';
import type { Clock } from '../util/clock.ts';
import type { Logger } from '../util/log.ts';
import type { About, HashType, Remote, RemoteEntry } from '../remote/types.ts';

/**
 * A file or folder as the VFS shows it: the remote's entry, seen through the metadata store. Differences from
 * RemoteEntry: `path`/`name` are the shown ones (a duplicate file is `name (2).ext`); `modTime` is the
 * client's when one was stored (X-OC-Mtime, PROPPATCH, upload), else the remote's; `id` is the remote id or
 * "local:<uuid>" for a local-only file; `hashes` add the md5/sha1 computed when the bytes went through us.
 */
export interface VfsEntry extends Omit<RemoteEntry, 'mimeType'> {
  /** By extension for files (mime-types), 'httpd/unix-directory' for directories. */
  mimeType: string;
  hashes: Partial<Record<HashType, string>>;
  /** Strong validator, quoted: changes whenever the content may have changed (id, size, modTime). */
  etag: string;
  /** True when the file lives only in the metadata store (0-byte files, OS junk). */
  local: boolean;
}

/** What `Vfs.lookup` found at a path. Pass it back to the Vfs to act on it. */
export interface VfsNode {
  readonly entry: VfsEntry;
}

/**
 * Where a new item goes, as `Vfs.resolve` found it: the existing parent folder, the leaf name, and the item
 * of that name in the parent's listing when there is one (a create may replace it, a mkdir may not).
 */
export interface VfsTarget {
  /** Canonical path of the target (never the root). */
  readonly path: string;
  readonly name: string;
  /** The parent folder. */
  readonly parent: VfsNode;
  /** The item at `path` when it was resolved, or undefined. */
  readonly existing: VfsNode | undefined;
}

export interface VfsOptions {
  remote: Remote;
  store: MetaStore;
  clock?: Clock;
  logger?: Logger;
  /** How long a listing counts as fresh (rclone --dir-cache-time). Default 300 000 ms. */
  dirCacheTimeMs?: number;
  /** Serve a stale listing at once and refresh it in the background. Default false (rclone: blocking). */
  staleWhileRevalidate?: boolean;
  /**
   * A folder listed less than this long ago is answered from that listing, forced refreshes included (the
   * service lists one folder at most once per 30 s). Default 0; the stack passes the listing budget's folder
   * interval.
   */
  minRelistMs?: number;
  /** How long a change made through us overrides what fresh listings say (read-your-writes). Default 60 000 ms. */
  consistencyGraceMs?: number;
  /** First ranged GET of a sequential read (rclone --vfs-read-chunk-size). Default 128 MiB; 0 = one open-ended GET. */
  readChunkSize?: number;
  /** Chunk size doubles after each chunk up to this (rclone --vfs-read-chunk-size-limit); -1 = no limit. Default -1. */
  readChunkSizeLimit?: number;
  /**
   * Consecutive failed transfer attempts of a read stream (a download that fails or a body that drops)
   * resumed before giving up (rclone --low-level-retries). Default 10. API calls are not retried here: the
   * pacer owns those retries.
   */
  readRetries?: number;
  /**
   * The persistent cache of the first and last bytes of files read (edge-cache.ts): its directory, total size
   * (rclone --vfs-cache-max-size; -1 = no limit, 0 = off) and the head and tail kept per file. Default: none.
   */
  readCache?: { dir: string; maxBytes: number; headBytes: number; tailBytes: number };
  /** Where bodies of unknown size are spooled before upload. Default os.tmpdir(). */
  spoolDir?: string;
  /** Glob-like patterns (`*` and `?`) of OS junk names kept local, never uploaded. Default JUNK_PATTERNS. */
  localPatterns?: string[];
  /** How long user/info (quota) is cached. Default 300 000 ms (the service limits that call). */
  aboutTtlMs?: number;
  /**
   * A look-up that finds no name of that spelling (or an equivalent one) takes the one name equal ignoring case
   * (rclone --vfs-case-insensitive, for Windows clients); several such names find nothing. Default false.
   */
  caseInsensitive?: boolean;
  /**
   * Where changes to cached listings are told to other gateways of the account, and heard from them (the shared
   * state). Default: none (this gateway's cache knows only its own changes).
   */
  changes?: ListingChangeFeed;
}

/**
 * A change to the cached listings, as one gateway tells the others: what it changed through the service (the
 * others apply it as their own, so their clients see it at once), or a listing it fetched (the others take it
 * when it is newer than theirs).
 */
export type ListingChange =
  | { op: 'upsert'; entry: RemoteEntry }
  | { op: 'remove'; dir: string; id: string }
  | { op: 'moveTree'; src: string; dst: string }
  | { op: 'forgetTree'; prefix: string; gone: boolean }
  | { op: 'putEmpty'; dir: string }
  | { op: 'listed'; dir: string; entries: RemoteEntry[]; fetchedAt: number; partial: boolean };

/** The channel between the gateways of one account. Never throws (a change that cannot be told is lost). */
export interface ListingChangeFeed {
  publish(change: ListingChange): void;
  /** `fn` gets every change told by another gateway (never this one's own). */
  subscribe(fn: (change: ListingChange) => void): void;
}

export interface WriteOptions {
  /** Exact size when known (Content-Length, X-Expected-Entity-Length): streams with O(1) memory. Else spooled. */
  size?: number;
  /** Client modtime to record, ms (default: now). */
  modTime?: number;
  /** Expected digests (OC-Checksum): a mismatch fails the write with EBADMSG and stores nothing. */
  expect?: Partial<Record<'md5' | 'sha1', string>>;
  signal?: AbortSignal;
}

/**
 * A write in progress. Pipe the body into it; 'finish' is emitted only after the file is durable (the remote
 * confirmed it and the cache holds the new entry); a failure destroys the stream with an FsError, and the
 * previous version of the file (if any) is untouched. `result` resolves with the new entry or rejects with
 * the same FsError.
 */
export interface VfsWriteStream extends Writable {
  readonly result: Promise<VfsEntry>;
  /** True when the path existed before this write (for 201 vs 204). */
  readonly replaced: boolean;
}

export interface CopyMoveOptions {
  /** Replace an existing destination (WebDAV Overwrite: T). Default false: EEXIST. */
  overwrite?: boolean;
  /** Client modtime to record on the destination (X-OC-Mtime), ms. */
  modTime?: number;
}

/** Transfer counters of the VFS (also kept live in its context). */
export interface VfsTransferCounters {
  uploads: number;
  uploadBytes: number;
  downloads: number;
  downloadBytes: number;
  activeReads: number;
  activeWrites: number;
}

export interface VfsStats extends VfsTransferCounters {
  cacheHits: number;
  cacheMisses: number;
  listings: number;
  revalidations: number;
  /** Refreshes answered from a listing younger than minRelistMs instead of a new listing. */
  relistsAvoided: number;
}

export interface RefreshOptions {
  /** Walk the whole subtree (below). */
  recursive?: boolean;
  /**
   * Ids of entries the service made in the folder on our request and that it may list late (a remote upload's
   * files): until a listing shows them (within the consistency grace), the folder stays due for a new listing,
   * so the next read lists it again rather than trusting a late listing for --dir-cache-time.
   */
  expect?: readonly string[];
}

export interface Vfs {
  /**
   * What is at `path`, looked up once (the root too). Throws ENOENT (missing, or a parent missing), ENOTDIR (a
   * parent is a file), EAGAIN/EIO.
   */
  lookup(path: string, signal?: AbortSignal): Promise<VfsNode>;

  /**
   * The parent folder of `path`, looked up once, with the leaf name and what is there now (for creations).
   * Throws EINVAL for the root (it has no parent), ENOENT (the parent is missing), ENOTDIR (the parent or an
   * ancestor is a file), EAGAIN/EIO.
   */
  resolve(path: string, signal?: AbortSignal): Promise<VfsTarget>;

  /** The entry at `path`: `(await lookup(path)).entry`. Throws as lookup. */
  stat(path: string, signal?: AbortSignal): Promise<VfsEntry>;

  /**
   * Entries of directory `dir`, names unique (duplicate policy applied), local-only files included.
   * Answered from the cache while fresh; one remote listing per cold folder however many callers wait.
   * Throws ENOENT, ENOTDIR, EAGAIN/EIO.
   */
  readdir(dir: string | VfsNode, signal?: AbortSignal): Promise<VfsEntry[]>;

  /**
   * Stream the file's bytes, whole or `span`. The span is inside the file (validated where it entered,
   * core/span.ts; a span that is not gives ERANGE, never a clamp). Never buffers the file; reads ahead in
   * chunks; resumes at the right offset after a dropped transfer. Throws ENOENT, EISDIR, ERANGE.
   */
  openRead(file: string | VfsNode, span?: ByteSpan, signal?: AbortSignal): Promise<Readable>;

  /**
   * Start writing the file at `at` (new, or replacing `at.existing`). Throws at once EISDIR (a folder is
   * there, or the root), ENOENT/ENOTDIR (parent), EROFS; later failures surface on the stream (see
   * VfsWriteStream).
   */
  openWrite(at: string | VfsTarget, opts?: WriteOptions): Promise<VfsWriteStream>;

  /** Convenience: pipe `source` into openWrite and resolve with the durable entry. Throws as openWrite. */
  writeFile(at: string | VfsTarget, source: Readable | Buffer, opts?: WriteOptions): Promise<VfsEntry>;

  /**
   * Create the folder `at`: one remote call when the parent's listing is cached. Throws EEXIST (the name is
   * taken in the parent's listing, or the root), ENOENT (parent), ENOTDIR.
   */
  mkdir(at: string | VfsTarget, signal?: AbortSignal): Promise<VfsEntry>;

  /** Remove an empty directory. Throws ENOENT, ENOTDIR, ENOTEMPTY, EINVAL (root). */
  rmdir(dir: string | VfsNode, signal?: AbortSignal): Promise<void>;

  /** Delete a file (remote or local-only). Throws ENOENT, EISDIR. */
  unlink(file: string | VfsNode, signal?: AbortSignal): Promise<void>;

  /** Delete a file, or a directory with everything below it. Throws ENOENT, EINVAL (root). */
  removeTree(node: string | VfsNode, signal?: AbortSignal): Promise<void>;

  /**
   * Move/rename a file or directory to `dst` server-side when the remote can (else the declared fallback).
   * With `overwrite`, an existing destination is replaced only after the move succeeded for files (the old
   * destination survives a failure), and removed first for directories. Keeps modtime, hashes and dead
   * properties. Throws ENOENT (source or destination parent), EEXIST (destination exists, no overwrite),
   * EINVAL (a directory into itself, or the root), ENOTDIR.
   */
  rename(src: string | VfsNode, dst: string | VfsTarget, opts?: CopyMoveOptions): Promise<VfsEntry>;

  /**
   * Copy a file or (recursively) a directory, server-side when the remote can. Overwrite as `rename`.
   * Throws as `rename`.
   */
  copy(src: string | VfsNode, dst: string | VfsTarget, opts?: CopyMoveOptions): Promise<VfsEntry>;

  /**
   * What `readdir(dir)` answers, with a token that identifies it: the same object for as long as the folder's
   * listing, its local files, and the modtimes and dead properties of the folder and its members stay unchanged;
   * a new object after any change made through this VFS or a listing fetched again. `entries()` builds the entries
   * of that state: call it before any await. Lets a caller keep what it derives from a listing (a serialised
   * PROPFIND answer) exactly as long as it is valid. Throws as readdir.
   */
  readdirVersioned(dir: string | VfsNode, signal?: AbortSignal): Promise<VersionedListing>;

  /** Record a client modtime; returns the updated entry. Throws ENOENT. */
  setModTime(at: string | VfsNode, modTime: number): Promise<VfsEntry>;

  /**
   * Dead properties of entries already in hand (a listing), by entry id (`ids`: VfsEntry.id), in one store query;
   * entries without any are absent from the map. Never throws for a vanished entry (it simply has none).
   */
  propsOf(ids: readonly string[]): Map<string, DeadProp[]>;
  /** Dead properties of `at`. Throws ENOENT. */
  getProps(at: string | VfsNode): Promise<DeadProp[]>;
  /** Apply property updates in order, all or nothing. Throws ENOENT, EIO. */
  patchProps(at: string | VfsNode, ops: PropOp[]): Promise<void>;

  /** Account space, cached for aboutTtlMs. Throws EAGAIN/EIO only when nothing is cached. */
  about(signal?: AbortSignal): Promise<About>;

  /**
   * Re-list `path` now (unless it was listed less than minRelistMs ago: that listing stands). With recursive,
   * walk the whole subtree as rclone's `vfs/refresh recursive=true` does (one listing per folder, as background
   * listings that yield to clients' requests) and drop cached folders that no longer exist. Throws as readdir
   * for `path`; a folder that vanishes during the walk is forgotten, not an error.
   */
  refresh(path: string, opts?: RefreshOptions): Promise<void>;
  /** Drop cached listings at and below `path` ('' = everything). */
  forget(path?: string): void;

  stats(): VfsStats;
  close(): Promise<void>;
}

/** `Vfs.readdirVersioned`'s answer. */
export interface VersionedListing {
  /** Compare by identity: equal tokens, equal answers. */
  token: object;
  entries(): VfsEntry[];
  /**
   * The same entries built one at a time as `entries` is iterated, and their ids at once (for propsOf): an answer
   * written entry by entry never holds a big folder's entries all at once. The state is taken at the call (call it
   * before any await, like `entries()`); iterating later, across awaits, still yields that state.
   */
  lazyEntries(): { ids: string[]; entries: Iterable<VfsEntry> };
}

/** One dead-property update of `Vfs.patchProps`. */
export type PropOp = { op: 'set'; prop: DeadProp } | { op: 'remove'; ns: string; name: string };

/** The OS junk names kept local by default (Finder, Explorer, LibreOffice, MS Office). */
export const JUNK_PATTERNS = ['._*', '.DS_Store', 'Thumbs.db', 'desktop.ini', '.~lock.*#', '~$*', '.localized', '.metadata_never_index', '.ql_disablethumbnails', '.ql_disablecache'];

export type { About, ByteSpan, Remote, MetaStore };
