/**
 * B8: an account whose metadata store already holds a million entries. Our server starts on a copy of the B8
 * store template (a fresh --cache-dir each time) and, for comparison, on an empty store; rclone starts as
 * usual (it keeps no listing across starts). For each: RSS at idle (1 s after the listening line), then one
 * PROPFIND Depth 1 of a folder nobody listed yet (cold: every server must ask the API), its time and calls,
 * and RSS 1 s after. What this shows: neither the idle memory nor the cost of a new folder grows with the
 * size of the account.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { storePathFor } from '../../src/store/location.ts';
import { propfind } from './dav.ts';
import { timelineText } from './emulator.ts';
import { withServer, type ServerKind } from './servers.ts';
import { dirBytes } from './procs.ts';
import { judge, metric, type BenchItem } from './types.ts';

const MB = 1e6;
const settle = () => new Promise((r) => setTimeout(r, 1000));

interface Run {
  idle: number;
  ms: number;
  calls: number;
  after: number;
  store?: number;
}

export const B8: BenchItem = {
  id: 'B8',
  title: 'a million entries in the metadata store: idle memory and a cold folder',
  async run(ctx, out) {
    const fx = ctx.fixtures.store;
    if (!fx) throw new Error('B8 fixtures were not prepared');
    const { path, files } = fx.coldFolder;
    const measure = async (label: string, kind: ServerKind, seeded: boolean): Promise<Run> => {
      let cacheDir: string | undefined;
      if (seeded) {
        cacheDir = join(ctx.workDir, `cache-b8-${Date.now()}`);
        const file = storePathFor({ cacheDir, apiBase: ctx.emu.apiBase, apiKey: ctx.emu.key });
        mkdirSync(dirname(file), { recursive: true });
        copyFileSync(fx.template, file);
      }
      return withServer(ctx.servers, kind, cacheDir ? { cacheDir } : {}, async (srv) => {
        await settle();
        const idle = srv.rss.sample() / MB;
        const c = ctx.emu.counter();
        const p = await propfind(srv.url, path, '1');
        const d = c.delta();
        await settle();
        const after = srv.rss.sample() / MB;
        const store = srv.cacheDir ? dirBytes(srv.cacheDir) / MB : undefined;
        out.notes.push(
          `${label}: idle RSS ${idle.toFixed(1)} MB; PROPFIND HTTP ${p.status}, ${p.children.length} entries (expected ${files}) in ${p.ms.toFixed(0)} ms; ` +
            `RSS after ${after.toFixed(1)} MB${store !== undefined ? `; store on disk ${store.toFixed(0)} MB` : ''}; calls: ${timelineText(d)}`,
        );
        ctx.log(`B8 ${label}: idle ${idle.toFixed(0)} MB, PROPFIND ${p.ms.toFixed(0)} ms, ${d.api} calls, after ${after.toFixed(0)} MB`);
        return { idle, ms: p.ms, calls: d.api, after, ...(store !== undefined ? { store } : {}) };
      });
    };
    out.notes.push(`${fx.storedEntries} entries in the store template; the cold folder has ${files} files`);
    const empty = await measure('ours, empty store', 'ours', false);
    const full = await measure(`ours, store of ${fx.storedEntries} entries`, 'ours', true);
    const rc = await measure('rclone', 'rclone', false);
    out.metrics.push(
      judge(metric('idle RSS, million-entry store', 'MB', 'lower', full.idle, rc.idle, { reference: { label: 'ours, empty store', value: empty.idle } }), 'ours ≤ 70 MB', (m) => m.ours !== null && m.ours <= 70),
    );
    out.metrics.push(judge(metric('idle RSS added by the store', 'MB', 'lower', full.idle - empty.idle, null), 'ours ≤ 5 MB', (m) => m.ours !== null && m.ours <= 5));
    // Not "≤ 0.5× rclone" as for B1: a 5,000-entry folder hits folder/ls's cap, so we need file/ls too (5 paced calls
    // against rclone's 8). What B8 shows is that the time does not depend on what the store already holds.
    out.metrics.push(
      judge(
        metric('cold PROPFIND Depth 1 time', 'ms', 'lower', full.ms, rc.ms, { reference: { label: 'ours, empty store', value: empty.ms } }),
        '≤ 1.1× ours on an empty store',
        (m) => m.ours !== null && m.ours <= 1.1 * empty.ms,
      ),
    );
    out.metrics.push(metric('cold PROPFIND API calls', 'calls', 'lower', full.calls, rc.calls, { reference: { label: 'ours, empty store', value: empty.calls } }));
    out.metrics.push(
      judge(metric('RSS after the cold PROPFIND', 'MB', 'lower', full.after, rc.after, { reference: { label: 'ours, empty store', value: empty.after } }), '≤ 1.0× rclone', (m) => m.ratio !== null && m.ratio <= 1),
    );
    // What the cold listing adds, with a million entries stored against none: the cost must not grow with the
    // account. (The line above compares absolute RSS with rclone, whose idle is far below ours.)
    out.metrics.push(
      judge(
        metric('RSS the cold PROPFIND adds above idle', 'MB', 'lower', full.after - full.idle, rc.after - rc.idle, { reference: { label: 'ours, empty store', value: empty.after - empty.idle } }),
        '≤ ours on an empty store + 10 MB',
        (m) => m.ours !== null && m.ours <= empty.after - empty.idle + 10,
      ),
    );
    out.metrics.push(metric('metadata store on disk', 'MB', 'lower', full.store ?? null, null));
  },
};
