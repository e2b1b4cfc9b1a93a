/**
 * B6: warm PROPFIND Depth 1 of the big folder from `loadClients` concurrent clients for `loadSeconds` per
 * server (after two warm-up PROPFINDs): requests per second.
 * B7: a freshly started server walks the many-entries folders (one PROPFIND Depth 1 each), so every entry is
 * cached; then its RSS (and the peak during the walk) and, for ours, the metadata store's size on disk.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { davUrl, propfind, walk } from './dav.ts';
import { loadGenerator } from './load.ts';
import { dirBytes } from './procs.ts';
import { withServer } from './servers.ts';
import { judge, KINDS, metric, type BenchItem } from './types.ts';

const MB = 1e6;

export const B6: BenchItem = {
  id: 'B6',
  title: 'warm PROPFIND Depth 1 of the big folder under concurrent load',
  async run(ctx, out) {
    const gen = loadGenerator(ctx.workDir, ctx.allowInstall, ctx.log);
    ctx.facts.loadGenerator = gen.name;
    out.notes.push(`load generator: ${gen.name}, ${ctx.sizes.loadClients} connections, ${ctx.sizes.loadSeconds} s per server`);
    const rps: Record<string, number> = {};
    for (const kind of KINDS) {
      await withServer(ctx.servers, kind, {}, async (srv) => {
        const path = ctx.fixtures.bigFolder.path;
        await propfind(srv.url, path, '1');
        // The warm answer's bytes, with the server's own base URL replaced (the port changes per start): kept in
        // the work dir and hashed in the notes, so a change of the listing code can show it answers the same bytes.
        const warm = (await propfind(srv.url, path, '1')).body.split(srv.url.replace(/\/$/, '')).join('BASE');
        const xmlFile = join(ctx.workDir, `b6-propfind-${kind}.xml`);
        writeFileSync(xmlFile, warm);
        out.notes.push(`${kind}: warm answer ${Buffer.byteLength(warm)} bytes, sha256 ${createHash('sha256').update(warm).digest('hex')} (base URL replaced by BASE; saved as ${xmlFile})`);
        const c = ctx.emu.counter();
        const r = await gen.run(davUrl(srv.url, path, true), ctx.sizes.loadClients, ctx.sizes.loadSeconds);
        const d = c.delta();
        rps[kind] = r.rps;
        out.notes.push(`${kind}: ${r.requests} requests, ${r.errors} errors, API calls during the load ${d.api}`);
        ctx.log(`B6 ${kind}: ${r.rps.toFixed(1)} req/s (${r.errors} errors)`);
      });
    }
    out.metrics.push(judge(metric('requests per second', 'req/s', 'higher', rps.ours ?? null, rps.rclone ?? null), '≥ 5× rclone', (m) => m.ratio !== null && m.ratio >= 5));
  },
};

export const B7: BenchItem = {
  id: 'B7',
  title: 'memory with every entry of the many-entries folders cached',
  async run(ctx, out) {
    const { path, files, folders } = ctx.fixtures.many;
    const rss: Record<string, number> = {};
    const idleRss: Record<string, number> = {};
    const peak: Record<string, number> = {};
    const ms: Record<string, number> = {};
    const calls: Record<string, number> = {};
    let store: number | null = null;
    for (const kind of KINDS) {
      await withServer(ctx.servers, kind, {}, async (srv) => {
        await new Promise((r) => setTimeout(r, 1000));
        const idle = srv.rss.sample() / MB;
        idleRss[kind] = idle;
        srv.rss.resetPeak();
        const c = ctx.emu.counter();
        const w = await walk(srv.url, path);
        calls[kind] = c.delta().api;
        ms[kind] = w.ms;
        await new Promise((r) => setTimeout(r, 1000));
        rss[kind] = srv.rss.sample() / MB;
        peak[kind] = srv.rss.peak() / MB;
        if (kind === 'ours' && srv.cacheDir) store = dirBytes(srv.cacheDir) / MB;
        out.notes.push(`${kind}: RSS ${idle.toFixed(0)} MB 1 s after start; ${w.requests} PROPFINDs (${w.failures} not 207), found ${w.files} files in ${w.folders} folders (expected ${files} in ${folders})`);
        ctx.log(`B7 ${kind}: RSS ${rss[kind]!.toFixed(0)} MB (peak ${peak[kind]!.toFixed(0)} MB) after ${(w.ms / 1000).toFixed(1)} s, ${calls[kind]} calls`);
      });
    }
    out.notes.push(`${files + folders} entries cached; the metadata store size is ours only (rclone keeps listings in memory: n/a)`);
    out.metrics.push(judge(metric('idle RSS 1 s after start', 'MB', 'lower', idleRss.ours ?? null, idleRss.rclone ?? null), 'ours ≤ 70 MB', (m) => m.ours !== null && m.ours <= 70));
    out.metrics.push(
      judge(metric('RSS with every entry cached', 'MB', 'lower', rss.ours ?? null, rss.rclone ?? null), 'ours ≤ 300 MB and ≤ 1.0× rclone', (m) => m.ours !== null && m.ours <= 300 && m.ratio !== null && m.ratio <= 1),
    );
    out.metrics.push(metric('peak RSS during the walk', 'MB', 'lower', peak.ours ?? null, peak.rclone ?? null));
    out.metrics.push(metric('metadata store on disk', 'MB', 'lower', store, null));
    out.metrics.push(metric('walk time', 'ms', 'lower', ms.ours ?? null, ms.rclone ?? null));
    out.metrics.push(metric('API calls', 'calls', 'lower', calls.ours ?? null, calls.rclone ?? null));
  },
};
