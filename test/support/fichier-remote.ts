/**
 * A fichier remote over a fresh in-process emulator
 * (127.0.0.1, port 0) with a 1 ms pacer, and call counting from the emulator's stats.
 */
import { Readable } from 'node:stream';
import { baseName, parentOf } from '../../src/core/path.ts';
import { FichierClient } from '../../src/api/client.ts';
import { createPacer, type PacerOptions } from '../../src/api/pacer.ts';
import type { EmulatorOptions } from '../../src/emulator/index.ts';
import { Secret } from '../../src/util/secret.ts';
import { startEmulator, type TestEmulator } from './emulator.ts';
import type { Remote, RemoteEntry } from '../../src/remote/types.ts';
import { createFichierRemote, type FichierRemoteOptions } from '../../src/remote/fichier/index.ts';

export interface EmulatedRemote {
  emu: TestEmulator;
  client: FichierClient;
  remote: Remote;
  /** Counts of emulator calls by path ("/v1/folder/ls.cgi", "download", ...) since the last `mark()`; `total` for all. */
  since(): Promise<Record<string, number>>;
  /** Starts a new counting window. */
  mark(): Promise<void>;
  /** Stores `data` at `path` (its parent looked up with stat first). */
  put(path: string, data: Buffer): Promise<RemoteEntry>;
  /** Creates the folder `path` (its parent looked up with stat first). */
  mkdir(path: string): Promise<RemoteEntry>;
  /** The bytes of `file`, or of `range` (to the end of the file when `end` is absent). */
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
    put: async (path, data) => remote.put(await remote.stat(parentOf(path)), baseName(path), Readable.from([data]), { size: data.length }),
    mkdir: async (path) => remote.mkdir(await remote.stat(parentOf(path)), baseName(path)),
    read: async (file, range) => {
      const parts: Buffer[] = [];
      const span = range && { start: range.start, end: range.end ?? file.size - 1 };
      for await (const chunk of await remote.openRead(file, span)) parts.push(Buffer.from(chunk as Uint8Array));
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
