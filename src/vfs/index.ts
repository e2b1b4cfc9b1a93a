/**
 * createVfs: the Vfs (types.ts) over a Remote and a MetaStore. This file wires the pieces and holds the
 * small operations; the concepts live in their own modules: listing-cache.ts (TTL, single-flight,
 * write-through), tree.ts (path resolution), handles.ts (what a look-up found), names.ts (duplicates),
 * local.ts (local-only files), entry.ts (VfsEntry), write.ts (openWrite: write-stream.ts, write-sinks.ts),
 * move.ts / copy.ts / copy-move.ts / remove.ts, read.ts, about.ts, dir-ids.ts.
 *
 * Every operation takes what one look-up found (a handle) or a path, which it looks up once; below that,
 * nothing resolves a path again. The Vfs does not own the remote or the store: close() waits for background
 * work and leaves them open. Read-only mode is a wrapper around this interface, not a flag here.
 */
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { FsError } from '../core/errors.ts';
import { normPath } from '../core/path.ts';
import { assertSpan, type ByteSpan } from '../core/span.ts';
import type { RemoteEntry } from '../remote/types.ts';
import type { Listing } from '../store/types.ts';
import { systemClock } from '../util/clock.ts';
import { silentLogger } from '../util/log.ts';
import { AboutCache } from './about.ts';
import { lazyNodesToEntries, makeDir, nodeId, nodesToEntries, nodeToEntry, remoteDirOf, type VfsContext } from './context.ts';
import { copy } from './copy.ts';
import { EdgeCache } from './edge-cache.ts';
import { localToVfs, ROOT_ID } from './entry.ts';
import { nodeHandle, nodeOfHandle, placementOfHandle, targetHandle } from './handles.ts';
import { ListingCache } from './listing-cache.ts';
import { compileJunkMatcher } from './local.ts';
import { rename } from './move.ts';
import { chunkedRead } from './read.ts';
import { removeTree, rmdir, unlink } from './remove.ts';
import { Tree, type Node, type Placement } from './tree.ts';
import { JUNK_PATTERNS, type PropOp, type Vfs, type VfsNode, type VfsOptions, type VfsTarget, type WriteOptions } from './types.ts';
import { openWrite } from './write.ts';

export { createStoreDirIdIndex } from './dir-ids.ts';
export { openSubRoot, servedRootOf, subRootVfs } from './sub-root.ts';
export type * from './types.ts';

export const DEFAULT_DIR_CACHE_TIME_MS = 300_000;
export const DEFAULT_ABOUT_TTL_MS = 300_000;
export const DEFAULT_READ_CHUNK_SIZE = 128 * 1024 * 1024;
export const DEFAULT_READ_RETRIES = 10;

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
    ...(opts.minRelistMs !== undefined ? { minRelistMs: opts.minRelistMs } : {}),
    ...(opts.consistencyGraceMs !== undefined ? { consistencyGraceMs: opts.consistencyGraceMs } : {}),
    ...(opts.changes ? { changes: opts.changes } : {}),
  });
  let root: Promise<RemoteEntry> | undefined;
  const ctx: VfsContext = {
    remote,
    store,
    clock,
    logger,
    cache,
    tree: new Tree(cache, store, logger, { caseInsensitive: opts.caseInsensitive ?? false }),
    isJunk: compileJunkMatcher(opts.localPatterns ?? JUNK_PATTERNS),
    spoolDir: opts.spoolDir ?? tmpdir(),
    read: {
      chunkSize: opts.readChunkSize ?? DEFAULT_READ_CHUNK_SIZE,
      chunkSizeLimit: opts.readChunkSizeLimit ?? -1,
      retries: opts.readRetries ?? DEFAULT_READ_RETRIES,
    },
    transfers: { uploads: 0, uploadBytes: 0, downloads: 0, downloadBytes: 0, activeReads: 0, activeWrites: 0 },
    remoteRoot(signal) {
      root ??= remote.stat('', signal).catch((err: unknown) => {
        root = undefined;
        throw err;
      });
      return root;
    },
  };
  const edges = opts.readCache ? new EdgeCache({ ...opts.readCache, logger }) : undefined;
  const about = new AboutCache({ remote, store, clock, logger, ttlMs: opts.aboutTtlMs ?? DEFAULT_ABOUT_TTL_MS });
  if (store.getMeta(ROOT_ID)?.modTime === undefined) store.setMeta(ROOT_ID, { modTime: clock.now() });

  /** The node `at` designates (undefined = the root): the handle's, or one look-up of the path. */
  const nodeAt = (at: string | VfsNode, signal?: AbortSignal): Promise<Node | undefined> =>
    typeof at === 'string' ? ctx.tree.lookup(normPath(at), signal) : Promise.resolve(nodeOfHandle(ctx, at));

  /** The placement `at` designates: the target's, or one resolve of the path. Throws EINVAL for the root. */
  const placementAt = (at: string | VfsTarget, signal?: AbortSignal): Promise<Placement> => {
    if (typeof at !== 'string') return Promise.resolve(placementOfHandle(ctx, at));
    const path = normPath(at);
    if (path === '') return Promise.reject(new FsError('EINVAL', 'the root has no parent', { path }));
    return ctx.tree.resolve(path, signal);
  };

  /** Throws `code` for the root given as a path (its documented answer in that operation). */
  const notTheRoot = (at: string | VfsTarget, code: 'EISDIR' | 'EEXIST'): void => {
    if (typeof at === 'string' && normPath(at) === '') throw new FsError(code, code === 'EEXIST' ? 'the root exists' : 'is a directory', { path: '' });
  };

  const vfs: Vfs = {
    lookup: async (path, signal) => nodeHandle(ctx, await ctx.tree.lookup(normPath(path), signal)),

    resolve: async (path, signal) => targetHandle(ctx, await placementAt(path, signal)),

    stat: async (path, signal) => nodeToEntry(ctx, await ctx.tree.lookup(normPath(path), signal)),

    readdir: async (dir, signal) => (await vfs.readdirVersioned(dir, signal)).entries(),

    async readdirVersioned(dir, signal) {
      const node = await nodeAt(dir, signal);
      if (node && node.kind !== 'dir') throw new FsError('ENOTDIR', 'not a directory', { path: node.path });
      const view = await ctx.tree.view(node?.path ?? '', signal);
      return { token: view.token, entries: () => nodesToEntries(ctx, view.nodes), lazyEntries: () => lazyNodesToEntries(ctx, view.nodes) };
    },

    async openRead(file, span, signal) {
      const node = await nodeAt(file, signal);
      if (!node || node.kind === 'dir') throw new FsError('EISDIR', 'is a directory', { path: node?.path ?? '' });
      return readNode(node, span, signal);
    },

    async openWrite(at, wopts) {
      notTheRoot(at, 'EISDIR');
      return openWrite(ctx, await placementAt(at, wopts?.signal), wopts);
    },

    async writeFile(at, source, wopts: WriteOptions = {}) {
      const sized = Buffer.isBuffer(source) ? { ...wopts, size: wopts.size ?? source.length } : wopts;
      const w = await vfs.openWrite(at, sized);
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

    async mkdir(at, signal) {
      notTheRoot(at, 'EEXIST');
      const target = await placementAt(at, signal);
      if (target.existing) throw new FsError('EEXIST', 'exists', { path: target.path });
      const made = await makeDir(ctx, await remoteDirOf(ctx, target.parent, signal), target.name, { signal });
      return nodeToEntry(ctx, { name: target.name, path: target.path, kind: 'dir', remote: made });
    },

    rmdir: async (dir, signal) => rmdir(ctx, await nodeAt(dir, signal), signal),
    unlink: async (file, signal) => unlink(ctx, await nodeAt(file, signal), signal),
    removeTree: async (node, signal) => removeTree(ctx, await nodeAt(node, signal), signal),
    rename: async (src, dst, o) => rename(ctx, await nodeAt(src), await placementAt(dst), o),
    copy: async (src, dst, o) => copy(ctx, await nodeAt(src), await placementAt(dst), o),

    async setModTime(at, modTime) {
      const node = await nodeAt(at);
      if (node?.local) {
        const file = { ...node.local, modTime };
        store.putLocal(file);
        return localToVfs(node.path, node.name, file);
      }
      store.setMeta(nodeId(node), { modTime });
      ctx.tree.touch(node?.path ?? '');
      return nodeToEntry(ctx, node);
    },

    propsOf: (ids) => store.getPropsMany(ids),

    async getProps(at) {
      return store.getProps(nodeId(await nodeAt(at)));
    },

    async patchProps(at, ops) {
      const node = await nodeAt(at);
      const id = nodeId(node);
      const before = store.getProps(id);
      try {
        for (const op of ops) applyProp(id, op);
      } catch (err) {
        for (const p of store.getProps(id)) store.removeProp(id, p.ns, p.name);
        for (const p of before) store.setProp(id, p);
        throw new FsError('EIO', 'property update failed', { path: node?.path ?? '', cause: err });
      } finally {
        ctx.tree.touch(node?.path ?? '');
      }
    },

    about: (signal) => about.get(signal),

    async refresh(path, ropts = {}) {
      const { path: p, listing: top } = await refreshDir(normPath(path), ropts.expect);
      if (!ropts.recursive) return;
      const known = new Set(store.listedDirs(p));
      const queue = subdirs(top);
      for (let d = queue.shift(); d !== undefined; d = queue.shift()) {
        try {
          queue.push(...subdirs(await cache.refresh(d, undefined, { background: true })));
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
      return { ...cache.counters, ...ctx.transfers };
    },

    async close() {
      await Promise.all([cache.drain(), edges?.close()]);
    },
  };

  /** The bytes of file `node`, whole or `span` (asserted inside the file, never clamped). */
  function readNode(node: Node, span: ByteSpan | undefined, signal: AbortSignal | undefined): Readable {
    const size = node.local ? node.local.content.length : node.remote.size;
    if (span) assertSpan(span, size, node.path);
    if (node.local) return Readable.from(size === 0 ? [] : [node.local.content.subarray(span?.start ?? 0, (span?.end ?? size - 1) + 1)]);
    if (size === 0) return Readable.from([]);
    const file = node.remote;
    const fromRemote = (part: ByteSpan, partSignal: AbortSignal | undefined): Readable =>
      chunkedRead(remote, file, part, { ...ctx.read, clock, logger, ...(partSignal ? { signal: partSignal } : {}), onBytes: (n) => (ctx.transfers.downloadBytes += n) });
    const whole = span ?? { start: 0, end: size - 1 };
    // Edge fills pass the cache's own signal: a client that goes away does not leave a cached edge half-filled.
    const stream = edges ? edges.read(file, whole, (part, fillSignal) => fromRemote(part, fillSignal ?? signal), signal) : fromRemote(whole, signal);
    ctx.transfers.downloads += 1;
    ctx.transfers.activeReads += 1;
    stream.once('close', () => (ctx.transfers.activeReads -= 1));
    return stream;
  }

  /**
   * Re-list folder `p` (its ancestors come from the cache); returns its canonical path and the new listing.
   * Throws ENOENT, ENOTDIR, and what listing throws.
   */
  async function refreshDir(p: string, expect?: readonly string[]): Promise<{ path: string; listing: Listing }> {
    const node = await ctx.tree.lookup(p);
    if (node && node.kind !== 'dir') throw new FsError('ENOTDIR', 'not a directory', { path: p });
    const path = node?.path ?? '';
    if (expect) cache.expect(path, expect);
    return { path, listing: await cache.refresh(path) };
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
