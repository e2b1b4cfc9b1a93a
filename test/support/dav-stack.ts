import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiObserver } from '../../src/api/observer.ts';
import type { Logger } from '../../src/util/log.ts';
import type { Vfs } from '../../src/vfs/types.ts';
import { createDavServer, type DavServerOptions } from '../../src/webdav/index.ts';
import { startEmulator, type TestEmulator } from './emulator.ts';
import { vfsStack } from './vfs-stack.ts';

/** The full production stack over a fresh emulator, served over WebDAV on 127.0.0.1:<random port>. */
export interface DavStack {
  /** Base URL of the WebDAV server, ending with '/'. */
  url: string;
  /** Basic credentials the server accepts (meaningless when started with `users: false`). */
  user: string;
  pass: string;
  emu: TestEmulator;
  vfs: Vfs;
  /** Closes the server, the VFS, the store, the client and the emulator, and removes the temp files. */
  stop(): Promise<void>;
}

export interface DavStackOptions {
  /** Require Basic credentials (`user`/`pass`); default true. false = anonymous (loopback only). */
  users?: boolean;
  /** Serve read-only (every write is 403). Default false. */
  readOnly?: boolean;
  /** Logger of the client, its pacer, the VFS and the server (default: silent). */
  logger?: Logger;
  /** Observer of the client's API calls (e.g. a Metrics' apiObserver). */
  apiObserver?: ApiObserver;
  /** More server options: base URL, handler overrides, a request observer, a clock. */
  server?: Pick<DavServerOptions, 'baseUrl' | 'handlers' | 'metrics' | 'clock'>;
}

const USER = 'davuser';
const PASS = 'dav:pa ss+w/rd';

/**
 * Starts emulator -> FichierClient (fast pacer) -> fichier remote -> MetaStore (temp file) -> Vfs -> createDavServer
 * on 127.0.0.1:0. Rejects when any part fails to start (what was started is stopped first).
 */
export async function startDavStack(opts: DavStackOptions = {}): Promise<DavStack> {
  const emu = await startEmulator();
  const dir = mkdtempSync(join(tmpdir(), 'fdav-davstack-'));
  const stack = vfsStack(() => emu, {}, { ...(opts.logger ? { logger: opts.logger } : {}), ...(opts.apiObserver ? { observer: opts.apiObserver } : {}) });
  const vfs = stack.openVfs(join(dir, 'meta.sqlite'), opts.logger ? { logger: opts.logger } : {});
  const dav = createDavServer({
    ...opts.server,
    ...(opts.logger ? { logger: opts.logger } : {}),
    vfs,
    readOnly: opts.readOnly ?? false,
    users: (opts.users ?? true) ? [{ user: USER, pass: PASS }] : [],
  });
  const stop = async () => {
    await dav.close();
    await vfs.close();
    await stack.closeAll();
    await emu.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const { url } = await dav.listen('127.0.0.1', 0);
    return { url, user: USER, pass: PASS, emu, vfs, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
