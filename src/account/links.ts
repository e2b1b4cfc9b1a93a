/**
 * Links for many files at once, the one implementation behind `fichier-dav link` and the web UI's "Links"
 * action.
 *
 * - Each link is what `linkOf` gives for a file: the remote's direct download link (remote/commands.ts: on
 *   1fichier a reusable get_token URL with the account's `cdn` and `file_password` settings) or its permanent
 *   page URL. Every such call goes through the remote, so the pacer spaces them; at most LINK_CONCURRENCY are in
 *   flight (the pacer's interval is what limits the rate, however many files are asked for).
 * - A folder is walked (vfs/walk.ts order) when `recursive` is set; local-only files below it (0-byte and OS
 *   junk files, kept by fichier-dav and not stored on 1fichier) are reported as skipped, not as failures.
 * - Results are reported in argument and walk order, whatever order the calls finish in, so a list of links
 *   lines up with the list of files.
 */
import pLimit from 'p-limit';
import { FsError } from '../core/errors.ts';
import type { Vfs, VfsEntry } from '../vfs/types.ts';
import { walkAll } from '../vfs/walk.ts';

/** Link calls in flight at once (the pacer spaces their starts anyway). */
export const LINK_CONCURRENCY = 4;

export type LinkEvent =
  /** The arguments are resolved: `count` files will be linked (sent once, before any `link`). */
  | { type: 'files'; count: number }
  | { type: 'link'; path: string; url: string }
  /** A local-only file found below a folder: it has no link; not a failure. */
  | { type: 'skipped'; path: string; reason: string }
  /** An argument that could not be resolved (ENOENT, EISDIR without `recursive`, EAGAIN...) or a refused link (an FsError). */
  | { type: 'failed'; path: string; error: unknown };

export interface LinkSummary {
  /** Files found (linked or failed at the link step). */
  files: number;
  linked: number;
  /** Link failures plus arguments that could not be resolved. */
  failed: number;
  /** Arguments that could not be resolved to files. */
  unresolved: number;
}

/** The link of one file (it is stored on the remote). Throws FsError. */
export type LinkOf = (file: VfsEntry, signal?: AbortSignal) => Promise<string>;

/** The files `paths` name, in order; what cannot be resolved is reported to `on`. */
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

/** `linkOf(file)`, refusing a local-only file (named by the user) with ENOTSUP first. */
async function linkOne(linkOf: LinkOf, file: VfsEntry, signal?: AbortSignal): Promise<string> {
  if (file.local) throw new FsError('ENOTSUP', 'a local-only file (not stored on 1fichier) has no link', { path: file.path });
  signal?.throwIfAborted();
  return linkOf(file, signal);
}

/**
 * Links every file `paths` name (see the module doc), reporting each result to `on` in order. Resolves with the
 * counts once every file is done; per-file failures are events, not rejections. Rejects only with the signal's
 * reason when `signal` aborts (calls not started yet are not made).
 */
export async function linkFiles(
  vfs: Vfs,
  linkOf: LinkOf,
  paths: readonly string[],
  recursive: boolean,
  on: (e: LinkEvent) => void,
  signal?: AbortSignal,
): Promise<LinkSummary> {
  const { files, unresolved } = await filesOf(vfs, paths, recursive, on, signal);
  on({ type: 'files', count: files.length });
  const limit = pLimit(LINK_CONCURRENCY);
  const settled = files.map((f) =>
    limit(() => linkOne(linkOf, f, signal)).then(
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
