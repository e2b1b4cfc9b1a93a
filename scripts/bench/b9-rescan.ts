/**
 * B9 "library rescan": a media server scanning a library it already knows. The library (MP4 with the index at
 * the end, and MKV) is in the emulator; each server is mounted with `rclone mount` (FUSE, rclone's webdav
 * backend, mount defaults: no cache of file data on the mount side) and every file is probed in turn with the
 * real `ffprobe -v error -show_format -show_streams`, after a walk of the library folder, as a scan does.
 * Three configurations, each scanned three times: first scan, second scan (same server, same mount), scan after
 * restarting the server and the mount (ours on the same --cache-dir; rclone's full VFS cache on the same
 * --cache-dir). Per scan: API calls at the emulator by endpoint, bytes sent by its download host, wall time.
 * Also measured, on local copies under strace: which byte ranges ffprobe (and mediainfo, when present or
 * installable) read from a file, which sizes the head and tail a read cache must keep.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { walkFiles, type LibraryFile } from './library.ts';
import { mountWebdav } from './mount.ts';
import { patternText, readPattern } from './read-pattern.ts';
import { withServer, type ServerKind, type StartOptions } from './servers.ts';
import { aptInstall, which } from './tools.ts';
import { judge, metric, type BenchContext, type BenchItem, type Metric } from './types.ts';

const run = promisify(execFile);
const PROBE_ARGS = ['-v', 'error', '-show_format', '-show_streams'];
const JELLYFIN_ARGS = ['-analyzeduration', '200M', '-probesize', '1G', '-threads', '0', '-v', 'warning', '-print_format', 'json', '-show_streams', '-show_chapters', '-show_format', '-i'];
const MB = 1e6;

interface Scan {
  ms: number;
  calls: number;
  bytes: number;
  byRoute: Record<string, number>;
  probed: number;
  failed: number;
}

interface Config {
  label: string;
  kind: ServerKind;
  vendor: string;
  opts: (ctx: BenchContext) => StartOptions;
}

const CONFIGS: Config[] = [
  { label: 'ours', kind: 'ours', vendor: 'owncloud', opts: () => ({}) },
  { label: 'rclone', kind: 'rclone', vendor: 'other', opts: () => ({}) },
  { label: 'rclone-full', kind: 'rclone', vendor: 'other', opts: (ctx) => ({ args: ['--vfs-cache-mode', 'full', '--cache-dir', join(ctx.workDir, 'rclone-vfs-cache')] }) },
];

/** Walks the library on the mount and probes every file, one after the other. */
async function scan(ctx: BenchContext, mnt: string): Promise<Scan> {
  const c = ctx.emu.counter();
  const t0 = performance.now();
  const files = await walkFiles(join(mnt, ...ctx.fixtures.library!.root.split('/')));
  let failed = 0;
  for (const f of files) {
    try {
      await run('ffprobe', [...PROBE_ARGS, f], { timeout: 300_000, maxBuffer: 16 * 1024 * 1024 });
    } catch {
      failed += 1;
    }
  }
  const ms = performance.now() - t0;
  const d = c.delta();
  return { ms, calls: d.api, bytes: d.bytesOut, byRoute: d.byRoute, probed: files.length, failed };
}

/** The three scans of one configuration. */
async function scans(ctx: BenchContext, cfg: Config): Promise<Scan[]> {
  const opts = cfg.opts(ctx);
  const out: Scan[] = [];
  let cacheDir: string | undefined;
  for (const round of [1, 2] as const) {
    await withServer(ctx.servers, cfg.kind, { ...opts, ...(cacheDir ? { cacheDir } : {}) }, async (srv) => {
      cacheDir = srv.cacheDir;
      const mount = await mountWebdav(ctx.workDir, cfg.label, srv.url, cfg.vendor);
      try {
        for (let i = 0; i < (round === 1 ? 2 : 1); i++) {
          const s = await scan(ctx, mount.dir);
          out.push(s);
          ctx.log(`B9 ${cfg.label} scan ${out.length}: ${(s.ms / 1000).toFixed(1)} s, ${s.calls} API calls, ${(s.bytes / MB).toFixed(1)} MB downloaded, ${s.failed} of ${s.probed} probes failed`);
        }
      } finally {
        await mount.unmount();
      }
    });
  }
  return out;
}

/** What ffprobe and mediainfo read from a few files of the library (local copies, strace). */
async function readPatterns(ctx: BenchContext, out: { notes: string[] }): Promise<void> {
  if (!which('strace')) {
    out.notes.push('read pattern not measured: strace is missing (apt-get install strace)');
    return;
  }
  const files = ctx.fixtures.library!.files;
  const pick = (c: LibraryFile['container']) => {
    const of = files.filter((f) => f.container === c).sort((a, b) => a.bytes - b.bytes);
    return [...new Set([of[0], of[of.length - 1]])].filter((f): f is LibraryFile => f !== undefined);
  };
  const sample = [...pick('mp4'), ...pick('mkv')].map((f) => f.local).concat(ctx.fixtures.library!.samples);
  for (const f of sample) out.notes.push(`read pattern: ${patternText(await readPattern('ffprobe', 'ffprobe', PROBE_ARGS, f))}`);
  // What Jellyfin passes (its scans probe with a large analyze duration and probe size).
  for (const f of sample) out.notes.push(`read pattern: ${patternText(await readPattern('ffprobe (Jellyfin arguments)', 'ffprobe', JELLYFIN_ARGS, f))}`);
  let mediainfo = which('mediainfo');
  if (!mediainfo && ctx.allowInstall) {
    ctx.log('B9: mediainfo is missing; installing it with apt-get install -y mediainfo');
    mediainfo = aptInstall('mediainfo', 'mediainfo', (m) => ctx.log(`B9: ${m}`));
  }
  if (!mediainfo) {
    out.notes.push('mediainfo read pattern not measured: mediainfo is missing and installing was not allowed or failed');
    return;
  }
  for (const f of sample) out.notes.push(`read pattern: ${patternText(await readPattern('mediainfo', 'mediainfo', ['--Full'], f))}`);
}

const routes = (s: Scan): string =>
  Object.entries(s.byRoute)
    .map(([k, v]) => `${k.replace(/^\/v1\//, '').replace(/\.cgi$/, '')}=${v}`)
    .join(' ');

export const B9: BenchItem = {
  id: 'B9',
  title: 'library rescan: ffprobe of every file through rclone mount, three scans',
  async run(ctx, out) {
    const lib = ctx.fixtures.library;
    if (!lib) throw new Error('B9 fixtures were not prepared');
    for (const tool of ['ffprobe', 'fusermount3']) if (!which(tool)) throw new Error(`${tool} is missing (apt-get install ${tool === 'ffprobe' ? 'ffmpeg' : 'fuse3'})`);
    out.notes.push(`library: ${lib.files.length} files (${lib.files.filter((f) => f.container === 'mp4').length} MP4 with the index at the end, the rest MKV), ${(lib.totalBytes / MB).toFixed(0)} MB in all`);
    await readPatterns(ctx, out);
    const res: Record<string, Scan[]> = {};
    // The reference configuration can be left out (its three scans take ~25 minutes): the comparison and the
    // targets need ours and rclone's defaults only. The notes say when it was.
    if (ctx.b9NoReference) out.notes.push("rclone --vfs-cache-mode full (the reference column) not measured in this run");
    for (const cfg of CONFIGS.filter((c) => !ctx.b9NoReference || c.label !== 'rclone-full')) {
      res[cfg.label] = await scans(ctx, cfg);
      for (const [i, s] of res[cfg.label]!.entries()) {
        out.notes.push(
          `${cfg.label} scan ${i + 1}${i === 2 ? ' (after restarting server and mount)' : ''}: ${(s.ms / 1000).toFixed(1)} s, ${s.probed} files probed (${s.failed} failed), ` +
            `${(s.bytes / MB).toFixed(1)} MB downloaded, calls: ${routes(s) || 'none'}`,
        );
      }
    }
    const scanNames = ['first scan', 'second scan', 'scan after restart'];
    const full = res['rclone-full'];
    const row = (i: number, name: string, unit: string, pick: (s: Scan) => number): Metric =>
      metric(`${scanNames[i]}: ${name}`, unit, 'lower', res.ours?.[i] ? pick(res.ours[i]) : null, res.rclone?.[i] ? pick(res.rclone[i]) : null, {
        ...(full?.[i] ? { reference: { label: 'rclone, --vfs-cache-mode full', value: pick(full[i]) } } : {}),
      });
    for (let i = 0; i < 3; i++) {
      const calls = row(i, 'API calls', 'calls', (s) => s.calls);
      const bytes = row(i, 'bytes from 1fichier', 'MB', (s) => s.bytes / MB);
      if (i === 0) out.metrics.push(calls, judge(bytes, '≤ 0.5× rclone', (m) => m.ratio !== null && m.ratio <= 0.5));
      else out.metrics.push(judge(calls, 'ours = 0', (m) => m.ours === 0), judge(bytes, 'ours = 0', (m) => m.ours === 0));
      out.metrics.push(row(i, 'wall time', 's', (s) => s.ms / 1000));
    }
  },
};
