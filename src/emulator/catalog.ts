import { randomBytes } from 'node:crypto';
import mime from 'mime-types';
import { FICHIER_DOMAIN, FILE_URL_RE, formatWireDate, type FileEntry } from '../api/types.ts';
import type { StagedBlob } from './blobs.ts';
import type { Core } from './core.ts';
import { KO } from './errors.ts';
import type { FileRow, NewFile } from './state.ts';

/**
 * File identity and file-level operations shared by the API handlers, the upload node, remote
 * uploads and the demo seed: URL <-> id, wire entries, adding a received blob as a file, removing
 * a file (and its blob when no other file uses it).
 */

const ALNUM_LOWER = 'abcdefghijklmnopqrstuvwxyz0123456789';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `n` random characters of `alphabet` (crypto randomness: ids and tokens are capabilities). */
export function randomId(n: number, alphabet: string = ALNUM): string {
  const bytes = randomBytes(n);
  let s = '';
  for (const b of bytes) s += alphabet[b % alphabet.length];
  return s;
}

/** A new file id: 20 characters of [a-z0-9]. */
export function newFileId(): string {
  return randomId(20, ALNUM_LOWER);
}

export function fileUrl(id: string): string {
  return `https://${FICHIER_DOMAIN}/?${id}`;
}

/** The file id of a file URL; throws KO 404 #469 when the URL is malformed. */
export function fileIdOf(url: unknown): string {
  const m = typeof url === 'string' ? FILE_URL_RE.exec(url.trim()) : null;
  if (!m) throw KO.notFound();
  return m[1]!;
}

/** The file a URL names; throws KO 404 #469 when malformed or unknown. */
export function fileByUrl(core: Core, url: unknown): FileRow {
  const f = core.state.file(fileIdOf(url));
  if (!f) throw KO.notFound();
  return f;
}

export function contentTypeOf(filename: string): string {
  return mime.lookup(filename) || 'application/octet-stream';
}

export function wireDate(ms: number): string {
  return formatWireDate(new Date(ms));
}

export function fileEntry(f: FileRow): FileEntry {
  return {
    url: fileUrl(f.id),
    filename: f.filename,
    size: f.size,
    date: wireDate(f.date),
    checksum: f.checksum,
    'content-type': f.content_type,
    pass: f.pass ? 1 : 0,
    acl: f.acl ? 1 : 0,
    cdn: f.cdn ? 1 : 0,
  };
}

/** True when `extra` more bytes fit in the quota. */
export function fits(core: Core, extra: number): boolean {
  return core.state.usedBytes() + extra <= core.config.quotaBytes;
}

/**
 * Commits a received blob and records it as a new file in `folderId` (synchronously, so the file is
 * listed only once its bytes are in place). Returns the new row.
 */
export function addFile(core: Core, blob: StagedBlob, folderId: number, filename: string): FileRow {
  blob.commit();
  return core.state.insertFile(newFileRow({ folderId, filename, size: blob.size, date: core.clock.now(), checksum: blob.hash }));
}

/** A fresh file row (new id, no password, flags off) for a blob of `size` bytes with Whirlpool `checksum`. */
export function newFileRow(f: { folderId: number; filename: string; size: number; date: number; checksum: string }): NewFile {
  return {
    id: newFileId(),
    folder_id: f.folderId,
    filename: f.filename,
    size: f.size,
    date: f.date,
    checksum: f.checksum,
    content_type: contentTypeOf(f.filename),
    pass: '',
    cdn: 0,
    acl: '',
    description: '',
    no_ssl: 0,
    inline: 0,
  };
}

/** Copies a file (new id, new date, same blob) into `folderId` under `filename`. */
export function copyFile(core: Core, src: FileRow, folderId: number, filename: string): FileRow {
  const { seq: _seq, ...rest } = src;
  return core.state.insertFile({ ...rest, id: newFileId(), folder_id: folderId, filename, date: core.clock.now(), content_type: contentTypeOf(filename) });
}

/** Removes a file, and its blob when no other file shares it. */
export function removeFile(core: Core, f: FileRow): void {
  core.state.deleteFile(f.id);
  if (core.state.blobRefs(f.checksum) === 0) core.blobs.remove(f.checksum);
}
