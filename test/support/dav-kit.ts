/**
 * Test support for the handler tests (not used by production code): the real server
 * (createDavServer, so the core's error table and request decoding apply) on 127.0.0.1:0, over a Vfs on the
 * memory remote and an in-memory store (vfs-kit.ts), and a Vfs wrapper that records openRead ranges.
 */
import { text } from 'node:stream/consumers';
import type { Readable } from 'node:stream';
import { request } from 'undici';
import { afterEach, beforeEach } from 'vitest';
import { isFsError } from '../../src/core/errors.ts';
import type { ByteSpan } from '../../src/core/span.ts';
import { makeKit } from './vfs-kit.ts';
import type { VfsKit } from './vfs-kit.ts';
import type { Vfs, VfsNode } from '../../src/vfs/types.ts';
import type { Credentials } from '../../src/webdav/auth.ts';
import { createDavServer } from '../../src/webdav/index.ts';
import type { DavServer } from '../../src/webdav/index.ts';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface DavKit {
  kit: VfsKit;
  dav: DavServer;
  /** The Vfs the server sees (the kit's, possibly wrapped). */
  vfs: Vfs;
  /** Every openRead the server made: path and range (undefined = whole file). */
  reads: { path: string; range: ByteSpan | undefined }[];
  url: string;
  send(method: string, path: string, opts?: { headers?: Record<string, string>; body?: string | Buffer | Readable }): Promise<Reply>;
  close(): Promise<void>;
}

/** A Vfs that forwards everything to `inner` and records openRead calls into `reads`. */
function recordingVfs(inner: Vfs, reads: DavKit['reads']): Vfs {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'openRead') {
        return (file: string | VfsNode, range?: ByteSpan, signal?: AbortSignal) => {
          reads.push({ path: typeof file === 'string' ? file : file.entry.path, range: range && { ...range } });
          return target.openRead(file, range, signal);
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Starts the server over a fresh memory-backed Vfs. */
export async function startDav(opts: { readOnly?: boolean; users?: Credentials[] } = {}): Promise<DavKit> {
  const kit = makeKit();
  const reads: DavKit['reads'] = [];
  const vfs = recordingVfs(kit.vfs, reads);
  const dav = createDavServer({ vfs, clock: kit.clock, readOnly: opts.readOnly ?? false, ...(opts.users ? { users: opts.users } : {}) });
  const { url } = await dav.listen('127.0.0.1', 0);
  const origin = url.replace(/\/$/, '');
  return {
    kit,
    dav,
    vfs,
    reads,
    url,
    async send(method, path, o = {}) {
      const res = await request(`${origin}${path}`, { method, headers: o.headers ?? {}, body: o.body });
      const chunks: Buffer[] = [];
      for await (const c of res.body) chunks.push(c as Buffer);
      return { status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) };
    },
    close: () => dav.close(),
  };
}

/** A fresh server before each test, closed after it; call the returned function for the running one. */
export function davPerTest(opts: Parameters<typeof startDav>[0] = {}): () => DavKit {
  let current: DavKit | undefined;
  beforeEach(async () => {
    current = await startDav(opts);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error('no server: davPerTest() is only usable inside a test');
    return current;
  };
}

/** The whole content of `path` in the kit's Vfs, as UTF-8. */
export async function vfsText(d: DavKit, path: string): Promise<string> {
  return text(await d.kit.vfs.openRead(path));
}

/** Whether `path` exists in the kit's Vfs (ENOENT => false; other errors are thrown). */
export async function vfsExists(d: DavKit, path: string): Promise<boolean> {
  try {
    await d.kit.vfs.stat(path);
    return true;
  } catch (err) {
    if (isFsError(err, 'ENOENT')) return false;
    throw err;
  }
}

/** An Authorization header for Basic credentials. */
export function basicAuth(user: string, pass: string): string {
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}
