/**
 * The path-level storage contract (like rclone's Fs): a small required surface, optional features with
 * declared fallbacks, and declared facts about what the storage cannot do. Implementations:
 * remote/memory/ (tests, reference behaviour) and remote/fichier/ (1fichier over src/api/).
 * One contract suite (remote/contract.ts, `runRemoteContract`) runs against every implementation.
 *
 * Paths follow remote/path.ts ('' = root, 'a/b', decoded names). Files are addressed by their entry
 * (`RemoteEntry`, whose `id` is the identity: with duplicate names a path alone is ambiguous); folders by path.
 * Every method throws FsError (remote/errors.ts) with the codes listed in its doc; anything unexpected from
 * below is EIO with the original error as `cause`; temporary conditions (rate limit, 5xx, network) are EAGAIN.
 */
import type { Readable } from 'node:stream';

export type EntryKind = 'file' | 'dir';
export type HashType = 'whirlpool' | 'md5' | 'sha1';

export interface RemoteEntry {
  /** Canonical full path from the remote root ('' for the root itself). */
  path: string;
  /** Last path segment, as the user sees it (decoded). */
  name: string;
  kind: EntryKind;
  /** Bytes; 0 for directories. */
  size: number;
  /** Milliseconds since the epoch: the storage's own time (1fichier: upload date; folders: creation date). */
  modTime: number;
  /**
   * Stable identity in this remote: 1fichier file URL or folder id (decimal string). Unchanged by rename and
   * move; a copy has a new id.
   */
  id: string;
  mimeType?: string;
  /** Hashes the storage itself knows (1fichier: whirlpool only). */
  hashes: Partial<Record<HashType, string>>;
}

/** An inclusive byte range; `end` undefined = to the end of the file. */
export interface ReadRange {
  start: number;
  end?: number;
}

export interface PutOptions {
  /** Exact byte count of `source`. Must be > 0 unless `features.emptyFiles`. */
  size: number;
  signal?: AbortSignal;
}

export interface About {
  /** Bytes; undefined when unknown. */
  total?: number;
  used?: number;
  free?: number;
  /** The account's plan as the storage names it (1fichier: "Premium", "Access"...); undefined when unknown. */
  plan?: string;
}

/** Facts the storage declares; callers adapt instead of discovering them by failure. */
export interface RemoteFacts {
  /** Two files of one name can exist in one folder (1fichier: true). */
  duplicateNames: boolean;
  /** 0-byte files can be stored (1fichier: false; the VFS keeps them locally). */
  emptyFiles: boolean;
  /** Empty folders can exist (1fichier: true). */
  emptyDirs: boolean;
  /** modTime can be set by the client (1fichier: false; the VFS keeps it in the metadata store). */
  setModTime: boolean;
  /** Hash types the storage computes itself. */
  hashes: HashType[];
  /**
   * Reads of one file within a short time can reuse state (1fichier: a reusable download token), so a
   * seek costs one HTTP request and no API call.
   */
  cheapSeek: boolean;
}

/**
 * Required surface. Optional operations are in `RemoteOptional`; when absent, the VFS uses the declared
 * fallback (see each one's doc).
 */
export interface Remote extends RemoteOptional {
  /** Human-readable name for logs, e.g. "fichier:" or "memory:". */
  readonly name: string;
  readonly facts: RemoteFacts;

  /**
   * Entries of directory `dir` (files and directories, any order; duplicates included when the storage has
   * them). Throws ENOENT if `dir` does not exist, ENOTDIR if it is a file, EAGAIN/EIO/EACCES from below.
   */
  list(dir: string, signal?: AbortSignal): Promise<RemoteEntry[]>;

  /**
   * The entry at `path` ('' gives the root directory). With duplicate names, the first one in list order.
   * Throws ENOENT if there is none (or a parent is missing), ENOTDIR if a parent is a file.
   */
  stat(path: string, signal?: AbortSignal): Promise<RemoteEntry>;

  /**
   * Stream the bytes of `file` (whole, or `range`), never buffering the whole file. Throws ENOENT if the
   * file is gone, EISDIR for a directory, ERANGE if `range.start` >= size (for a non-empty file), EAGAIN/EIO
   * from below. The stream itself may emit an error mid-way (network): callers resume from the offset.
   */
  openRead(file: RemoteEntry, range?: ReadRange, signal?: AbortSignal): Promise<Readable>;

  /**
   * Store `source` (exactly `opts.size` bytes) as a NEW file at `path` and resolve only once the storage has
   * confirmed it (durable). It does not replace an existing file of that name: on a storage with
   * `duplicateNames` a second file appears; elsewhere it throws EEXIST (remove first). Throws ENOENT if the
   * parent folder is missing, ENOTDIR if the parent is a file, EINVAL for size 0 when !facts.emptyFiles or a
   * size mismatch, ENOSPC over quota, EIO/EAGAIN from below (never retried blindly: a retried upload would
   * be a duplicate).
   */
  put(path: string, source: Readable, opts: PutOptions): Promise<RemoteEntry>;

  /** Delete one file (by identity). Throws ENOENT if it is already gone, EISDIR for a directory. */
  remove(file: RemoteEntry, signal?: AbortSignal): Promise<void>;

  /**
   * Create directory `path` (its parent must exist). Throws EEXIST if a directory (or file) of that name
   * exists, ENOENT if the parent is missing, ENOTDIR if the parent is a file. Returns the new entry.
   */
  mkdir(path: string, signal?: AbortSignal): Promise<RemoteEntry>;

  /** Remove the empty directory `path`. Throws ENOENT, ENOTDIR, ENOTEMPTY, EINVAL for the root. */
  rmdir(path: string, signal?: AbortSignal): Promise<void>;
}

export interface RemoteOptional {
  /**
   * Server-side move and/or rename of one file to `dstPath` (the destination folder must exist; an existing
   * file there is NOT replaced: callers remove it first). Keeps the file's id. Throws ENOENT (source or
   * destination folder), EEXIST (storage without duplicates and the name is taken).
   * Fallback when absent: copy then remove; without copy, read + put + remove.
   */
  move?(file: RemoteEntry, dstPath: string, signal?: AbortSignal): Promise<RemoteEntry>;

  /**
   * Server-side move and/or rename of a whole directory to `dstPath` (must not exist; its parent must).
   * Throws ENOENT, EEXIST, EINVAL (into itself). Fallback when absent: mkdir + move every entry + rmdir.
   */
  dirMove?(srcPath: string, dstPath: string, signal?: AbortSignal): Promise<RemoteEntry>;

  /**
   * Server-side copy of one file to `dstPath`; the copy has a new id. Throws ENOENT, EEXIST as `move`.
   * Fallback when absent: read + put.
   */
  copy?(file: RemoteEntry, dstPath: string, signal?: AbortSignal): Promise<RemoteEntry>;

  /** Account space. Fallback when absent: everything unknown. Throws EAGAIN/EIO from below. */
  about?(signal?: AbortSignal): Promise<About>;

  /**
   * Direct, shareable link to a file (1fichier: the file URL). Throws ENOENT. Fallback: none (ENOTSUP).
   */
  publicLink?(file: RemoteEntry, signal?: AbortSignal): Promise<string>;

  /** Release connections and timers. */
  close?(): Promise<void>;
}
