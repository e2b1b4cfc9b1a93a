/**
 * createVfs: the Vfs (types.ts) over a Remote and a MetaStore. This file wires the pieces and holds the
 * small operations; the concepts live in their own modules: listing-cache.ts (TTL, single-flight,
 * write-through), tree.ts (path resolution), names.ts (duplicates), local.ts (local-only files), entry.ts
 * (VfsEntry), writer.ts (openWrite), move.ts / copy.ts / remove.ts, about.ts, dir-ids.ts.
 *
 * The Vfs does not own the remote or the store: close() waits for background work and leaves them open.
 * Read-only mode is a wrapper around this interface, not a flag here.
 */
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { FsError } from '../core/errors.ts';
import { baseName, normPath } from '../core/path.ts';
import type { ReadRange } from '../remote/types.ts';
import type { DeadProp } from '../core/props.ts';
import type { Listing } from '../store/types.ts';
import { systemClock } from '../util/clock.ts';
import { silentLogger } from '../util/log.ts';
import { AboutCache } from './about.ts';
import { nodeId, nodeToEntry, type VfsContext } from './context.ts';
import { copy } from './copy.ts';
import { ROOT_ID } from './entry.ts';
import { ListingCache } from './listing-cache.ts';
import { compileJunkMatcher } from './local.ts';
import { rename } from './move.ts';
import { chunkedRead } from './read.ts';
import { removeTree, rmdir, unlink } from './remove.ts';
import { Tree } from './tree.ts';
import { JUNK_PATTERNS, type Vfs, type VfsEntry, type VfsOptions, type WriteOptions } from './types.ts';
import { openWrite } from './writer.ts';

export { createStoreDirIdIndex, type StoreDirIdIndex } from './dir-ids.ts';
export { JUNK_PATTERNS } from './types.ts';
export type * from './types.ts';

export const DEFAULT_DIR_CACHE_TIME_MS = 300_000;
export const DEFAULT_ABOUT_TTL_MS = 300_000;
export const DEFAULT_READ_CHUNK_SIZE = 128 * 1024 * 1024;
export const DEFAULT_READ_RETRIES = 10;

type PropOp = { op: 'set'; prop: DeadProp } | { op: 'remove'; ns: string; name: string };

export function createVfs(opts: VfsOptions): Vfs {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? silentLogger;
  const { remote, store } = opts;
  const cache = new ListingCache({
    remote,
    store,
    clock,
    logger,
    dirCacheTimeMs: opts.dirCacheTimeMs ?? DEFAULT_DIR_CACHE_TIME_MS,
    staleWhileRevalidate: opts.staleWhileRevalidate ?? false,
  });
  const ctx: VfsContext = {
    remote,
    store,
    clock,
    logger,
    cache,
    tree: new Tree(cache, store, logger),
    isJunk: compileJunkMatcher(opts.localPatterns ?? JUNK_PATTERNS),
    spoolDir: opts.spoolDir ?? tmpdir(),
    read: {
      chunkSize: opts.readChunkSize ?? DEFAULT_READ_CHUNK_SIZE,
      chunkSizeLimit: opts.readChunkSizeLimit ?? -1,
      retries: opts.readRetries ?? DEFAULT_READ_RETRIES,
    },
    io: { uploads: 0, uploadBytes: 0, downloads: 0, downloadBytes: 0, activeReads: 0, activeWrites: 0 },
  };
  const about = new AboutCache({ remote, clock, logger, ttlMs: opts.aboutTtlMs ?? DEFAULT_ABOUT_TTL_MS });
  if (store.getMeta(ROOT_ID)?.modTime === undefined) store.setMeta(ROOT_ID, { modTime: clock.now() });

  const lookup = (path: string, signal?: AbortSignal) => ctx.tree.lookup(normPath(path), signal);

  const stat = async (path: string, signal?: AbortSignal): Promise<VfsEntry> => nodeToEntry(ctx, await lookup(path, signal));

  const vfs: Vfs = {
    stat,

    async readdir(path, signal) {
      const view = await ctx.tree.dirView(normPath(path), signal);
      return view.nodes.map((n) => nodeToEntry(ctx, n));
    },

    async openRead(path, range, signal) {
      const node = await lookup(path, signal);
      if (!node || node.kind === 'dir') throw new FsError('EISDIR', 'is a directory', { path: normPath(path) });
      const size = node.local ? node.local.content.length : node.remote.size;
      const span = clampRange(range, size, node.path);
      if (node.local || !span) {
        const bytes = node.local && span ? node.local.content.subarray(span.start, span.end + 1) : Buffer.alloc(0);
        return Readable.from([bytes].filter((b) => b.length > 0));
      }
      const stream = chunkedRead(remote, node.remote, span.start, span.end, {
        ...ctx.read,
        clock,
        logger,
        ...(signal ? { signal } : {}),
        onBytes: (n) => (ctx.io.downloadBytes += n),
      });
      ctx.io.downloads += 1;
      ctx.io.activeReads += 1;
      stream.once('close', () => (ctx.io.activeReads -= 1));
      return stream;
    },

    openWrite: (path, wopts) => openWrite(ctx, path, wopts),

    async writeFile(path, source, wopts: WriteOptions = {}) {
      const sized = Buffer.isBuffer(source) ? { ...wopts, size: wopts.size ?? source.length } : wopts;
      const w = await openWrite(ctx, path, sized);
      // Failures are reported through `result`.
      w.on('error', () => undefined);
      if (Buffer.isBuffer(source)) {
        w.end(source);
        return w.result;
      }
      source.once('error', (err) => w.destroy(err));
      source.pipe(w);
      return w.result;
    },

    async mkdir(path, signal) {
      const p = normPath(path);
      if (p === '') throw new FsError('EEXIST', 'the root exists', { path: p });
      const { child } = await ctx.tree.parentAndChild(p, signal);
      if (child) throw new FsError('EEXIST', 'exists', { path: p });
      const made = await remote.mkdir(p, signal);
      ctx.store.setMeta(made.id, { modTime: made.modTime });
      cache.upsert(made);
      cache.putEmpty(p);
      return nodeToEntry(ctx, { name: baseName(p), path: p, kind: 'dir', remote: made });
    },

    rmdir: (path, signal) => rmdir(ctx, path, signal),
    unlink: (path, signal) => unlink(ctx, path, signal),
    removeTree: (path, signal) => removeTree(ctx, path, signal),
    rename: (src, dst, o) => rename(ctx, src, dst, o),
    copy: (src, dst, o) => copy(ctx, src, dst, o),

    async setModTime(path, modTime) {
      const node = await lookup(path);
      if (node?.local) store.putLocal({ ...node.local, modTime });
      else store.setMeta(nodeId(node), { modTime });
      return stat(path);
    },

    propsOf: (entries) => store.getPropsMany(entries.map((e) => e.id)),

    async getProps(path) {
      return store.getProps(nodeId(await lookup(path)));
    },

    async patchProps(path, ops) {
      const id = nodeId(await lookup(path));
      const before = store.getProps(id);
      try {
        for (const op of ops) applyProp(id, op);
      } catch (err) {
        for (const p of store.getProps(id)) store.removeProp(id, p.ns, p.name);
        for (const p of before) store.setProp(id, p);
        throw new FsError('EIO', 'property update failed', { path: normPath(path), cause: err });
      }
    },

    about: (signal) => about.get(signal),

    async refresh(path, ropts = {}) {
      const p = normPath(path);
      const top = await refreshDir(p);
      if (!ropts.recursive) return;
      const known = new Set(store.listedDirs(p));
      const queue = subdirs(top);
      for (let d = queue.shift(); d !== undefined; d = queue.shift()) {
        try {
          queue.push(...subdirs(await cache.refresh(d)));
        } catch (err) {
          if (!(err instanceof FsError) || (err.code !== 'ENOENT' && err.code !== 'ENOTDIR')) throw err;
          cache.forgetTree(d);
        }
        known.delete(d);
      }
      for (const gone of known) if (gone !== p) cache.forgetTree(gone);
    },

    forget(path = '') {
      cache.forgetTree(normPath(path));
    },

    stats() {
      return { ...cache.counters, ...ctx.io };
    },

    async close() {
      await cache.drain();
    },
  };

  /** Re-list folder `p` (its ancestors come from the cache). Throws ENOENT, ENOTDIR, and what listing throws. */
  async function refreshDir(p: string): Promise<Listing> {
    const node = await ctx.tree.lookup(p);
    if (node && node.kind !== 'dir') throw new FsError('ENOTDIR', 'not a directory', { path: p });
    return cache.refresh(p);
  }

  /** The folders of a listing, by path. */
  function subdirs(listing: Listing): string[] {
    return listing.entries.filter((e) => e.kind === 'dir').map((e) => e.path);
  }

  function applyProp(id: string, op: PropOp): void {
    if (op.op === 'set') store.setProp(id, op.prop);
    else store.removeProp(id, op.ns, op.name);
  }

  return vfs;
}

/** The inclusive span to read, or undefined for nothing (empty file). Throws ERANGE past the end. */
function clampRange(range: ReadRange | undefined, size: number, path: string): { start: number; end: number } | undefined {
  const start = range?.start ?? 0;
  if (size === 0) {
    if (start > 0) throw new FsError('ERANGE', 'range outside the file', { path });
    return undefined;
  }
  const end = Math.min(range?.end ?? size - 1, size - 1);
  if (start < 0 || start >= size || end < start) throw new FsError('ERANGE', 'range outside the file', { path });
  return { start, end };
}
