/**
 * A public 1fichier shared folder as a read-only Remote (rclone's fichier `shared_folder` / `folder_password`):
 * what its page lists, read as rclone reads it.
 *
 * - Listing: the folder's page (FichierClient.sharedFolderLs: `dir/<id>?json=1`, or a POST with the password) is
 *   a flat list of files: the root holds them all, there are no sub-folders. Names are shown as the page gives
 *   them (rclone decodes the names of the account's listings but not these). The page is asked in one place,
 *   `#page`, through the client's pacer like every call.
 * - Identity: a file is its URL (the page's `link`), as on the account.
 * - Reads: as the account's files (remote/fichier/read.ts): a reusable get_token on the link, with the account's
 *   API key (a premium key, as rclone needs), then the ranged GET.
 * - Writes: put, remove, mkdir and rmdir throw EROFS (facts.readOnly); move, dirMove and copy do not exist.
 * - Passwords: the caller gives candidates in order (the configuration's folder_password revealed from rclone's
 *   obscured form, then as written); the first the folder accepts is kept for the remote's lifetime. None, or
 *   none accepted, for a protected folder: EACCES.
 * - modTime: the page gives no date. A file's modTime is when this remote first listed it (rclone uses the time
 *   of each listing), so it stays the same while the process runs.
 * - Quota: what is known. Used = total = the bytes of the files last listed, free = 0: nothing can be written.
 * - publicLink: the file's URL, which is public already (no call).
 * - commands: the account's (direct links of these files, the account's remote upload jobs), except that nothing
 *   can be fetched into the folder (remoteUpload: EROFS).
 *
 * Every failure leaves as an FsError (remote/fichier/errors.ts): an unknown or unshared id is ENOENT.
 */
import type { Readable } from 'node:stream';
import type { FichierClient } from '../../api/client.ts';
import { FichierApiError } from '../../api/errors.ts';
import type { SharedFolderEntry } from '../../api/types.ts';
import { FsError } from '../../core/errors.ts';
import { baseName, joinPath, normPath, parentOf } from '../../core/path.ts';
import { systemClock, type Clock } from '../../util/clock.ts';
import type { RemoteCommands } from '../commands.ts';
import { createFichierCommands } from '../fichier/commands.ts';
import { guarded } from '../fichier/errors.ts';
import { readByToken } from '../fichier/read.ts';
import { DownloadTokens, type TokenRequestOptions } from '../fichier/tokens.ts';
import type { About, PutOptions, ReadRange, Remote, RemoteEntry, RemoteFacts } from '../types.ts';

export interface SharedFolderRemoteOptions {
  client: FichierClient;
  /** The folder's id in its page URL (alphanumeric, e.g. "CiLKCBI7"). */
  id: string;
  /** Passwords to try, in order (see the module doc); none for an open folder. */
  passwords?: readonly string[];
  clock?: Clock;
  /** Reuse a download token this long, default 240_000 (the service's tokens live 300_000). */
  tokenTtlMs?: number;
  /** get_token extras: `cdn`, and `pass` for password-protected files (rclone's file_password, revealed). */
  tokenOptions?: TokenRequestOptions;
}

/** What a shared folder is: read-only, flat, no checksums; duplicate names as the page lists them. */
export const SHARED_FOLDER_FACTS: Readonly<RemoteFacts> = {
  duplicateNames: true,
  emptyFiles: false,
  emptyDirs: false,
  setModTime: false,
  hashes: [],
  cheapSeek: true,
  putFailsOnMissingParent: true,
  readOnly: true,
};

/** A public shared folder as a read-only remote (the caller keeps ownership of the client). */
export function createSharedFolderRemote(opts: SharedFolderRemoteOptions): Remote {
  return new SharedFolderRemote(opts);
}

class SharedFolderRemote implements Remote {
  readonly name: string;
  readonly facts: RemoteFacts = { ...SHARED_FOLDER_FACTS, hashes: [] };
  readonly #client: FichierClient;
  readonly #id: string;
  readonly #clock: Clock;
  readonly #tokens: DownloadTokens;
  /** Passwords not yet refused, in order; the first is the one to use. */
  #passwords: string[];
  /** When each file (by URL) was first listed. */
  readonly #firstSeen = new Map<string, number>();
  /** Bytes of the files of the last listing, for `about`. */
  #lastBytes: number | undefined;
  readonly commands: RemoteCommands;

  constructor(opts: SharedFolderRemoteOptions) {
    this.#client = opts.client;
    this.#id = opts.id;
    this.#clock = opts.clock ?? systemClock;
    this.#passwords = [...(opts.passwords ?? [])];
    this.#tokens = new DownloadTokens(opts.client, this.#clock, opts.tokenTtlMs ?? 240_000, opts.tokenOptions);
    this.name = `fichier shared folder ${opts.id}:`;
    const account = createFichierCommands({ client: opts.client, ...(opts.tokenOptions ? { tokenOptions: opts.tokenOptions } : {}) });
    this.commands = { ...account, remoteUpload: (_urls, dir) => this.#readOnly(dir.path) };
  }

  list(dir: string, signal?: AbortSignal): Promise<RemoteEntry[]> {
    return guarded(dir, signal, async () => {
      const path = normPath(dir);
      const entries = await this.#entries(signal);
      if (path === '') return entries;
      throw this.#missing(path, entries);
    });
  }

  stat(path: string, signal?: AbortSignal): Promise<RemoteEntry> {
    return guarded(path, signal, async () => {
      const p = normPath(path);
      if (p === '') return this.#root();
      const entries = await this.#entries(signal);
      const hit = parentOf(p) === '' ? entries.find((e) => e.name === p) : undefined;
      if (hit) return hit;
      throw this.#missing(p, entries);
    });
  }

  openRead(file: RemoteEntry, range?: ReadRange, signal?: AbortSignal): Promise<Readable> {
    return guarded(file.path, signal, () => readByToken(this.#client, this.#tokens, file, range, signal));
  }

  put(parent: RemoteEntry, name: string, _source: Readable, _opts: PutOptions): Promise<RemoteEntry> {
    return this.#readOnly(joinPath(parent.path, name));
  }

  remove(file: RemoteEntry): Promise<void> {
    return this.#readOnly(file.path);
  }

  mkdir(parent: RemoteEntry, name: string): Promise<RemoteEntry> {
    return this.#readOnly(joinPath(parent.path, name));
  }

  rmdir(dir: RemoteEntry): Promise<void> {
    return this.#readOnly(dir.path);
  }

  async about(): Promise<About> {
    const used = this.#lastBytes;
    return used === undefined ? { free: 0 } : { total: used, used, free: 0 };
  }

  async publicLink(file: RemoteEntry): Promise<string> {
    if (file.kind === 'dir') throw new FsError('EISDIR', 'folders have no public link here', { path: file.path });
    return file.id;
  }

  async close(): Promise<void> {
    this.#tokens.clear();
  }

  #readOnly(path: string): Promise<never> {
    return Promise.reject(new FsError('EROFS', `a public shared folder (${this.#id}) is read-only`, { path }));
  }

  #root(): RemoteEntry {
    return { path: '', name: '', kind: 'dir', size: 0, modTime: 0, id: `shared:${this.#id}`, hashes: {} };
  }

  /**
   * Why `path` (not the root) is no folder to list or file to stat: ENOTDIR when its first segment is a file of the
   * folder (a file, or a path below one), else ENOENT (there are no sub-folders).
   */
  #missing(path: string, entries: RemoteEntry[]): FsError {
    const first = path.split('/')[0] ?? '';
    if (entries.some((e) => e.name === first)) return new FsError('ENOTDIR', 'not a directory', { path });
    return new FsError('ENOENT', 'no such file in the shared folder', { path });
  }

  /** The folder's files as entries (one page call). */
  async #entries(signal?: AbortSignal): Promise<RemoteEntry[]> {
    const page = await this.#page(signal);
    const now = this.#clock.now();
    let bytes = 0;
    const entries = page.map((f): RemoteEntry => {
      bytes += f.size;
      let seen = this.#firstSeen.get(f.link);
      if (seen === undefined) {
        seen = now;
        this.#firstSeen.set(f.link, seen);
      }
      return { path: f.filename, name: f.filename, kind: 'file', size: f.size, modTime: seen, id: f.link, hashes: {} };
    });
    this.#lastBytes = bytes;
    return entries.filter((e) => e.name !== '' && baseName(e.name) === e.name);
  }

  /** The folder's page: the one place it is asked, with the first password it accepts. */
  async #page(signal?: AbortSignal): Promise<SharedFolderEntry[]> {
    for (;;) {
      const pass = this.#passwords[0];
      try {
        return await this.#client.sharedFolderLs(this.#id, { ...(pass !== undefined ? { pass } : {}), ...(signal ? { signal } : {}) });
      } catch (err) {
        const refused = err instanceof FichierApiError && err.kind === 'forbidden';
        if (!refused || this.#passwords.length <= 1) throw err;
        this.#passwords.shift();
      }
    }
  }
}
