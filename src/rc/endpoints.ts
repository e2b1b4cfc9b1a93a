/**
 * The rc calls (rclone's names and answer shapes, so `rclone rc` and its scripts work unchanged), each a function from the
 * parameters to the JSON answer. Bad input throws RcError 400.
 *
 * Differences from rclone, by design:
 * - calls run synchronously: `_async=true` is accepted and ignored (the answer is the result, not a job id);
 * - `fs` is ignored (one VFS per process);
 * - vfs/forget `file=` drops the listing of the file's folder (and below): the cache holds listings, not files;
 * - paths are relative to the served root (a folder, when one is served); a '.' or '..' segment is refused
 *   (vfs/refresh reports EINVAL for that directory, vfs/forget answers 400), so nothing outside the root is touched;
 * - vfs/stats: see `vfsStatsAnswer` for the approximated fields.
 */
import { isFsError } from '../core/errors.ts';
import { normPath, parentOf } from '../core/path.ts';
import type { Vfs, VfsStats } from '../vfs/types.ts';
import { boolParam, ownParams, RcError, type RcParams } from './params.ts';

/** Input of core/stats, wired by the caller from its transfer counters. */
export interface CoreStats {
  /** Bytes transferred since start (both directions). */
  bytes: number;
  /** Transfers completed since start. */
  transfers: number;
  /** Failed transfers since start. */
  errors: number;
  /** Seconds since start. */
  elapsedTime: number;
  /** Transfers in progress. */
  transferring: { name: string; size: number; bytes: number }[];
}

/** The VFS settings echoed by vfs/stats `opt` (rclone's option names). */
export interface VfsOptSummary {
  dirCacheTimeMs?: number;
  readChunkSize?: number;
  readChunkSizeLimit?: number;
  readOnly?: boolean;
  caseInsensitive?: boolean;
}

export interface RcContext {
  vfs: Pick<Vfs, 'refresh' | 'forget' | 'stats'>;
  coreStats: () => CoreStats;
  version: string;
  /** rclone's `fs` string of the served remote, e.g. 'fichier:'. */
  fs: string;
  vfsOpt: VfsOptSummary;
  /** Told of a refresh that failed (for the log). */
  onRefreshError(dir: string, err: unknown): void;
}

export type RcCall = (ctx: RcContext, params: RcParams) => Promise<unknown>;

/** The answer of vfs/refresh for one directory: "OK", or the error's code (ENOENT, ENOTDIR, EAGAIN, EIO...). */
async function refreshOne(ctx: RcContext, dir: string, recursive: boolean): Promise<string> {
  try {
    await ctx.vfs.refresh(dir, { recursive });
    return 'OK';
  } catch (err) {
    ctx.onRefreshError(dir, err);
    const code = (err as { code?: unknown } | null)?.code;
    return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : 'EIO';
  }
}

/** The string value of `key`, or RcError 400. */
function stringValue(key: string, value: unknown): string {
  if (typeof value !== 'string') throw new RcError(400, `value must be string "${key}"`);
  return value;
}

const vfsRefresh: RcCall = async (ctx, params) => {
  const recursive = boolParam(params, 'recursive') ?? false;
  const dirs = ownParams(params).filter(([k]) => k !== 'recursive');
  for (const [k] of dirs) if (!k.startsWith('dir')) throw new RcError(400, `unknown key "${k}"`);
  const result: Record<string, string> = {};
  if (dirs.length === 0) result[''] = await refreshOne(ctx, '', recursive);
  for (const [k, v] of dirs) {
    const dir = stringValue(k, v);
    result[dir] = await refreshOne(ctx, dir, recursive);
  }
  return { result };
};

const vfsForget: RcCall = async (ctx, params) => {
  const items = ownParams(params).map(([k, v]) => {
    if (!k.startsWith('file') && !k.startsWith('dir')) throw new RcError(400, `unknown key "${k}"`);
    return { isFile: k.startsWith('file'), path: validPath(stringValue(k, v)) };
  });
  if (items.length === 0) ctx.vfs.forget('');
  for (const { isFile, path } of items) ctx.vfs.forget(isFile ? parentOf(path) : path);
  return { forgotten: items.map((i) => i.path) };
};

/** `path` without slashes around it; RcError 400 for a '.' or '..' segment (nothing outside the root is named). */
function validPath(path: string): string {
  try {
    return normPath(path);
  } catch (err) {
    if (isFsError(err, 'EINVAL')) throw new RcError(400, `invalid path "${path}": "." and ".." segments are not allowed`);
    throw err;
  }
}

/**
 * rclone's vfs/stats shape from VfsStats. Exact: `fs`, `opt` (as configured). Approximations: `inUse` is the
 * number of open read and write streams (rclone: references to the VFS); `metadataCache.dirs` is the count of
 * listings fetched and `files` 0 (the cache does not count its entries); `diskCache` describes the write spool
 * (no disk cache of file contents): `uploadsInProgress` = writes not yet durable, `uploadsQueued` 0, the rest 0.
 * The raw counters are under `counters` (a fichier-dav addition).
 */
export function vfsStatsAnswer(ctx: Pick<RcContext, 'fs' | 'vfsOpt'>, s: VfsStats): Record<string, unknown> {
  const o = ctx.vfsOpt;
  return {
    fs: ctx.fs,
    inUse: s.activeReads + s.activeWrites,
    metadataCache: { dirs: s.listings, files: 0 },
    diskCache: {
      bytesUsed: 0,
      erroredFiles: 0,
      files: 0,
      hashType: 'whirlpool',
      outOfSpace: false,
      path: '',
      pathMeta: '',
      uploadsInProgress: s.activeWrites,
      uploadsQueued: 0,
    },
    opt: {
      CacheMode: 'off',
      ...(o.dirCacheTimeMs !== undefined ? { DirCacheTime: o.dirCacheTimeMs * 1e6 } : {}),
      ...(o.readChunkSize !== undefined ? { ChunkSize: o.readChunkSize } : {}),
      ...(o.readChunkSizeLimit !== undefined ? { ChunkSizeLimit: o.readChunkSizeLimit } : {}),
      ...(o.readOnly !== undefined ? { ReadOnly: o.readOnly } : {}),
      ...(o.caseInsensitive !== undefined ? { CaseInsensitive: o.caseInsensitive } : {}),
    },
    counters: { ...s },
  };
}

const vfsStats: RcCall = (ctx) => Promise.resolve(vfsStatsAnswer(ctx, ctx.vfs.stats()));

/** rclone's core/stats fields from CoreStats; counts we do not keep (checks, deletes, renames) are 0. */
export function coreStatsAnswer(c: CoreStats): Record<string, unknown> {
  const speed = c.elapsedTime > 0 ? c.bytes / c.elapsedTime : 0;
  const pending = c.transferring.reduce((n, t) => n + Math.max(0, t.size - t.bytes), 0);
  return {
    bytes: c.bytes,
    checks: 0,
    deletedDirs: 0,
    deletes: 0,
    elapsedTime: c.elapsedTime,
    errors: c.errors,
    eta: null,
    fatalError: false,
    renames: 0,
    retryError: c.errors > 0,
    speed,
    totalBytes: c.bytes + pending,
    totalChecks: 0,
    totalTransfers: c.transfers + c.transferring.length,
    transferTime: c.elapsedTime,
    transfers: c.transfers,
    transferring: c.transferring.map((t) => ({
      name: t.name,
      size: t.size,
      bytes: t.bytes,
      percentage: t.size > 0 ? Math.min(100, Math.floor((t.bytes * 100) / t.size)) : 0,
    })),
  };
}

const coreStats: RcCall = (ctx) => Promise.resolve(coreStatsAnswer(ctx.coreStats()));

const coreVersion: RcCall = (ctx) => {
  const decomposed = ctx.version
    .replace(/^v/, '')
    .split(/[.-]/)
    .slice(0, 3)
    .map((p) => Number.parseInt(p, 10) || 0);
  return Promise.resolve({
    version: ctx.version.startsWith('v') ? ctx.version : `v${ctx.version}`,
    decomposed,
    isGit: false,
    isBeta: ctx.version.includes('-'),
    os: process.platform,
    arch: process.arch,
    nodeVersion: process.version,
  });
};

const noop: RcCall = (_ctx, params) => Promise.resolve({ ...params });

/** The rc calls by path (no leading slash). */
export const RC_CALLS: Readonly<Record<string, RcCall>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, RcCall>, {
    'vfs/refresh': vfsRefresh,
    'vfs/forget': vfsForget,
    'vfs/stats': vfsStats,
    'core/stats': coreStats,
    'core/version': coreVersion,
    'rc/noop': noop,
  }),
);
