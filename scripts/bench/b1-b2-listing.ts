/**
 * B1: cold PROPFIND Depth 1 of the big folder, each server freshly started with empty caches; once with the
 * emulator's limits off (as every other item runs), once under the real service's listing and ban rules (what
 * a cold listing costs a client that must not get the key banned, and what happens to one that ignores them).
 * B2: cold breadth-first walk of the tree (one PROPFIND Depth 1 per folder), then the same walk after a
 * restart (ours on the same --cache-dir; rclone has no persistent listing cache).
 */
import { propfind, walk, type WalkResult } from './dav.ts';
import { timelineText } from './emulator.ts';
import { withServer } from './servers.ts';
import { judge, KINDS, metric, type BenchContext, type BenchItem, type ItemResult } from './types.ts';

const ratioAtMost = (max: number) => (m: { ratio: number | null }) => m.ratio !== null && m.ratio <= max;

export const B1: BenchItem = {
  id: 'B1',
  title: 'cold PROPFIND Depth 1 of the big folder',
  async run(ctx, out) {
    const { path, files, dirs } = ctx.fixtures.bigFolder;
    const ms: Record<string, number> = {};
    const calls: Record<string, number> = {};
    for (const kind of KINDS) {
      await withServer(ctx.servers, kind, {}, async (srv) => {
        const c = ctx.emu.counter();
        const p = await propfind(srv.url, path, '1');
        const d = c.delta();
        ms[kind] = p.ms;
        calls[kind] = d.api;
        out.notes.push(`${kind}: HTTP ${p.status}, ${p.children.length} entries (expected ${files + dirs}), ${(p.bytes / 1e6).toFixed(2)} MB of XML; calls (arrival after the request was sent): ${timelineText(d)}`);
        ctx.log(`B1 ${kind}: ${p.ms.toFixed(0)} ms, ${d.api} calls`);
      });
    }
    out.metrics.push(judge(metric('wall time', 'ms', 'lower', ms.ours ?? null, ms.rclone ?? null), '≤ 0.5× rclone', ratioAtMost(0.5)));
    out.metrics.push(judge(metric('API calls', 'calls', 'lower', calls.ours ?? null, calls.rclone ?? null), '≤ 0.5× rclone', ratioAtMost(0.5)));
    await underRealRules(ctx, out);
  },
};

/**
 * The same cold PROPFIND under the real rules (a listing every 3 s, one folder every 30 s, a 5-minute ban for a
 * broken rule; at a tenth in quick mode, as our listing budget is then). A client that breaks them is banned and
 * retries into the ban: the answer is waited for at most REAL_RULES_WAIT_MS.
 */
const REAL_RULES_WAIT_MS = { full: 90_000, quick: 15_000 };

async function underRealRules(ctx: BenchContext, out: ItemResult): Promise<void> {
  const { path, files, dirs } = ctx.fixtures.bigFolder;
  const waitMs = ctx.quick ? REAL_RULES_WAIT_MS.quick : REAL_RULES_WAIT_MS.full;
  const r: Record<string, { ms: number; bans: number; complete: boolean }> = {};
  for (const kind of KINDS) {
    await ctx.emu.withRealRules(ctx.quick ? 0.1 : 1, () =>
      withServer(ctx.servers, kind, {}, async (srv) => {
        const c = ctx.emu.counter();
        const p = await propfind(srv.url, path, '1', waitMs);
        const d = c.delta();
        const complete = p.status === 207 && p.children.length === files + dirs;
        r[kind] = { ms: p.ms, bans: d.bans, complete };
        const answer = p.status === 0 ? `no answer within ${waitMs / 1000} s` : `HTTP ${p.status}, ${p.children.length} entries (expected ${files + dirs})`;
        out.notes.push(`${kind}, real rules: ${answer}; ${d.bans} bans, ${d.refused} calls refused; calls: ${timelineText(d)}`);
        ctx.log(`B1 ${kind} under the real rules: ${answer} after ${p.ms.toFixed(0)} ms, ${d.api} calls, ${d.bans} bans`);
      }),
    );
  }
  const ours = r.ours;
  out.metrics.push(judge(metric('bans under the real rules', 'bans', 'lower', ours?.bans ?? null, r.rclone?.bans ?? null), 'ours = 0', (m) => m.ours === 0));
  out.metrics.push(
    judge(
      metric('time to a complete listing under the real rules', 'ms', 'lower', ours?.complete ? ours.ms : null, r.rclone?.complete ? r.rclone.ms : null),
      `ours complete, ≤ 1.0× rclone or rclone none within ${waitMs / 1000} s`,
      (m) => m.ours !== null && (m.rclone === null || (m.ratio !== null && m.ratio <= 1)),
    ),
  );
}

export const B2: BenchItem = {
  id: 'B2',
  title: 'recursive walk of the tree (media scan), cold then after a restart',
  async run(ctx, out) {
    const { path, folders, files } = ctx.fixtures.tree;
    const res: Record<string, { cold: WalkResult; coldCalls: number; warm: WalkResult; warmCalls: number }> = {};
    for (const kind of KINDS) {
      const measure = async (cacheDir: string | undefined) =>
        withServer(ctx.servers, kind, cacheDir === undefined ? {} : { cacheDir }, async (srv) => {
          const c = ctx.emu.counter();
          const w = await walk(srv.url, path);
          return { w, calls: c.delta().api, cacheDir: srv.cacheDir };
        });
      const cold = await measure(undefined);
      ctx.log(`B2 ${kind} cold: ${(cold.w.ms / 1000).toFixed(1)} s, ${cold.calls} calls`);
      const warm = await measure(cold.cacheDir);
      ctx.log(`B2 ${kind} restarted: ${(warm.w.ms / 1000).toFixed(1)} s, ${warm.calls} calls`);
      res[kind] = { cold: cold.w, coldCalls: cold.calls, warm: warm.w, warmCalls: warm.calls };
      for (const [label, w] of [['cold', cold.w], ['restarted', warm.w]] as const) {
        out.notes.push(`${kind} ${label}: ${w.requests} PROPFINDs (${w.failures} not 207), found ${w.folders} folders / ${w.files} files (expected ${folders} / ${files})`);
      }
    }
    const o = res.ours;
    const r = res.rclone;
    out.metrics.push(judge(metric('cold walk time', 'ms', 'lower', o?.cold.ms ?? null, r?.cold.ms ?? null), '≤ 0.5× rclone', ratioAtMost(0.5)));
    out.metrics.push(metric('cold walk API calls', 'calls', 'lower', o?.coldCalls ?? null, r?.coldCalls ?? null));
    out.metrics.push(metric('walk time after restart', 'ms', 'lower', o?.warm.ms ?? null, r?.warm.ms ?? null));
    out.metrics.push(judge(metric('API calls after restart', 'calls', 'lower', o?.warmCalls ?? null, r?.warmCalls ?? null), 'ours = 0', (m) => m.ours === 0));
  },
};
