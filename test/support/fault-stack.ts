import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import type { Pacer, PacerOptions } from '../../src/api/pacer.ts';
import { createEmulator, type Emulator, type EmulatorStats } from '../../src/emulator/index.ts';
import { systemClock } from '../../src/util/clock.ts';
import type { Vfs } from '../../src/vfs/types.ts';
import { recordingClock, type RecordingClock } from './clocks.ts';
import { emulatorAdmin, TEST_KEY, TEST_TIME_SCALE } from './emulator.ts';
import { stackOver } from './stack.ts';

/** One WebDAV answer, body read in full. */
export interface DavAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * The full production stack (emulator on disk -> FichierClient -> fichier remote -> MetaStore -> Vfs -> WebDAV,
 * anonymous, 127.0.0.1) whose emulator can be killed and restarted on the same data dir and port.
 */
export interface FaultStack {
  /** WebDAV base URL, ending with '/'. */
  url: string;
  /** Emulator base URL (stays the same across restarts). */
  emuUrl: string;
  /** The emulator's clock (real time), recording every wait it makes: injected latency shows here. */
  emuClock: RecordingClock;
  vfs: Vfs;
  pacer: Pacer;
  /** POST (with body) or GET (without) /_emulator/<path>; rejects on a non-2xx answer. */
  admin<T = unknown>(path: string, body?: unknown): Promise<T>;
  stats(): Promise<EmulatorStats>;
  /** One WebDAV request to `path` (relative to the base URL, no leading '/'). Never rejects on a status. */
  dav(method: string, path: string, headers?: Record<string, string>, body?: Buffer | string): Promise<DavAnswer>;
  /** Closes the emulator (dropping every connection); calls then fail with ECONNREFUSED until `start()`. */
  kill(): Promise<void>;
  /** Starts a new emulator on the same data dir and port, with `apiKey` (default: the stack's key). */
  start(apiKey?: string): Promise<void>;
  /** Closes everything and removes the temp files. */
  stop(): Promise<void>;
}

/** Pacer for fault tests: fast backoff and a short flood cooldown, so retries fit in a test's time. */
export const FAULT_PACER: PacerOptions = { floodCooldownMs: 400, floodEscalatedCooldownMs: 1000, backoffBaseMs: 50, backoffMaxMs: 1000 };

export async function startFaultStack(opts: { pacer?: PacerOptions; readChunkSize?: number } = {}): Promise<FaultStack> {
  const dir = mkdtempSync(join(tmpdir(), 'fdav-faults-'));
  const dataDir = join(dir, 'emu');
  let emulator: Emulator | undefined;
  let port = 0;
  const emuClock = recordingClock(systemClock);
  const start = async (apiKey = TEST_KEY) => {
    const next = await createEmulator({ apiKey, dataDir, clock: emuClock, profile: 'realistic', timeScale: TEST_TIME_SCALE });
    ({ port } = await next.listen({ host: '127.0.0.1', port, proxy: false }));
    emulator = next;
  };
  const kill = async () => {
    const e = emulator;
    emulator = undefined;
    await e?.close();
  };
  await start();
  const emuUrl = `http://127.0.0.1:${port}`;
  const stack = await stackOver(
    { apiBase: `${emuUrl}/v1`, key: TEST_KEY },
    {
      pacer: { ...FAULT_PACER, ...opts.pacer },
      store: { file: join(dir, 'meta.sqlite') },
      vfs: opts.readChunkSize === undefined ? {} : { readChunkSize: opts.readChunkSize },
      server: { users: [] },
    },
  );
  const { url } = await stack.server!.listen('127.0.0.1', 0);
  const admin = emulatorAdmin(emuUrl);
  const dav = async (method: string, path: string, headers: Record<string, string> = {}, body?: Buffer | string): Promise<DavAnswer> => {
    const res = await request(`${url}${path}`, { method: method as 'GET', headers, body });
    const buf = Buffer.from(await res.body.arrayBuffer());
    return { status: res.statusCode, headers: res.headers, body: buf };
  };
  return {
    url,
    emuUrl,
    emuClock,
    vfs: stack.vfs,
    pacer: stack.pacer,
    admin,
    stats: () => admin<EmulatorStats>('stats'),
    dav,
    kill,
    start,
    async stop() {
      await stack.close();
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
