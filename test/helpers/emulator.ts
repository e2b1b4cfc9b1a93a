import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.ts';

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
  stats(): Promise<EmulatorStatsJson>;
  stop(): Promise<void>;
}

export interface EmulatorStatsJson {
  total: number;
  calls: Record<string, number>;
  downloads: number;
  bans: number;
  bytesIn: number;
  bytesOut: number;
}

/** A recognisable, valid-looking 32-character key that tests grep for. */
export const TEST_KEY = 'TestKey_fichierdav_0123456789_xyz';

export async function startEmulator(opts: Partial<EmulatorOptions> & { persistent?: boolean } = {}): Promise<TestEmulator> {
  const dir = mkdtempSync(join(tmpdir(), 'fdav-emu-'));
  const key = opts.apiKey ?? TEST_KEY;
  const emulator = await createEmulator({ ...opts, apiKey: key, dataDir: opts.persistent ? join(dir, 'data') : opts.dataDir });
  const caFile = join(dir, 'ca.pem');
  const { url, port } = await emulator.listen({ host: '127.0.0.1', port: 0, caOut: caFile });
  const admin = async <T,>(path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${url}/_emulator/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`emulator admin ${path}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const api = async <T,>(path: string, body: unknown): Promise<T> => {
    const res = await fetch(`${url}/v1/${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status !== 200) throw new Error(`emulator ${path}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
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
    api,
    stats: () => admin<EmulatorStatsJson>('stats'),
    stop: async () => {
      await emulator.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
