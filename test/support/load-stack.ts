import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPacer, type Pacer } from '../../src/api/pacer.ts';
import type { Vfs } from '../../src/vfs/types.ts';
import { startEmulator, testPacer, type TestEmulator } from './emulator.ts';
import { stackSet } from './stack.ts';

/**
 * The full production stack for load tests: an emulator with its flood limit ON (`rps` calls/s per key, a
 * ban of 60 s when exceeded) -> ONE process-wide pacer set 10% below that limit, as an operator would, with the
 * listing budget and ban cooldowns at TEST_TIME_SCALE (testPacer) as the emulator's listing rules are ->
 * FichierClient -> fichier remote -> MetaStore file -> Vfs -> WebDAV server on 127.0.0.1:<random port>.
 */
export interface LoadStack {
  /** Base URL of the WebDAV server, ending with '/'. */
  url: string;
  /** The Authorization header value the server accepts. */
  auth: string;
  emu: TestEmulator;
  /** The emulator's calls/s limit and the pacer's interval derived from it. */
  rps: number;
  intervalMs: number;
  pacer: Pacer;
  /**
   * A second "process" over the same account, sharing the pacer (one rate budget per key): a fresh store file,
   * so its listings come from the service, not from any cache the server built. Closed by `stop()`.
   */
  freshVfs(): Promise<Vfs>;
  /** Closes the server, every VFS, store and client, the emulator, and removes the temp files. */
  stop(): Promise<void>;
}

const USER = 'loaduser';
const PASS = 'load-pass';

/** Starts the stack; rejects when a part fails to start (what was started is stopped first). */
export async function startLoadStack(opts: { rps: number }): Promise<LoadStack> {
  const rps = opts.rps;
  const intervalMs = Math.ceil((1000 / rps) * 1.1);
  const emu = await startEmulator({ limits: { rps, banMs: 60_000 } });
  const dir = mkdtempSync(join(tmpdir(), 'fdav-load-'));
  const pacer = createPacer(testPacer({ minIntervalMs: intervalMs, concurrency: 4 }));
  const stacks = stackSet(() => emu, { pacer });
  let fresh = 0;
  const stop = async () => {
    await stacks.closeAll();
    await emu.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const main = await stacks.open(join(dir, 'meta.sqlite'), { server: { users: [{ user: USER, pass: PASS }] } });
    const { url } = await main.server!.listen('127.0.0.1', 0);
    const auth = `Basic ${Buffer.from(`${USER}:${PASS}`, 'utf8').toString('base64')}`;
    return { url, auth, emu, rps, intervalMs, pacer, freshVfs: () => stacks.openVfs(join(dir, `fresh-${fresh++}.sqlite`)), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
