/**
 * B3: sequential GET of the big file through each server, and with curl straight from the emulator's download
 * URL (get_token, then the token path on the plain port): the physical limit under the bandwidth cap.
 * B4: Range GETs of `rangeBytes` at seeded random offsets, one after the other: median time to first byte.
 * Both warm the parent folder's listing first (one PROPFIND Depth 1) so the numbers are about reading.
 */
import { seededRandom } from '../../src/util/random.ts';
import { CONDITIONS } from './config.ts';
import { curlGet, davUrl, propfind } from './dav.ts';
import { timelineText } from './emulator.ts';
import { withServer } from './servers.ts';
import { judge, KINDS, metric, type BenchContext, type BenchItem } from './types.ts';

const parentOf = (p: string): string => p.slice(0, Math.max(0, p.lastIndexOf('/')));
const mbps = (bytes: number, ms: number): number => bytes / 1e6 / (ms / 1000);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Seeded offsets of the B4 ranges (same for both servers and every run). */
export function rangeOffsets(ctx: BenchContext): number[] {
  const rnd = seededRandom(CONDITIONS.rangeSeed);
  const span = ctx.fixtures.bigFile.bytes - ctx.sizes.rangeBytes;
  return Array.from({ length: ctx.sizes.ranges }, () => Math.floor(rnd() * span));
}

export const B3: BenchItem = {
  id: 'B3',
  title: 'sequential GET of the big file',
  async run(ctx, out) {
    const { path, bytes } = ctx.fixtures.bigFile;
    const direct = await curlGet(await ctx.emu.downloadUrl(path));
    const curl = mbps(direct.bytes, direct.totalMs);
    out.notes.push(`curl on the emulator's download URL: HTTP ${direct.code}, ${direct.bytes} bytes in ${(direct.totalMs / 1000).toFixed(2)} s`);
    ctx.log(`B3 curl direct: ${curl.toFixed(1)} MB/s`);
    const speed: Record<string, number> = {};
    for (const kind of KINDS) {
      await withServer(ctx.servers, kind, {}, async (srv) => {
        await propfind(srv.url, parentOf(path), '1');
        const c = ctx.emu.counter();
        const r = await curlGet(davUrl(srv.url, path));
        const d = c.delta();
        speed[kind] = mbps(r.bytes, r.totalMs);
        out.notes.push(`${kind}: HTTP ${r.code}, ${r.bytes} of ${bytes} bytes in ${(r.totalMs / 1000).toFixed(2)} s (first byte after ${r.ttfbMs.toFixed(0)} ms); calls: ${timelineText(d)}`);
        if (r.bytes !== bytes) out.notes.push(`${kind}: short body`);
        ctx.log(`B3 ${kind}: ${speed[kind]!.toFixed(1)} MB/s`);
      });
    }
    const m = metric('GET throughput', 'MB/s', 'higher', speed.ours ?? null, speed.rclone ?? null, { reference: { label: 'curl direct', value: curl } });
    out.metrics.push(judge(m, '≥ 0.9× curl and ≥ 1.0× rclone', (x) => x.ours !== null && x.ratio !== null && x.ours >= 0.9 * curl && x.ratio >= 1));
  },
};

export const B4: BenchItem = {
  id: 'B4',
  title: 'Range GETs at random offsets in the big file',
  async run(ctx, out) {
    const { path } = ctx.fixtures.bigFile;
    const len = ctx.sizes.rangeBytes;
    const offsets = rangeOffsets(ctx);
    const ttfb: Record<string, number> = {};
    const total: Record<string, number> = {};
    const calls: Record<string, number> = {};
    for (const kind of KINDS) {
      await withServer(ctx.servers, kind, {}, async (srv) => {
        await propfind(srv.url, parentOf(path), '1');
        const c = ctx.emu.counter();
        const firsts: number[] = [];
        const totals: number[] = [];
        let bad = 0;
        for (const o of offsets) {
          const r = await curlGet(davUrl(srv.url, path), [o, o + len - 1]);
          if (r.code !== 206 || r.bytes !== len) bad += 1;
          firsts.push(r.ttfbMs);
          totals.push(r.totalMs);
        }
        const d = c.delta();
        ttfb[kind] = median(firsts);
        total[kind] = median(totals);
        calls[kind] = d.api;
        out.notes.push(`${kind}: ${offsets.length} ranges, ${bad} not 206 with ${len} bytes; TTFB min ${Math.min(...firsts).toFixed(0)} / max ${Math.max(...firsts).toFixed(0)} ms; calls ${JSON.stringify(d.byRoute)}`);
        ctx.log(`B4 ${kind}: median TTFB ${ttfb[kind]!.toFixed(0)} ms, ${d.api} calls`);
      });
    }
    out.metrics.push(judge(metric('median time to first byte', 'ms', 'lower', ttfb.ours ?? null, ttfb.rclone ?? null), '≤ 0.5× rclone', (m) => m.ratio !== null && m.ratio <= 0.5));
    out.metrics.push(metric('median time per range', 'ms', 'lower', total.ours ?? null, total.rclone ?? null));
    out.metrics.push(metric('API calls', 'calls', 'lower', calls.ours ?? null, calls.rclone ?? null));
  },
};
