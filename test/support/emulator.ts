import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FichierClient, type FichierClientOptions } from '../../src/api/client.ts';
import { createPacer, type Pacer, type PacerOptions } from '../../src/api/pacer.ts';
import { isPacer } from '../../src/app/stack.ts';
import { gatewayTimings, pacerTimings } from '../../src/app/timings.ts';
import { createEmulator, type CallRecord, type Emulator, type EmulatorOptions, type EmulatorStats } from '../../src/emulator/index.ts';
import { Secret } from '../../src/util/secret.ts';

/** A running emulator on 127.0.0.1:<random port> for one test file, with its proxy CA on disk. */
export interface TestEmulator {
  emulator: Emulator;
  url: string;
  apiBase: string;
  port: number;
  key: string;
  caFile: string;
  dir: string;
  admin<T = unknown>(path: string, body?: unknown): Promise<T>;
  /** POST /v1/<path> with the key and a JSON body; the parsed answer. Throws unless HTTP 200. */
  api<T = unknown>(path: string, body: unknown): Promise<T>;
  stats(): Promise<EmulatorStats>;
  /** Every call the emulator received at or after `sinceMs` (its clock), oldest first. */
  calls(sinceMs: number): Promise<CallRecord[]>;
  /** A new counter of this emulator's calls (see CallCounter). */
  counter(): CallCounter;
  /**
   * What folder `folderId` (0 = root) holds now, as stored: not a listing, so no listing rule counts it and no
   * consistency delay hides a file. For checks of the truth in suites that run the realistic rules.
   */
  stored(folderId?: number): Promise<StoredFolder>;
  /** An API client of this emulator (the test pacer, testPacer(), unless `opts.pacer` says otherwise), closed by `stop()`. */
  client(opts?: ClientOptions): FichierClient;
  /** Closes the clients and the emulator, and removes the temp files. */
  stop(): Promise<void>;
}

export interface ClientOptions extends Omit<FichierClientOptions, 'apiKey' | 'baseUrl' | 'pacer'> {
  /** Options over testPacer(), or a pacer of the caller's. */
  pacer?: PacerOptions | Pacer;
  /** Another key than the emulator's (for auth errors). */
  key?: string;
}

/**
 * Counts of an emulator's calls by path ('/v1/folder/ls.cgi', 'download', ...) over a window, for tests that
 * assert what an operation cost; `total` is the API calls (downloads are not API calls).
 */
export interface CallCounter {
  /** Starts a new window. */
  mark(): Promise<void>;
  /** The non-zero counts since the last `mark()` (before the first: since the emulator started). */
  since(): Promise<Record<string, number>>;
}

export type { CallRecord, EmulatorStats };

export interface StoredFolder {
  files: { filename: string; url: string; size: number }[];
  folders: { id: number; name: string }[];
}

/** A recognisable, valid-looking 32-character key that tests grep for. */
export const TEST_KEY = 'TestKey_fichierdav_0123456789_xyz';

/**
 * The time scale of the end-to-end tests: the emulator plays the real service's rules (realistic profile) this
 * many times faster, and the gateway's budget is scaled the same way, so every suite proves the gateway lives
 * within the rules (3 s between listings becomes 30 ms, 30 s per folder 300 ms, a 5 min ban 3 s).
 */
export const TEST_TIME_SCALE = 0.01;

/** Pacer options of a test client or stack: the gateway's timings at TEST_TIME_SCALE, calls 1 ms apart. */
export function testPacer(over: PacerOptions = {}): PacerOptions {
  return { ...pacerTimings(gatewayTimings(TEST_TIME_SCALE)), minIntervalMs: 1, ...over };
}

/**
 * The realistic profile at TEST_TIME_SCALE unless `opts` say otherwise (a suite that needs the lenient one says
 * why where it asks for it).
 */
export async function startEmulator(opts: Partial<EmulatorOptions> & { persistent?: boolean } = {}): Promise<TestEmulator> {
  const dir = mkdtempSync(join(tmpdir(), 'fdav-emu-'));
  const key = opts.apiKey ?? TEST_KEY;
  const emulator = await createEmulator({ profile: 'realistic', timeScale: TEST_TIME_SCALE, ...opts, apiKey: key, dataDir: opts.persistent ? join(dir, 'data') : opts.dataDir });
  const caFile = join(dir, 'ca.pem');
  const { url, port } = await emulator.listen({ host: '127.0.0.1', port: 0, caOut: caFile });
  const admin = emulatorAdmin(url);
  const clients: FichierClient[] = [];
  const client = ({ pacer = {}, key: other, ...rest }: ClientOptions = {}): FichierClient => {
    const own = isPacer(pacer) ? pacer : createPacer(testPacer(pacer));
    const c = new FichierClient({ ...rest, apiKey: new Secret(other ?? key), baseUrl: `${url}/v1`, pacer: own });
    clients.push(c);
    return c;
  };
  return {
    emulator,
    url,
    apiBase: `${url}/v1`,
    port,
    key,
    caFile,
    dir,
    admin,
    api: async <T,>(path: string, body: unknown): Promise<T> => {
      const res = await fetch(`${url}/v1/${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (res.status !== 200) throw new Error(`emulator ${path}: HTTP ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
    stats: () => admin<EmulatorStats>('stats'),
    calls: async (sinceMs) => (await admin<CallRecord[]>(`calls?since=${sinceMs}`)).filter((c) => c.t >= sinceMs),
    client,
    counter: () => callCounter(() => admin<EmulatorStats>('stats')),
    stored: (folderId = 0) => admin<StoredFolder>(`stored?folder=${folderId}`),
    stop: async () => {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await emulator.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The admin controls of the emulator at `url`: GET (no body) or POST (JSON body) /_emulator/<path>, resolving
 * with the JSON answer; rejects on a non-2xx answer.
 */
export function emulatorAdmin(url: string): <T = unknown>(path: string, body?: unknown) => Promise<T> {
  return async <T,>(path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${url}/_emulator/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`emulator admin ${path}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
}

function callCounter(stats: () => Promise<EmulatorStats>): CallCounter {
  const snapshot = async (): Promise<Record<string, number>> => {
    const s = await stats();
    return { ...s.calls, total: s.total };
  };
  let base: Record<string, number> = {};
  return {
    mark: async () => {
      base = await snapshot();
    },
    since: async () => {
      const out: Record<string, number> = {};
      for (const [k, v] of Object.entries(await snapshot())) if (v !== (base[k] ?? 0)) out[k] = v - (base[k] ?? 0);
      return out;
    },
  };
}

/** The most of `times` (ms) that fall in any one-second window (t - 1000, t]: what a per-second rate limit counts. */
export function busiestSecond(times: number[]): number {
  const s = [...times].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < s.length; hi++) {
    while (s[hi]! - s[lo]! >= 1000) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}
