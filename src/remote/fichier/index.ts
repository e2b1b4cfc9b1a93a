/**
 * The 1fichier remote: the Remote contract (remote/types.ts) over FichierClient.
 *
 * - Identity: a file is its URL (stable across rename and move, new on copy); a folder its numeric id.
 * - Folder ids: an operation on an entry (put, mkdir, rmdir, move, copy, dirMove) uses the ids of the entries
 *   it was handed (a folder entry's id is its folder id, the root's is 0) and never lists. Only `list` and
 *   `stat` take paths: a DirIdIndex, filled by every listing (each sub-folder's id) and by mkdir, maps them to
 *   folder ids; a miss lists the parent, walking from the root. A cached id the server no longer knows (404)
 *   is forgotten and the path resolved again, once.
 * - Names: every name sent is encoded and every name read decoded (encoding.ts), including the new names
 *   of rename, move and copy, which rclone sends unencoded: encoding everything keeps our round trip exact.
 * - Listing: see listing.ts (one call per folder when the answer carries the files).
 * - Reads: read.ts (reusable download tokens per file; a reused token that gets anything but the file is dropped
 *   and the read retried once with a fresh one).
 * - Exactly-once writes: an upload whose outcome is unknown (a POST that broke after sending, end.pl without
 *   links) is looked for in a listing of its folder (after `settleMs`, within the listing budget) before a
 *   failure is reported: found, it is the result; not found, nothing was stored and the caller may send it
 *   again. folder/mkdir is never retried blindly either: after an ambiguous failure the parent is listed and a
 *   folder of that name created since the call began is the result.
 * - folder/rm refused as "not empty" is asked again with backoff for about 1.5 x `settleMs` (the service keeps
 *   a folder "not empty" for a moment after its last file was deleted), then ENOTEMPTY.
 * - Errors: every failure leaves as an FsError (errors.ts `toFsError`), except the caller's own abort. A
 *   failure of an API call is `final` (the pacer already retried it); a failure of the download itself is
 *   not (the VFS reader owns those retries).
 *
 * Choices where the reference is silent:
 * - mkdir does not list the parent: the caller checks its own listing first (whether the server refuses a
 *   second folder of one name is unknown). A refusal of folder/mkdir (403, or KO without a code that means
 *   something else) is EEXIST.
 * - dirMove sends a move and a rename as two folder/mv calls when both change (the service's documentation says
 *   `rename` ignores the destination), each with the destination folder id (0 for the root); "into itself" is
 *   decided on the paths before the call, and a refusal of the call is EEXIST, as for mkdir.
 * - move within a folder is file/rename; across folders file/mv with `rename` only when the name changes
 *   (1fichier has refused a file/mv rename to the same name since 2024); moving onto its own path returns the
 *   entry unchanged.
 * - copy always sends `rename` (as rclone does), encoded.
 * - put trusts the parent it is handed: the server stores an upload with an unknown folder id at the root,
 *   so a folder deleted by another client between our listing and the put sends the file to the root
 *   (declared: putFailsOnMissingParent is false).
 * - publicLink checks the file with file/info (ENOENT once removed) and returns its URL.
 * - `commands` are the backend commands of commands.ts (direct links, remote uploads) over the same client.
 * - The root's entry has modTime 0 (the API gives the root no date without a call).
 */
import type { Readable } from 'node:stream';
import type { FichierClient } from '../../api/client.ts';
import { FichierApiError, isTemporaryRefusal, neverSent } from '../../api/errors.ts';
import { MAX_UPLOAD_BYTES } from '../../api/upload.ts';
import { offerName } from '../../api/userinfo.ts';
import { systemClock, type Clock } from '../../util/clock.ts';
import { silentLogger, type Logger } from '../../util/log.ts';
import { FsError } from '../../core/errors.ts';
import { baseName, isWithin, joinPath, parentOf } from '../../core/path.ts';
import type { RemoteCommands } from '../commands.ts';
import type { About, DirIdIndex, ListOptions, PutOptions, ReadRange, Remote, RemoteEntry, RemoteFacts } from '../types.ts';
import { createFichierCommands } from './commands.ts';
import { createMemoryDirIdIndex, folderIdOf } from './dir-ids.ts';
import { toStoredName } from './encoding.ts';
import { guarded } from './errors.ts';
import { listFolder, type FolderListing, type ListContext } from './listing.ts';
import { readByToken } from './read.ts';
import { DownloadTokens, type TokenRequestOptions } from './tokens.ts';

export { createMemoryDirIdIndex } from './dir-ids.ts';
export { decodeName, encodeName, toStoredName } from './encoding.ts';

export interface FichierRemoteOptions {
  client: FichierClient;
  /** Default: an in-memory index. */
  dirIds?: DirIdIndex;
  clock?: Clock;
  logger?: Logger;
  /** Reuse a download token this long, default 240_000 (the service's tokens live 300_000). */
  tokenTtlMs?: number;
  /** get_token extras for reads and direct links: `cdn` (rclone's `cdn` option) and `pass` (rclone's `file_password`, revealed). */
  tokenOptions?: TokenRequestOptions;
  /**
   * How long the service may take to show a change in its listings and to let folder/rm see a folder emptied,
   * in ms (the upload check waits this long; folder/rm retries for about 1.5 x this). Default 5000.
   */
  settleMs?: number;
  /** Entries per listing answer beyond which an answer is taken as capped and paged. Default 5000. */
  listCap?: number;
}

export const DEFAULT_SETTLE_MS = 5000;
/** folder/rm attempts when it says "not empty" (delays settleMs/20, doubling: 0.25 + 0.5 + 1 + 2 + 4 s at 5 s). */
const NOT_EMPTY_ATTEMPTS = 6;
/** A file or folder created by us is dated at most this much before our clock said the call started (skew, whole seconds). */
const CREATED_SKEW_MS = 2000;

/** What 1fichier cannot do: it keeps duplicate names, stores no empty file, sets no modtime, hashes Whirlpool only. */
export const FICHIER_FACTS: Readonly<RemoteFacts> = {
  duplicateNames: true,
  emptyFiles: false,
  emptyDirs: true,
  setModTime: false,
  hashes: ['whirlpool'],
  cheapSeek: true,
  putFailsOnMissingParent: false,
  readOnly: false,
};

/** Forbidden codes that mean something other than "this name is taken" on folder/mkdir and folder/mv (besides the temporary refusals). */
const NOT_A_DUPLICATE = new Set([631]);

/** The 1fichier remote over `opts.client` (the caller keeps ownership of the client). */
export function createFichierRemote(opts: FichierRemoteOptions): Remote {
  return new FichierRemote(opts);
}

class FichierRemote implements Remote {
  readonly name = 'fichier:';
  readonly facts: RemoteFacts = { ...FICHIER_FACTS, hashes: [...FICHIER_FACTS.hashes] };
  readonly #client: FichierClient;
  readonly #dirIds: DirIdIndex;
  readonly #clock: Clock;
  readonly #tokens: DownloadTokens;
  readonly #ctx: ListContext;
  readonly #settleMs: number;
  /** Direct links (with the same `tokenOptions` as reads) and remote uploads. */
  readonly commands: RemoteCommands;

  constructor(opts: FichierRemoteOptions) {
    this.#client = opts.client;
    this.commands = createFichierCommands({ client: opts.client, ...(opts.tokenOptions ? { tokenOptions: opts.tokenOptions } : {}) });
    this.#dirIds = opts.dirIds ?? createMemoryDirIdIndex();
    this.#clock = opts.clock ?? systemClock;
    this.#tokens = new DownloadTokens(opts.client, this.#clock, opts.tokenTtlMs ?? 240_000, opts.tokenOptions);
    this.#ctx = { client: opts.client, clock: this.#clock, logger: opts.logger ?? silentLogger, ...(opts.listCap !== undefined ? { cap: opts.listCap } : {}) };
    this.#settleMs = opts.settleMs ?? DEFAULT_SETTLE_MS;
  }

  list(dir: string, signal?: AbortSignal, opts: ListOptions = {}): Promise<RemoteEntry[]> {
    return guarded(dir, signal, async () => {
      const listed = await this.#listDir(dir, signal, opts.background ?? false);
      if (listed.partial !== undefined) opts.onPartial?.(listed.partial);
      return listed.entries;
    });
  }

  stat(path: string, signal?: AbortSignal): Promise<RemoteEntry> {
    return guarded(path, signal, () => this.#stat(path, signal));
  }

  openRead(file: RemoteEntry, range?: ReadRange, signal?: AbortSignal): Promise<Readable> {
    return guarded(file.path, signal, () => readByToken(this.#client, this.#tokens, file, range, signal));
  }

  put(parent: RemoteEntry, name: string, source: Readable, opts: PutOptions): Promise<RemoteEntry> {
    const { size, signal } = opts;
    const path = joinPath(parent.path, name);
    return guarded(path, signal, async () => {
      const folderId = folderIdOf(parent);
      if (!Number.isSafeInteger(size) || size <= 0) throw new FsError('EINVAL', '1fichier cannot store empty files', { path });
      if (size > MAX_UPLOAD_BYTES) throw new FsError('EINVAL', '1fichier stores at most 300 GB per file', { path });
      const started = this.#clock.now();
      try {
        const up = await this.#client.upload(exactly(source, size, path), { filename: toStoredName(name), size, folderId, signal });
        return { path, name, kind: 'file', size: up.size, modTime: this.#clock.now(), id: up.url, hashes: up.whirlpool ? { whirlpool: up.whirlpool } : {} };
      } catch (err) {
        if (!(err instanceof FichierApiError && err.outcomeUnknown) || signal?.aborted) throw err;
        return this.#findUpload(parent, name, size, started, new Set(opts.knownIds ?? []), err, signal);
      }
    });
  }

  /**
   * After an upload whose outcome is unknown: the file of `name` and `size` in `parent` uploaded since `started`
   * (the newest if several, never one of `known`: files of that name that were there before), found by listing the
   * folder once the service had time to show it. Throws EAGAIN
   * (final) when it is not there: nothing was stored, sending it again is safe; EIO when the listing cannot say
   * (partial); what the listing throws.
   */
  async #findUpload(
    parent: RemoteEntry,
    name: string,
    size: number,
    started: number,
    known: ReadonlySet<string>,
    failure: FichierApiError,
    signal?: AbortSignal,
  ): Promise<RemoteEntry> {
    const path = joinPath(parent.path, name);
    const wait = started + this.#settleMs - this.#clock.now();
    if (wait > 0) await this.#clock.sleep(wait, signal);
    const listed = await listFolder(this.#ctx, folderIdOf(parent), parent.path, { ...(signal ? { signal } : {}) });
    const since = Math.floor(started / 1000) * 1000 - CREATED_SKEW_MS;
    const found = listed.entries
      .filter((e) => e.kind === 'file' && e.name === name && e.size === size && e.modTime >= since && !known.has(e.id))
      .sort((a, b) => b.modTime - a.modTime)[0];
    if (found) {
      this.#ctx.logger.info({ path }, 'the upload was stored although its answer was lost');
      return found;
    }
    if (listed.partial !== undefined) throw new FsError('EIO', 'the upload failed and the folder listing cannot tell whether it was stored', { path, cause: failure, final: true });
    throw new FsError('EAGAIN', 'the upload failed and nothing was stored; send it again', { path, cause: failure, final: true });
  }

  remove(file: RemoteEntry, signal?: AbortSignal): Promise<void> {
    return guarded(file.path, signal, async () => {
      if (file.kind === 'dir') throw new FsError('EISDIR', 'remove of a directory (use rmdir)', { path: file.path });
      this.#tokens.drop(file.id);
      const res = await this.#client.fileRm([file.id], signal);
      if (res.removed === 0) throw new FsError('ENOENT', 'file already gone', { path: file.path });
    });
  }

  mkdir(parent: RemoteEntry, name: string, signal?: AbortSignal): Promise<RemoteEntry> {
    const path = joinPath(parent.path, name);
    return guarded(path, signal, async () => {
      const parentId = folderIdOf(parent);
      const started = this.#clock.now();
      const made = await this.#client.folderMkdir(parentId, toStoredName(name), signal, { retry: false }).catch(async (err: unknown) => {
        if (!ambiguous(err) || signal?.aborted) return refusedAsExisting('the server refused a folder of that name', path)(err);
        const found = await this.#findMadeDir(parent, name, started, signal);
        if (found) return { folder_id: Number(found.id) };
        return this.#client.folderMkdir(parentId, toStoredName(name), signal).catch(refusedAsExisting('the server refused a folder of that name', path));
      });
      const id = String(made.folder_id);
      this.#dirIds.set(path, id);
      return { path, name, kind: 'dir', size: 0, modTime: this.#clock.now(), id, hashes: {} };
    });
  }

  /** After an ambiguous folder/mkdir: the folder `name` of `parent` created since `started`, if the listing shows one. */
  async #findMadeDir(parent: RemoteEntry, name: string, started: number, signal?: AbortSignal): Promise<RemoteEntry | undefined> {
    const listed = await listFolder(this.#ctx, folderIdOf(parent), parent.path, { ...(signal ? { signal } : {}) });
    const since = Math.floor(started / 1000) * 1000 - CREATED_SKEW_MS;
    return listed.entries.find((e) => e.kind === 'dir' && e.name === name && e.modTime >= since);
  }

  rmdir(dir: RemoteEntry, signal?: AbortSignal): Promise<void> {
    return guarded(dir.path, signal, async () => {
      if (dir.path === '') throw new FsError('EINVAL', 'cannot remove the root', { path: '' });
      const id = folderIdOf(dir);
      for (let attempt = 1; ; attempt++) {
        try {
          await this.#client.folderRm(id, signal);
          break;
        } catch (err) {
          const notEmpty = err instanceof FichierApiError && err.kind === 'refused';
          if (!notEmpty || attempt >= NOT_EMPTY_ATTEMPTS) throw err;
          await this.#clock.sleep((this.#settleMs / 20) * 2 ** (attempt - 1), signal);
        }
      }
      this.#dirIds.forget(dir.path);
    });
  }

  move(file: RemoteEntry, parent: RemoteEntry, name: string, signal?: AbortSignal): Promise<RemoteEntry> {
    return guarded(file.path, signal, async () => {
      if (file.kind === 'dir') throw new FsError('EISDIR', 'move of a directory (use dirMove)', { path: file.path });
      const folderId = folderIdOf(parent);
      const renamed = name !== file.name;
      const dstPath = joinPath(parent.path, name);
      if (parent.path === parentOf(file.path)) {
        if (!renamed) return { ...file };
        await this.#client.fileRename(file.id, toStoredName(name), signal).catch(async (err: unknown) => {
          if (err instanceof FichierApiError && err.kind === 'refused') await this.#client.fileInfo(file.id, signal);
          throw err;
        });
      } else {
        await this.#client.fileMv([file.id], folderId, renamed ? toStoredName(name) : undefined, signal);
      }
      return moved(file, dstPath, name, renamed);
    });
  }

  dirMove(dir: RemoteEntry, parent: RemoteEntry, name: string, signal?: AbortSignal): Promise<RemoteEntry> {
    return guarded(dir.path, signal, async () => {
      if (dir.path === '') throw new FsError('EINVAL', 'cannot move the root', { path: '' });
      const srcId = folderIdOf(dir);
      const destinationFolderId = folderIdOf(parent);
      const dstPath = joinPath(parent.path, name);
      if (isWithin(dstPath, dir.path)) throw new FsError('EINVAL', 'cannot move a folder into itself', { path: dstPath });
      const refused = refusedAsExisting('the server refused the destination name', dstPath);
      if (parent.path !== parentOf(dir.path)) await this.#client.folderMv(srcId, { destinationFolderId }, signal).catch(refused);
      if (name !== dir.name) await this.#client.folderMv(srcId, { destinationFolderId, rename: toStoredName(name) }, signal).catch(refused);
      this.#dirIds.forget(dir.path);
      this.#dirIds.set(dstPath, dir.id);
      return { ...dir, path: dstPath, name };
    });
  }

  copy(file: RemoteEntry, parent: RemoteEntry, name: string, signal?: AbortSignal): Promise<RemoteEntry> {
    return guarded(file.path, signal, async () => {
      if (file.kind === 'dir') throw new FsError('EISDIR', 'copy of a directory', { path: file.path });
      const dstPath = joinPath(parent.path, name);
      const res = await this.#client.fileCp([file.id], folderIdOf(parent), toStoredName(name), signal);
      const to = res.urls?.[0]?.to_url;
      if (typeof to !== 'string' || to === '') throw new FsError('EIO', 'file/cp answered without the new URL', { path: dstPath });
      return { ...moved(file, dstPath, name, name !== file.name), id: to, modTime: this.#clock.now() };
    });
  }

  about(signal?: AbortSignal): Promise<About> {
    return guarded('', signal, async () => {
      const info = await this.#client.userInfo(signal);
      const total = finite(info.available_cold_storage);
      const used = finite(info.cold_storage);
      const free = total !== undefined && used !== undefined ? Math.max(0, total - used) : undefined;
      return { total, used, free, plan: offerName(info.offer) };
    });
  }

  publicLink(file: RemoteEntry, signal?: AbortSignal): Promise<string> {
    return guarded(file.path, signal, async () => {
      if (file.kind === 'dir') throw new FsError('EISDIR', 'folders have no public link here', { path: file.path });
      await this.#client.fileInfo(file.id, signal);
      return file.id;
    });
  }

  async close(): Promise<void> {
    this.#tokens.clear();
  }

  async #stat(path: string, signal?: AbortSignal): Promise<RemoteEntry> {
    if (path === '') return { path: '', name: '', kind: 'dir', size: 0, modTime: 0, id: '0', hashes: {} };
    const name = baseName(path);
    const hit = (await this.#listDir(parentOf(path), signal)).entries.find((e) => e.name === name);
    if (!hit) throw new FsError('ENOENT', 'no such file or folder', { path });
    return hit;
  }

  /** The folder id of `path`. Throws ENOENT (missing), ENOTDIR (a file on the way), or what listings throw. */
  async #folderId(path: string, signal?: AbortSignal): Promise<number> {
    if (path === '') return 0;
    const cached = this.#dirIds.get(path);
    if (cached !== undefined && /^\d+$/.test(cached)) return Number(cached);
    const name = baseName(path);
    const { entries } = await this.#listDir(parentOf(path), signal);
    const dir = entries.find((e) => e.kind === 'dir' && e.name === name);
    if (dir) return Number(dir.id);
    if (entries.some((e) => e.name === name)) throw new FsError('ENOTDIR', 'not a folder', { path });
    throw new FsError('ENOENT', 'no such folder', { path });
  }

  /**
   * Runs `fn` with the id of folder `path`; when the id came from the index and the server answers 404,
   * forgets it, resolves the path again and runs `fn` once more.
   */
  async #withFolder<T>(path: string, signal: AbortSignal | undefined, fn: (id: number) => Promise<T>): Promise<T> {
    const wasCached = path !== '' && this.#dirIds.get(path) !== undefined;
    const id = await this.#folderId(path, signal);
    try {
      return await fn(id);
    } catch (err) {
      if (!wasCached || !(err instanceof FichierApiError) || err.kind !== 'not-found') throw err;
      this.#dirIds.forget(path);
      return fn(await this.#folderId(path, signal));
    }
  }

  /** Entries of folder `dir` and its id; records the ids of its sub-folders (the first of each name). */
  #listDir(dir: string, signal?: AbortSignal, background = false): Promise<FolderListing & { id: number }> {
    return this.#withFolder(dir, signal, async (id) => {
      const listed = await listFolder(this.#ctx, id, dir, { ...(signal ? { signal } : {}), ...(background ? { background } : {}) });
      const seen = new Set<string>();
      for (const e of listed.entries) {
        if (e.kind !== 'dir' || seen.has(e.name)) continue;
        seen.add(e.name);
        this.#dirIds.set(e.path, e.id);
      }
      return { ...listed, id };
    });
  }
}

/** `file` at its new place (same id); the server derives the MIME type from the name, so a rename drops it. */
function moved(file: RemoteEntry, path: string, name: string, renamed: boolean): RemoteEntry {
  const { mimeType, ...rest } = file;
  return { ...rest, path, name, ...(!renamed && mimeType !== undefined ? { mimeType } : {}) };
}

/**
 * A folder/mkdir failure that does not say whether the folder was made: a 5xx or a connection that broke
 * after the request went out.
 */
function ambiguous(err: unknown): boolean {
  return err instanceof FichierApiError && (err.kind === 'server' || (err.kind === 'transport' && !neverSent(err)));
}

/**
 * A catch handler for folder/mkdir and folder/mv: a refusal (403, or KO without a code that means something
 * else, such as a locked account) means the name is taken: EEXIST about `path`. Anything else is rethrown.
 */
function refusedAsExisting(message: string, path: string): (err: unknown) => never {
  return (err) => {
    const refused = err instanceof FichierApiError && (err.kind === 'forbidden' || err.kind === 'refused');
    const otherReason = isTemporaryRefusal(err) || (err instanceof FichierApiError && err.code !== undefined && NOT_A_DUPLICATE.has(err.code));
    if (refused && !otherReason) throw new FsError('EEXIST', message, { path, cause: err, final: true });
    throw err;
  };
}

function finite(n: unknown): number | undefined {
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * The bytes of `source`, failing with EINVAL as soon as they exceed `size` (before the extra bytes are
 * sent) or when they end short of it.
 */
async function* exactly(source: Readable, size: number, path: string): AsyncGenerator<Uint8Array> {
  let seen = 0;
  for await (const chunk of source as AsyncIterable<Uint8Array | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    seen += buf.byteLength;
    if (seen > size) throw new FsError('EINVAL', `the source holds more than the declared ${size} bytes`, { path });
    yield buf;
  }
  if (seen < size) throw new FsError('EINVAL', `the source holds ${seen} bytes, ${size} were declared`, { path });
}
