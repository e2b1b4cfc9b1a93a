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

/** Crypto random bytes drawn in blocks: one system call per 4 KiB instead of one per id (bulk seeding makes thousands). */
const pool = { buf: Buffer.alloc(0), at: 0 };

function poolBytes(n: number): Buffer {
  if (pool.at + n > pool.buf.length) {
    pool.buf = randomBytes(Math.max(4096, n));
    pool.at = 0;
  }
  pool.at += n;
  return pool.buf.subarray(pool.at - n, pool.at);
}

/** `n` random characters of `alphabet` (crypto randomness: ids and tokens are capabilities). */
export function randomId(n: number, alphabet: string = ALNUM): string {
  let s = '';
  for (const b of poolBytes(n)) s += alphabet[b % alphabet.length];
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

/** `ms` as a wire date: Paris local time, the rule the client parses with (api/types.ts). */
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
 * never listed before its bytes are in place); listings show it `newFileListDelayMs` later, unless
 * `listedAt: 'now'` (the demo seed). Returns the new row.
 */
export function addFile(core: Core, blob: StagedBlob, folderId: number, filename: string, listedAt: 'delayed' | 'now' = 'delayed'): FileRow {
  blob.commit();
  const now = core.clock.now();
  const visibleAt = listedAt === 'now' ? now : newFileVisibleAt(core, now);
  return core.state.insertFile(newFileRow({ folderId, filename, size: blob.size, date: now, checksum: blob.hash, visibleAt }));
}

function newFileVisibleAt(core: Core, now: number): number {
  return now + core.config.newFileListDelayMs;
}

/**
 * A fresh file row (new id, no password, flags off) for a blob of `size` bytes with Whirlpool `checksum`,
 * listed from `visibleAt` (default: its date).
 */
export function newFileRow(f: { folderId: number; filename: string; size: number; date: number; checksum: string; visibleAt?: number }): NewFile {
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
    visible_at: f.visibleAt ?? f.date,
  };
}

/** Copies a file (new id, new date, same blob) into `folderId` under `filename`; listed like a new upload. */
export function copyFile(core: Core, src: FileRow, folderId: number, filename: string): FileRow {
  const { seq: _seq, ...rest } = src;
  const now = core.clock.now();
  return core.state.insertFile({
    ...rest,
    id: newFileId(),
    folder_id: folderId,
    filename,
    date: now,
    content_type: contentTypeOf(filename),
    visible_at: newFileVisibleAt(core, now),
  });
}

/**
 * Removes a file, and its blob when no other file shares it. Listings keep showing it for
 * `deletedFileListDelayMs`, and folder/rm of its folder says "not empty" for `folderRmDelayMs`.
 */
export function removeFile(core: Core, f: FileRow): void {
  const now = core.clock.now();
  core.state.deleteFile(f.id, now, now + core.config.deletedFileListDelayMs);
  if (core.config.folderRmDelayMs > 0) core.settling.blockRm(f.folder_id, now + core.config.folderRmDelayMs);
  if (core.state.blobRefs(f.checksum) === 0) core.blobs.remove(f.checksum);
}
