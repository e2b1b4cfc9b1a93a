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
import { isFsError } from '../remote/errors.ts';
import { baseName, parentOf } from '../remote/path.ts';
import type { Vfs, VfsEntry } from '../vfs/types.ts';

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

/** Result of statWithProbes: the entry, and whether it is synthetic (no bytes to read from the VFS). */
export interface ProbedEntry {
  entry: VfsEntry;
  synthetic: boolean;
}

/**
 * vfs.stat(path), except that a missing Finder probe name inside an existing folder yields the synthetic empty
 * file. Throws what vfs.stat throws (ENOENT when missing and not a probe, or when the parent is missing too).
 */
export async function statWithProbes(vfs: Vfs, path: string, now: number, signal?: AbortSignal): Promise<ProbedEntry> {
  try {
    return { entry: await vfs.stat(path, signal), synthetic: false };
  } catch (err) {
    if (!isFsError(err, 'ENOENT') || !isFinderProbe(baseName(path))) throw err;
    const parent = await vfs.stat(parentOf(path), signal);
    if (parent.kind !== 'dir') throw err;
    return { entry: finderProbeEntry(path, now), synthetic: true };
  }
}
