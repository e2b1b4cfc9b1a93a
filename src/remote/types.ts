/**
 * The storage contract (like rclone's Fs): a small required surface, optional features with declared
 * fallbacks, and declared facts about what the storage cannot do. Implementations: remote/memory/ (tests,
 * reference behaviour) and remote/fichier/ (1fichier over src/api/). One contract suite
 * (test/support/remote-contract.ts, `runRemoteContract`) runs against every implementation.
 *
 * Paths follow core/path.ts ('' = root, 'a/b', decoded names). Only `list` and `stat` take a path: they are
 * how a caller finds things. Every other method acts on what the caller found, as rclone's `Dir.Mkdir(leaf)`
 * does: a file by its entry (`RemoteEntry`, whose `id` is the identity: with duplicate names a path alone is
 * ambiguous), a new item by its parent folder's entry and its leaf name. A remote never resolves a path or
 * lists a folder to act on an entry it was handed (on 1fichier a listing is the scarcest resource there is);
 * a handed entry that no longer exists gives ENOENT from the storage itself.
 *
 * Every method throws FsError (core/errors.ts) with the codes listed in its doc; anything unexpected from
 * below is EIO with the original error as `cause`; temporary conditions (rate limit, 5xx, network) are EAGAIN.
 */
import type { Readable } from 'node:stream';
import type { ByteSpan } from '../core/span.ts';
import type { RemoteCommands } from './commands.ts';

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

/** The part of a file to read: a span inside it, validated by the caller (core/span.ts). */
export type ReadRange = ByteSpan;

/** Options of `Remote.list`. */
export interface ListOptions {
  /**
   * Nobody waits for this listing (a revalidation, a warm-up): a remote that spaces its listings serves it after
   * the ones a client waits for.
   */
  background?: boolean;
  /**
   * Called, before `list` resolves, when the entries are not the whole folder (the listing could not be
   * completed); `reason` is for logs. A name missing from such a listing may exist all the same.
   */
  onPartial?: (reason: string) => void;
}

export interface PutOptions {
  /** Exact byte count of `source`. Must be > 0 unless `facts.emptyFiles`. */
  size: number;
  signal?: AbortSignal;
  /**
   * Ids of the files of this name the caller knows in the folder already. A remote that must find out whether an
   * upload landed after its answer was lost (1fichier) never takes one of them for the new file.
   */
  knownIds?: readonly string[];
}

/**
 * Folder path -> folder id, for a remote that addresses folders by id and has no path lookup (1fichier): it
 * learns ids from listings and mkdir, and the caller may inject an index that outlives the process (the VFS's,
 * backed by its metadata store) so a restart knows the tree without a call.
 */
export interface DirIdIndex {
  /** The folder id recorded for canonical `path`, or undefined. The root ('') is never stored. */
  get(path: string): string | undefined;
  /** Records the folder id of `path`. */
  set(path: string, id: string): void;
  /** Forgets `prefix` and every path below it ('' = everything); the VFS's index forgets listings too. */
  forget(prefix: string): void;
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
   * A put into a parent folder that no longer exists fails with ENOENT (1fichier: false, an upload naming an
   * unknown folder id is stored at the account's root). Callers hand put a parent they have just seen.
   */
  putFailsOnMissingParent: boolean;
  /**
   * Reads of one file within a short time can reuse state (1fichier: a reusable download token), so a
   * seek costs one HTTP request and no API call.
   */
  cheapSeek: boolean;
  /**
   * Nothing can be written (a public 1fichier shared folder): put, remove, mkdir, rmdir and any move, dirMove or
   * copy throw EROFS and change nothing. Whoever builds a VFS over such a remote serves it read-only.
   */
  readOnly: boolean;
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
   * them); when they are not all of them, `opts.onPartial` is told. Throws ENOENT if `dir` does not exist,
   * ENOTDIR if it is a file, EAGAIN/EIO/EACCES from below.
   */
  list(dir: string, signal?: AbortSignal, opts?: ListOptions): Promise<RemoteEntry[]>;

  /**
   * The entry at `path` ('' gives the root directory). With duplicate names, the first one in list order.
   * Throws ENOENT if there is none (or a parent is missing), ENOTDIR if a parent is a file.
   */
  stat(path: string, signal?: AbortSignal): Promise<RemoteEntry>;

  /**
   * Stream the bytes of `file` (whole, or `range`), never buffering the whole file. `range` is inside the file
   * (validated where it entered, core/span.ts): a remote does not clamp it, and one that asserts it throws
   * ERANGE. Throws ENOENT if the file is gone, EISDIR for a directory, EAGAIN/EIO from below. The stream
   * itself may emit an error mid-way (network): callers resume from the offset. An error thrown here that is
   * `final` (core/errors.ts) was already retried below (an API call): callers must not retry it again.
   */
  openRead(file: RemoteEntry, range?: ReadRange, signal?: AbortSignal): Promise<Readable>;

  /**
   * Store `source` (exactly `opts.size` bytes) as a NEW file `name` in folder `parent` and resolve only once the
   * storage has confirmed it (durable). It does not replace an existing file of that name: on a storage with
   * `duplicateNames` a second file appears; elsewhere it throws EEXIST (remove first). Throws ENOTDIR when
   * `parent` is a file, ENOENT when it is gone (see facts.putFailsOnMissingParent), EINVAL for size 0 when
   * !facts.emptyFiles or a size mismatch, ENOSPC over quota, EIO/EAGAIN from below (never retried blindly: a
   * retried upload would be a duplicate).
   */
  put(parent: RemoteEntry, name: string, source: Readable, opts: PutOptions): Promise<RemoteEntry>;

  /** Delete one file (by identity). Throws ENOENT if it is already gone, EISDIR for a directory. */
  remove(file: RemoteEntry, signal?: AbortSignal): Promise<void>;

  /**
   * Create folder `name` in folder `parent` and return its entry. The caller checks the name against the
   * parent's listing it holds; the remote does not list to find out, so a taken name gives EEXIST only when
   * the storage refuses it: always for a folder of that name, and for a file of that name unless
   * facts.duplicateNames (then the folder appears beside the file). Throws ENOTDIR when `parent` is a file,
   * ENOENT when it is gone.
   */
  mkdir(parent: RemoteEntry, name: string, signal?: AbortSignal): Promise<RemoteEntry>;

  /** Remove the empty folder `dir`. Throws ENOENT (gone), ENOTDIR (a file), ENOTEMPTY, EINVAL for the root. */
  rmdir(dir: RemoteEntry, signal?: AbortSignal): Promise<void>;
}

export interface RemoteOptional {
  /**
   * Server-side move and/or rename of one file to `name` in folder `parent` (an existing file there is NOT
   * replaced: callers remove it first). Keeps the file's id. Throws ENOENT (the file or `parent` is gone),
   * ENOTDIR (`parent` is a file), EEXIST (storage without duplicates and the name is taken).
   * Fallback when absent: copy then remove; without copy, read + put + remove.
   */
  move?(file: RemoteEntry, parent: RemoteEntry, name: string, signal?: AbortSignal): Promise<RemoteEntry>;

  /**
   * Server-side move and/or rename of the folder `dir` with everything below it to `name` in folder `parent`.
   * Throws ENOENT (`dir` or `parent` is gone), ENOTDIR (`dir` or `parent` is a file), EINVAL (the root, or
   * into itself), EEXIST when the storage refuses the name (as mkdir). Fallback when absent: mkdir + move
   * every entry + rmdir.
   */
  dirMove?(dir: RemoteEntry, parent: RemoteEntry, name: string, signal?: AbortSignal): Promise<RemoteEntry>;

  /**
   * Server-side copy of one file to `name` in folder `parent`; the copy has a new id. Throws as `move`.
   * Fallback when absent: read + put.
   */
  copy?(file: RemoteEntry, parent: RemoteEntry, name: string, signal?: AbortSignal): Promise<RemoteEntry>;

  /** Account space. Fallback when absent: everything unknown. Throws EAGAIN/EIO from below. */
  about?(signal?: AbortSignal): Promise<About>;

  /**
   * Direct, shareable link to a file (1fichier: the file URL). Throws ENOENT. Fallback: none (ENOTSUP).
   */
  publicLink?(file: RemoteEntry, signal?: AbortSignal): Promise<string>;

  /**
   * The storage's backend commands (commands.ts): operations that fit no path-level contract, reached
   * through the remote that owns them (rclone's Commander). Fallback when absent: none (ENOTSUP).
   */
  readonly commands?: RemoteCommands;

  /** Release connections and timers. */
  close?(): Promise<void>;
}
