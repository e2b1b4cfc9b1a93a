/**
 * Direct download links for many files at once, the one implementation behind `fichier-dav link` and the web
 * UI's "Links" action.
 *
 * - Each link is a get_token call WITHOUT single=1, so it can be used again until the token expires, with the
 *   account's `cdn` and `file_password` settings. Every call goes through the one client, so its pacer spaces
 *   them; at most LINK_CONCURRENCY are in flight (the pacer's interval is what limits the rate, however many
 *   files are asked for).
 * - `page` gives the permanent 1fichier file URL instead (what `rclone link` prints): no API call.
 * - A folder is walked (vfs/walk.ts order) when `recursive` is set; local-only files below it (0-byte and OS
 *   junk files, kept by fichier-dav and not stored on 1fichier) are reported as skipped, not as failures.
 * - Results are reported in argument and walk order, whatever order the calls finish in, so a list of links
 *   lines up with the list of files.
 */
import pLimit from 'p-limit';
import type { FichierClient } from '../api/client.ts';
import { FsError } from '../remote/errors.ts';
import type { Vfs, VfsEntry } from '../vfs/types.ts';
import { walkAll } from '../vfs/walk.ts';

/** get_token calls in flight at once (the pacer spaces their starts anyway). */
export const LINK_CONCURRENCY = 4;

export interface LinkOptions {
  /** Link every file below the folders named (else a folder is an EISDIR failure). */
  recursive: boolean;
  /** The permanent file URL instead of a direct download link (no API call). */
  page: boolean;
  /** Ask for CDN links (uses the account's CDN credit). */
  cdn: boolean;
  /** Password of password-protected files. */
  filePassword?: string;
}

export type LinkEvent =
  /** The arguments are resolved: `count` files will be linked (sent once, before any `link`). */
  | { type: 'files'; count: number }
  | { type: 'link'; path: string; url: string }
  /** A local-only file found below a folder: it has no link; not a failure. */
  | { type: 'skipped'; path: string; reason: string }
  /** An argument that could not be resolved (ENOENT, EISDIR without `recursive`, EAGAIN...) or a refused token. */
  | { type: 'failed'; path: string; error: unknown };

export interface LinkSummary {
  /** Files found (linked or failed at the token step). */
  files: number;
  linked: number;
  /** Token failures plus arguments that could not be resolved. */
  failed: number;
  /** Arguments that could not be resolved to files. */
  unresolved: number;
}

export interface LinkDeps {
  vfs: Vfs;
  client: Pick<FichierClient, 'getToken'>;
}

/** The files `paths` name, in order; what cannot be resolved or linked is reported to `on`. */
async function filesOf(vfs: Vfs, paths: readonly string[], recursive: boolean, on: (e: LinkEvent) => void, signal?: AbortSignal): Promise<{ files: VfsEntry[]; unresolved: number }> {
  const files: VfsEntry[] = [];
  let unresolved = 0;
  for (const path of paths) {
    signal?.throwIfAborted();
    try {
      const root = await vfs.stat(path, signal);
      if (root.kind === 'file') {
        files.push(root);
        continue;
      }
      if (!recursive) throw new FsError('EISDIR', 'a folder: use -R to link the files in it', { path });
      for (const { entry } of await walkAll(vfs, root, -1, signal)) {
        if (entry.kind !== 'file') continue;
        if (entry.local) on({ type: 'skipped', path: entry.path, reason: 'a local-only file (not stored on 1fichier)' });
        else files.push(entry);
      }
    } catch (err) {
      if (signal?.aborted) throw err;
      unresolved++;
      on({ type: 'failed', path, error: err });
    }
  }
  return { files, unresolved };
}

/** The link of one file. Throws ENOTSUP for a local-only file, what getToken throws otherwise. */
async function linkOf(client: LinkDeps['client'], file: VfsEntry, opts: LinkOptions, signal?: AbortSignal): Promise<string> {
  if (file.local) throw new FsError('ENOTSUP', 'a local-only file (not stored on 1fichier) has no link', { path: file.path });
  if (opts.page) return file.id;
  signal?.throwIfAborted();
  const res = await client.getToken(file.id, { single: false, cdn: opts.cdn, ...(opts.filePassword !== undefined ? { pass: opts.filePassword } : {}), ...(signal ? { signal } : {}) });
  return res.url;
}

/**
 * Links every file `paths` name (see the module doc), reporting each result to `on` in order. Resolves with the
 * counts once every file is done; per-file failures are events, not rejections. Rejects only with the signal's
 * reason when `signal` aborts (calls not started yet are not made).
 */
export async function linkFiles(deps: LinkDeps, paths: readonly string[], opts: LinkOptions, on: (e: LinkEvent) => void, signal?: AbortSignal): Promise<LinkSummary> {
  const { files, unresolved } = await filesOf(deps.vfs, paths, opts.recursive, on, signal);
  on({ type: 'files', count: files.length });
  const limit = pLimit(LINK_CONCURRENCY);
  const settled = files.map((f) =>
    limit(() => linkOf(deps.client, f, opts, signal)).then(
      (url) => ({ url }),
      (err: unknown) => ({ err }),
    ),
  );
  let linked = 0;
  let failed = unresolved;
  for (const [i, pending] of settled.entries()) {
    const file = files[i]!;
    const r = await pending;
    if (signal?.aborted) {
      limit.clearQueue();
      throw signal.reason;
    }
    if ('err' in r) {
      failed++;
      on({ type: 'failed', path: file.path, error: r.err });
    } else {
      linked++;
      on({ type: 'link', path: file.path, url: r.url });
    }
  }
  return { files: files.length, linked, failed, unresolved };
}
