/**
 * The virtual filesystem: paths over a Remote, with cached listings that survive restarts (MetaStore),
 * streamed reads with read-ahead and resume, durable writes, local-only files (0-byte and OS junk), a
 * deterministic duplicate-name policy, client modtimes and MD5/SHA-1, dead properties, and POSIX-style
 * errors (FsError from core/errors.ts). webdav/ and cli/ use only this interface.
 *
 * Paths are client paths: '/a/b', 'a/b/' and 'a/b' are the same; '' or '/' is the root.
 */
import type { Readable, Writable } from 'node:stream';
import type { Clock } from '../util/clock.ts';
import type { Logger } from '../util/log.ts';
import type { About, EntryKind, HashType, ReadRange, Remote } from '../remote/types.ts';
import type { DeadProp } from '../core/props.ts';
import type { MetaStore } from '../store/types.ts';

export interface VfsEntry {
  /** Canonical path ('' for the root). */
  path: string;
  name: string;
  kind: EntryKind;
  size: number;
  /** The client's modtime when one was stored (X-OC-Mtime, PROPPATCH, upload), else the remote's. ms. */
  modTime: number;
  /** Remote id, or "local:<uuid>" for local-only files. */
  id: string;
  /** By extension for files (mime-types), 'httpd/unix-directory' for directories. */
  mimeType: string;
  /** whirlpool from the remote; md5/sha1 from the metadata store when they were computed through us. */
  hashes: Partial<Record<HashType, string>>;
  /** Strong validator, quoted: changes whenever the content may have changed (id, size, modTime). */
  etag: string;
  /** True when the file lives only in the metadata store (0-byte files, OS junk). */
  local: boolean;
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
  /** First ranged GET of a sequential read (rclone --vfs-read-chunk-size). Default 128 MiB; 0 = one open-ended GET. */
  readChunkSize?: number;
  /** Chunk size doubles after each chunk up to this (rclone --vfs-read-chunk-size-limit); -1 = no limit. Default -1. */
  readChunkSizeLimit?: number;
  /** Re-opens of a read stream after a mid-stream failure before giving up (rclone --low-level-retries). Default 10. */
  readRetries?: number;
  /** Where bodies of unknown size are spooled before upload. Default os.tmpdir(). */
  spoolDir?: string;
  /** Glob-like patterns (`*` and `?`) of OS junk names kept local, never uploaded. Default JUNK_PATTERNS. */
  localPatterns?: string[];
  /** How long user/info (quota) is cached. Default 300 000 ms (the service limits that call). */
  aboutTtlMs?: number;
}

export interface WriteOptions {
  /** Exact size when known (Content-Length, X-Expected-Entity-Length): streams with O(1) memory. Else spooled. */
  size?: number;
  /** Client modtime to record, ms (default: now). */
  modTime?: number;
  /** Expected digests (OC-Checksum): a mismatch fails the write with EIO and stores nothing. */
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
export interface VfsIoCounters {
  uploads: number;
  uploadBytes: number;
  downloads: number;
  downloadBytes: number;
  activeReads: number;
  activeWrites: number;
}

export interface VfsStats extends VfsIoCounters {
  cacheHits: number;
  cacheMisses: number;
  listings: number;
  revalidations: number;
}

export interface Vfs {
  /** Entry at `path`. Throws ENOENT (missing, or a parent missing), ENOTDIR (a parent is a file), EAGAIN/EIO. */
  stat(path: string, signal?: AbortSignal): Promise<VfsEntry>;

  /**
   * Entries of directory `path`, names unique (duplicate policy applied), local-only files included.
   * Answered from the cache while fresh; one remote listing per cold folder however many callers wait.
   * Throws ENOENT, ENOTDIR, EAGAIN/EIO.
   */
  readdir(path: string, signal?: AbortSignal): Promise<VfsEntry[]>;

  /**
   * Stream the file's bytes, whole or `range` (inclusive end, clamped to the size). Never buffers the file;
   * reads ahead in chunks; resumes at the right offset after a token expiry or a dropped connection.
   * Throws ENOENT, EISDIR, ERANGE (start >= size of a non-empty file).
   */
  openRead(path: string, range?: ReadRange, signal?: AbortSignal): Promise<Readable>;

  /**
   * Start writing `path` (new or replacing a file). Throws at once ENOENT (parent missing), ENOTDIR, EISDIR
   * (path is a directory), EROFS; later failures surface on the stream (see VfsWriteStream).
   */
  openWrite(path: string, opts?: WriteOptions): Promise<VfsWriteStream>;

  /** Convenience: pipe `source` into openWrite and resolve with the durable entry. Throws as openWrite. */
  writeFile(path: string, source: Readable | Buffer, opts?: WriteOptions): Promise<VfsEntry>;

  /** Create a directory. Throws EEXIST, ENOENT (parent), ENOTDIR. */
  mkdir(path: string, signal?: AbortSignal): Promise<VfsEntry>;

  /** Remove an empty directory. Throws ENOENT, ENOTDIR, ENOTEMPTY, EINVAL (root). */
  rmdir(path: string, signal?: AbortSignal): Promise<void>;

  /** Delete a file (remote or local-only). Throws ENOENT, EISDIR. */
  unlink(path: string, signal?: AbortSignal): Promise<void>;

  /** Delete a file, or a directory with everything below it. Throws ENOENT, EINVAL (root). */
  removeTree(path: string, signal?: AbortSignal): Promise<void>;

  /**
   * Move/rename a file or directory server-side when the remote can (else the declared fallback). With
   * `overwrite`, an existing destination is replaced only after the move succeeded for files (the old
   * destination survives a failure), and removed first for directories. Keeps modtime, hashes and dead
   * properties. Throws ENOENT (source or destination parent), EEXIST (destination exists, no overwrite),
   * EINVAL (a directory into itself, or the root), ENOTDIR.
   */
  rename(src: string, dst: string, opts?: CopyMoveOptions): Promise<VfsEntry>;

  /**
   * Copy a file or (recursively) a directory, server-side when the remote can. Overwrite as `rename`.
   * Throws as `rename`.
   */
  copy(src: string, dst: string, opts?: CopyMoveOptions): Promise<VfsEntry>;

  /** Record a client modtime. Throws ENOENT. */
  setModTime(path: string, modTime: number): Promise<VfsEntry>;

  /**
   * Dead properties of entries already in hand (a listing), by entry id, in one store query; entries without
   * any are absent from the map. Never throws for a vanished entry (it simply has none).
   */
  propsOf(entries: readonly VfsEntry[]): Map<string, DeadProp[]>;
  /** Dead properties of `path`. Throws ENOENT. */
  getProps(path: string): Promise<DeadProp[]>;
  /** Apply property updates in order, all or nothing. Throws ENOENT. */
  patchProps(path: string, ops: ({ op: 'set'; prop: DeadProp } | { op: 'remove'; ns: string; name: string })[]): Promise<void>;

  /** Account space, cached for aboutTtlMs. Throws EAGAIN/EIO only when nothing is cached. */
  about(signal?: AbortSignal): Promise<About>;

  /**
   * Re-list `path` now. With recursive, walk the whole subtree as rclone's `vfs/refresh recursive=true` does
   * (one listing per folder, through the pacer) and drop cached folders that no longer exist. Throws as
   * readdir for `path`; a folder that vanishes during the walk is forgotten, not an error.
   */
  refresh(path: string, opts?: { recursive?: boolean }): Promise<void>;
  /** Drop cached listings at and below `path` ('' = everything). */
  forget(path?: string): void;

  stats(): VfsStats;
  close(): Promise<void>;
}

/** The OS junk names kept local by default (Finder, Explorer, LibreOffice, MS Office). */
export const JUNK_PATTERNS = ['._*', '.DS_Store', 'Thumbs.db', 'desktop.ini', '.~lock.*#', '~$*', '.localized', '.metadata_never_index', '.ql_disablethumbnails', '.ql_disablecache'];

export type { About, ReadRange, Remote, MetaStore };
export type VfsFactory = (opts: VfsOptions) => Vfs;
export type { Clock, Logger };
