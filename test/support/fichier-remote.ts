/**
 * The fichier remote of a test stack (stack.ts `stackOver`: the test pacer, an in-memory store) over a fresh
 * emulator on 127.0.0.1:<random port>, with the emulator's call counter and path-taking shorthands.
 *
 * The emulator plays the realistic listing rules and bans but, unless `opts.emulator` says otherwise, answers
 * consistently at once, refuses duplicate folder names and does not limit user/info (REMOTE_LAYER_CONFIG): these
 * suites test the remote layer alone, whose contract is what one call does. Reading one's own writes through a
 * stale listing, idempotent mkdir and serving the last known quota are the VFS's work, proven over the full
 * realistic profile by the VFS and WebDAV suites.
 */
import type { FichierClient } from '../../src/api/client.ts';
import type { Stack } from '../../src/app/stack.ts';
import type { EmulatorOptions } from '../../src/emulator/index.ts';
import type { ReadRange, Remote, RemoteEntry } from '../../src/remote/types.ts';
import { startEmulator, type CallCounter, type TestEmulator } from './emulator.ts';
import { mkdirAt, putAt, readAll } from './remote-kit.ts';
import { stackOver, type TestStackOptions } from './stack.ts';

export interface EmulatedRemote extends CallCounter {
  emu: TestEmulator;
  stack: Stack;
  /** The stack's API client (for calls behind the remote's back, or another remote over the same account). */
  client: FichierClient;
  remote: Remote;
  /** Stores `data` at `path` (its parent looked up with stat first). */
  put(path: string, data: Buffer): Promise<RemoteEntry>;
  /** Creates the folder `path` (its parent looked up with stat first). */
  mkdir(path: string): Promise<RemoteEntry>;
  /** The bytes of `file`, or of `range` (to the end of the file when `end` is absent). */
  read(file: RemoteEntry, range?: { start: number; end?: number }): Promise<Buffer>;
  /** Closes the stack and the emulator. */
  stop(): Promise<void>;
}

/** The emulator settings of the remote-layer suites (see the module doc). */
export const REMOTE_LAYER_CONFIG: Partial<EmulatorOptions> = {
  limits: { userInfoIntervalMs: 0 },
  config: { newFileListDelayMs: 0, deletedFileListDelayMs: 0, folderRmDelayMs: 0, duplicateFolders: 'refuse' },
};

export async function emulatedRemote(
  opts: { emulator?: Partial<EmulatorOptions>; pacer?: TestStackOptions['pacer']; remote?: TestStackOptions['remote']; apiKey?: string } = {},
): Promise<EmulatedRemote> {
  const emu = await startEmulator({ ...REMOTE_LAYER_CONFIG, ...opts.emulator });
  const stack = await stackOver(
    { apiBase: emu.apiBase, key: opts.apiKey ?? emu.key },
    { ...(opts.pacer ? { pacer: opts.pacer } : {}), ...(opts.remote ? { remote: opts.remote } : {}) },
  ).catch(async (err: unknown) => {
    await emu.stop();
    throw err;
  });
  const { remote } = stack;
  const span = (file: RemoteEntry, range?: { start: number; end?: number }): ReadRange | undefined =>
    range && { start: range.start, end: range.end ?? file.size - 1 };
  return {
    emu,
    stack,
    client: stack.client,
    remote,
    ...emu.counter(),
    put: (path, data) => putAt(remote, path, data),
    mkdir: (path) => mkdirAt(remote, path),
    read: (file, range) => readAll(remote, file, span(file, range)),
    stop: async () => {
      await stack.close();
      await emu.stop();
    },
  };
}
