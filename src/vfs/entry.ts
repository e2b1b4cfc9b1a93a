/**
 * Building VfsEntry values: a remote entry (or a local-only file) plus what the metadata store knows
 * about it (client modtime, MD5/SHA-1). The etag is a quoted hash of (id, size, modTime), so it changes
 * whenever the content may have changed: a new upload has a new id, a PROPPATCH of the modtime changes it.
 */
import { createHash } from 'node:crypto';
import mime from 'mime-types';
import type { RemoteEntry } from '../remote/types.ts';
import type { FileMeta, LocalFile } from '../store/types.ts';
import { contentHashes } from './local.ts';
import type { VfsEntry } from './types.ts';

export const DIR_MIME = 'httpd/unix-directory';
/** Key of the root folder's metadata (its client modtime, dead properties). */
export const ROOT_ID = 'root:';

/** Strong validator for (id, size, modTime), quoted. */
export function makeEtag(id: string, size: number, modTime: number): string {
  const h = createHash('sha1').update(`${id}\0${size}\0${modTime}`).digest('hex').slice(0, 32);
  return `"${h}"`;
}

/** MIME type by extension; application/octet-stream when unknown. */
export function mimeFor(name: string): string {
  return mime.lookup(name) || 'application/octet-stream';
}

/** The VFS view of a remote entry shown at `path` under `name` (the name may carry a duplicate suffix). */
export function remoteToVfs(path: string, name: string, e: RemoteEntry, meta: FileMeta | undefined): VfsEntry {
  const modTime = meta?.modTime ?? e.modTime;
  const hashes: VfsEntry['hashes'] = { ...e.hashes };
  if (meta?.md5) hashes.md5 = meta.md5;
  if (meta?.sha1) hashes.sha1 = meta.sha1;
  return {
    path,
    name,
    kind: e.kind,
    size: e.kind === 'dir' ? 0 : e.size,
    modTime,
    id: e.id,
    mimeType: e.kind === 'dir' ? DIR_MIME : mimeFor(name),
    hashes,
    etag: makeEtag(e.id, e.size, modTime),
    local: false,
  };
}

/** The VFS view of a local-only file shown at `path` under `name`. */
export function localToVfs(path: string, name: string, f: LocalFile): VfsEntry {
  return {
    path,
    name,
    kind: 'file',
    size: f.content.length,
    modTime: f.modTime,
    id: f.id,
    mimeType: mimeFor(name),
    hashes: contentHashes(f.content),
    etag: makeEtag(f.id, f.content.length, f.modTime),
    local: true,
  };
}

/** The root folder; its modtime is the one recorded for ROOT_ID (the VFS records one on first use). */
export function rootToVfs(meta: FileMeta | undefined): VfsEntry {
  const modTime = meta?.modTime ?? 0;
  return {
    path: '',
    name: '',
    kind: 'dir',
    size: 0,
    modTime,
    id: ROOT_ID,
    mimeType: DIR_MIME,
    hashes: {},
    etag: makeEtag(ROOT_ID, 0, modTime),
    local: false,
  };
}
