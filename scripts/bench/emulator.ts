/**
 * The emulator as the bench runs it: in this process, on 127.0.0.1, proxy mode on (for rclone), a fixed API
 * latency, politeness limits off, and the bandwidth cap on download and upload bodies. API calls are counted
 * from its stats (a snapshot before and after each measurement).
 */
import { join } from 'node:path';
import { createEmulator, type Emulator } from '../../src/emulator/index.ts';
import { profileValues } from '../../src/emulator/profile.ts';
import { BENCH_KEY, CONDITIONS } from './config.ts';

/** Calls seen by the emulator between two snapshots. */
export interface CallDelta {
  /** /v1 API calls. */
  api: number;
  /** Per route ("/v1/folder/ls.cgi", "/upload.cgi", "download", ...). */
  byRoute: Record<string, number>;
  /** Body bytes the download host sent (what was pulled from "1fichier"). */
  bytesOut: number;
  /** Bans the key earned, and calls refused by a ban or a broken rule (only under the real rules). */
  bans: number;
  refused: number;
  /** Every call (API, upload node, download host) in arrival order: ms after the counter started, route, HTTP status. */
  timeline: { atMs: number; path: string; status: number }[];
}

/** A compact "route@+ms" list of a timeline (for notes). */
export function timelineText(d: CallDelta): string {
  return d.timeline.map((c) => `${c.path.replace(/^\/v1\//, '').replace(/\.cgi$/, '')}@+${c.atMs.toFixed(0)}`).join(' ');
}

export interface BenchEmulator {
  url: string;
  apiBase: string;
  port: number;
  key: string;
  /** The proxy CA certificate rclone must trust. */
  caFile: string;
  /** Starts counting now; `delta()` returns the calls since. */
  counter(): { delta(): CallDelta };
  /**
   * Runs `fn` under the real service's listing and ban rules (the realistic profile's limits at `timeScale`),
   * then turns the rules off again. Bans and rule history are forgotten before and after, so neither the
   * measurement nor the items after it inherit a ban.
   */
  withRealRules<T>(timeScale: number, fn: () => Promise<T>): Promise<T>;
  /** A fresh download URL for `path` on this emulator's plain port (get_token, then the token path). */
  downloadUrl(path: string): Promise<string>;
  close(): Promise<void>;
}

interface FolderLs {
  sub_folders?: { id: number; name: string }[];
  items?: { url: string; filename: string }[];
}

/** Opens the seeded data dir and listens. Rejects when the data dir or the port cannot be used. */
export async function startBenchEmulator(dataDir: string, workDir: string): Promise<BenchEmulator> {
  const emulator: Emulator = await createEmulator({ apiKey: BENCH_KEY, dataDir, profile: 'lenient', latencyMs: CONDITIONS.apiLatencyMs });
  const caFile = join(workDir, 'emulator-ca.pem');
  let url: string;
  let port: number;
  try {
    ({ url, port } = await emulator.listen({ host: '127.0.0.1', port: 0, caOut: caFile, proxy: true }));
  } catch (err) {
    await emulator.close();
    throw err;
  }
  emulator.control.setFaults({ bandwidth: { downBytesPerSec: CONDITIONS.bandwidthBytesPerSec, upBytesPerSec: CONDITIONS.bandwidthBytesPerSec } });
  const apiBase = `${url}/v1`;

  const api = async <T>(path: string, body: unknown): Promise<T> => {
    const res = await fetch(`${apiBase}/${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BENCH_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`emulator ${path}: HTTP ${res.status}`);
    return (await res.json()) as T;
  };

  return {
    url,
    apiBase,
    port,
    key: BENCH_KEY,
    caFile,
    counter() {
      const before = emulator.stats();
      const since = Date.now();
      return {
        delta() {
          const after = emulator.stats();
          const byRoute: Record<string, number> = {};
          for (const [k, v] of Object.entries(after.calls)) {
            const d = v - (before.calls[k] ?? 0);
            if (d) byRoute[k] = d;
          }
          const timeline = emulator.control.calls(since).map((c) => ({ atMs: c.t - since, path: c.path, status: c.status }));
          const refused = (st: typeof after): number => Object.values(st.refusedByRule).reduce((a, b) => a + (b ?? 0), 0);
          return { api: after.total - before.total, byRoute, bytesOut: after.bytesOut - before.bytesOut, bans: after.bans - before.bans, refused: refused(after) - refused(before), timeline };
        },
      };
    },
    async withRealRules(timeScale, fn) {
      emulator.control.resetLimits();
      emulator.control.setLimits(profileValues('realistic', timeScale).limits);
      try {
        return await fn();
      } finally {
        emulator.control.setLimits(profileValues('lenient', 1).limits);
        emulator.control.resetLimits();
      }
    },
    async downloadUrl(path) {
      const parts = path.split('/');
      const name = parts.pop()!;
      let folderId = 0;
      let ls: FolderLs = await api<FolderLs>('folder/ls.cgi', { folder_id: 0, files: 1 });
      for (const p of parts) {
        const sub = ls.sub_folders?.find((f) => f.name === p);
        if (!sub) throw new Error(`emulator: no folder ${p} in ${path}`);
        folderId = sub.id;
        ls = await api<FolderLs>('folder/ls.cgi', { folder_id: folderId, files: 1 });
      }
      const file = ls.items?.find((f) => f.filename === name);
      if (!file) throw new Error(`emulator: no file ${path}`);
      const token = await api<{ url: string }>('download/get_token.cgi', { url: file.url });
      return `${url}${new URL(token.url).pathname}`;
    },
    close: () => emulator.close(),
  };
}
