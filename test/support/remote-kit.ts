/**
 * Shorthands for tests that drive a Remote directly (remote/types.ts): byte streams in, bytes out, and the
 * path-taking forms of put/mkdir/rmdir (the contract takes the parent's entry: these look it up with stat).
 */
import { buffer } from 'node:stream/consumers';
import { Readable } from 'node:stream';
import { baseName, parentOf } from '../../src/core/path.ts';
import type { ReadRange, Remote, RemoteEntry } from '../../src/remote/types.ts';

/** A byte stream (not object mode) of `data`, in 64 KiB chunks. */
export function streamOf(data: Buffer): Readable {
  const parts: Buffer[] = [];
  for (let at = 0; at < data.length; at += 65536) parts.push(data.subarray(at, at + 65536));
  return Readable.from(parts, { objectMode: false });
}

/** Stores `data` at `path`, its parent folder looked up with stat first. */
export async function putAt(remote: Remote, path: string, data: Buffer): Promise<RemoteEntry> {
  return remote.put(await remote.stat(parentOf(path)), baseName(path), streamOf(data), { size: data.length });
}

/** Creates the folder `path`, its parent looked up with stat first. */
export async function mkdirAt(remote: Remote, path: string): Promise<RemoteEntry> {
  return remote.mkdir(await remote.stat(parentOf(path)), baseName(path));
}

/** Removes the folder `path`, looked up with stat first. */
export async function rmdirAt(remote: Remote, path: string): Promise<void> {
  return remote.rmdir(await remote.stat(path));
}

/** All bytes of a file (or of a range of it). */
export async function readAll(remote: Remote, file: RemoteEntry, range?: ReadRange): Promise<Buffer> {
  return buffer(await remote.openRead(file, range));
}
