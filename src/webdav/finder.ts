/**
 * macOS Finder probes: on every mount and in every folder Finder asks for `.metadata_never_index`,
 * `.ql_disablethumbnails` and `.ql_disablecache`. When these exist, Spotlight and Quick Look leave the volume
 * alone instead of reading every video to index or thumbnail it. So when such a name is absent from the VFS,
 * GET/HEAD/PROPFIND answer it locally as an empty file (dav-server-rs does the same). A real file of that name
 * (the user, or Finder, wrote one) always wins.
 *
 * Choices of ours:
 * - The synthetic entry is only offered when the parent folder exists (else the client gets the real 404/409).
 * - Its modtime is the `now` given (it has no history); its ETag depends only on its path, since its content
 *   (nothing) never changes.
 */
import { createHash } from 'node:crypto';
import { FsError } from '../core/errors.ts';
import { baseName } from '../core/path.ts';
import type { Vfs, VfsEntry, VfsNode } from '../vfs/types.ts';

/** The probe names answered locally as empty files when absent. */
export const FINDER_PROBES: readonly string[] = ['.metadata_never_index', '.ql_disablethumbnails', '.ql_disablecache'];

/** True when `name` (a last path segment) is one of FINDER_PROBES. */
export function isFinderProbe(name: string): boolean {
  return FINDER_PROBES.includes(name);
}

/** The synthetic empty file shown at `path` (canonical VFS path) with modtime `now` (ms). Never throws. */
export function finderProbeEntry(path: string, now: number): VfsEntry {
  const name = baseName(path);
  const tag = createHash('sha1').update(`finder-probe\0${path}`).digest('hex').slice(0, 32);
  return {
    path,
    name,
    kind: 'file',
    size: 0,
    modTime: now,
    id: `probe:${path}`,
    mimeType: 'application/octet-stream',
    hashes: {},
    etag: `"${tag}"`,
    local: true,
  };
}

/** What a GET, HEAD or PROPFIND found: a node of the VFS, or the synthetic probe file (no bytes to read). */
export type ProbedNode = { node: VfsNode; entry: VfsEntry; synthetic: false } | { node?: undefined; entry: VfsEntry; synthetic: true };

/**
 * One look-up of `path` (the parent's listing and what is there), except that a missing Finder probe name
 * inside an existing folder yields the synthetic empty file. Throws what the VFS throws (ENOENT when missing
 * and not a probe, or when the parent is missing too; ENOTDIR when a file is on the way).
 */
export async function lookupWithProbes(vfs: Vfs, path: string, now: number, signal?: AbortSignal): Promise<ProbedNode> {
  if (path === '') {
    const root = await vfs.lookup('', signal);
    return { node: root, entry: root.entry, synthetic: false };
  }
  const at = await vfs.resolve(path, signal);
  if (at.existing) return { node: at.existing, entry: at.existing.entry, synthetic: false };
  if (!isFinderProbe(at.name)) throw new FsError('ENOENT', 'no such file or directory', { path: at.path });
  return { entry: finderProbeEntry(at.path, now), synthetic: true };
}
