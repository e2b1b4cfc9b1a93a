/**
 * TEST SUPPORT (never import it from runtime code): a fichier remote over a fresh in-process emulator
 * (127.0.0.1, port 0) with a 1 ms pacer, and call counting from the emulator's stats.
 */
import { Readable } from 'node:stream';
import { FichierClient } from '../../api/client.ts';
import { createPacer, type PacerOptions } from '../../api/pacer.ts';
import type { EmulatorOptions } from '../../emulator/index.ts';
import { Secret } from '../../util/secret.ts';
import { startEmulator, type TestEmulator } from '../../../test/support/emulator.ts';
import type { Remote, RemoteEntry } from '../types.ts';
import { createFichierRemote, type FichierRemoteOptions } from './index.ts';

export interface EmulatedRemote {
  emu: TestEmulator;
  client: FichierClient;
  remote: Remote;
  /** Counts of emulator calls by path ("/v1/folder/ls.cgi", "download", ...) since the last `mark()`; `total` for all. */
  since(): Promise<Record<string, number>>;
  /** Starts a new counting window. */
  mark(): Promise<void>;
  put(path: string, data: Buffer): Promise<RemoteEntry>;
  read(file: RemoteEntry, range?: { start: number; end?: number }): Promise<Buffer>;
  stop(): Promise<void>;
}

export async function emulatedRemote(
  opts: { emulator?: Partial<EmulatorOptions>; pacer?: PacerOptions; remote?: Omit<FichierRemoteOptions, 'client'>; apiKey?: string } = {},
): Promise<EmulatedRemote> {
  const emu = await startEmulator(opts.emulator);
  const client = new FichierClient({
    apiKey: new Secret(opts.apiKey ?? emu.key),
    baseUrl: emu.apiBase,
    pacer: createPacer({ minIntervalMs: 1, ...opts.pacer }),
  });
  const remote = createFichierRemote({ ...opts.remote, client });
  let base: Record<string, number> = {};
  const snapshot = async (): Promise<Record<string, number>> => {
    const s = await emu.stats();
    return { ...s.calls, total: s.total };
  };
  return {
    emu,
    client,
    remote,
    mark: async () => {
      base = await snapshot();
    },
    since: async () => {
      const now = await snapshot();
      const out: Record<string, number> = {};
      for (const [k, v] of Object.entries(now)) if (v - (base[k] ?? 0) !== 0) out[k] = v - (base[k] ?? 0);
      return out;
    },
    put: (path, data) => remote.put(path, Readable.from([data]), { size: data.length }),
    read: async (file, range) => {
      const parts: Buffer[] = [];
      for await (const chunk of await remote.openRead(file, range)) parts.push(Buffer.from(chunk as Uint8Array));
      return Buffer.concat(parts);
    },
    stop: async () => {
      await remote.close?.();
      await client.close();
      await emu.stop();
    },
  };
}

/** Deterministic bytes. */
export function bytes(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = ((i + seed) * 2654435761) >>> 24;
  return b;
}
