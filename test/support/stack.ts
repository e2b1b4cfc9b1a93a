/**
 * Stacks for tests, all built by app/stack.ts createStack over a test emulator: the gateway's timings at
 * TEST_TIME_SCALE (the emulator's realistic rules run at the same scale) with API calls 1 ms apart (tests count
 * calls at the emulator, not time), a store file in a temp dir, and optionally the WebDAV server listening on
 * 127.0.0.1:<random port>.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pacer, PacerOptions } from '../../src/api/pacer.ts';
import { createStack, isPacer, type Stack, type StackOptions } from '../../src/app/stack.ts';
import { Secret } from '../../src/util/secret.ts';
import type { Vfs } from '../../src/vfs/types.ts';
import { startEmulator, TEST_TIME_SCALE, testPacer, type TestEmulator } from './emulator.ts';

/** The API a test stack speaks to: a test emulator, or any base URL and key (a restartable emulator). */
export interface TestApi {
  apiBase: string;
  key: string;
}

export interface TestStackOptions extends Omit<StackOptions, 'account' | 'pacer'> {
  /** Options over testPacer(), or a pacer shared with other stacks. */
  pacer?: PacerOptions | Pacer;
}

/** createStack over `api` (see the module doc for the defaults). Rejects as createStack. */
export function stackOver(api: TestApi, opts: TestStackOptions = {}): Promise<Stack> {
  const { pacer = {}, ...rest } = opts;
  return createStack({
    timeScale: TEST_TIME_SCALE,
    ...rest,
    account: { apiBase: api.apiBase, apiKey: new Secret(api.key) },
    pacer: isPacer(pacer) ? pacer : testPacer(pacer),
  });
}

/**
 * Several stacks over one API, each a "process" of the server with its own client, store and VFS, closed
 * together by `closeAll()`. `open(file)` uses the store file `file`, so a second stack on the same file is
 * a restart.
 */
export interface StackSet {
  open(file: string, opts?: TestStackOptions): Promise<Stack>;
  /** Shorthand: the VFS of `open(file, { vfs })`. */
  openVfs(file: string, vfs?: TestStackOptions['vfs']): Promise<Vfs>;
  closeAll(): Promise<void>;
}

/** A StackSet over `api()` (a function, so the emulator may be started after this is built) with `defaults`. */
export function stackSet(api: () => TestApi, defaults: TestStackOptions = {}): StackSet {
  const opened: Stack[] = [];
  const open = async (file: string, opts: TestStackOptions = {}): Promise<Stack> => {
    const stack = await stackOver(api(), { ...defaults, ...opts, vfs: { ...defaults.vfs, ...opts.vfs }, store: { file } });
    opened.push(stack);
    return stack;
  };
  return {
    open,
    openVfs: async (file, vfs) => (await open(file, vfs ? { vfs } : {})).vfs,
    async closeAll() {
      for (const s of opened.splice(0)) await s.close();
    },
  };
}

/** The full production stack over a fresh emulator, served over WebDAV on 127.0.0.1:<random port>. */
export interface DavStack {
  /** Base URL of the WebDAV server, ending with '/'. */
  url: string;
  /** Basic credentials the server accepts (meaningless when started with `users: false`). */
  user: string;
  pass: string;
  emu: TestEmulator;
  vfs: Vfs;
  /** Closes the stack and the emulator, and removes the temp files. */
  stop(): Promise<void>;
}

export interface DavStackOptions extends Omit<TestStackOptions, 'server' | 'store'> {
  /** Require Basic credentials (`user`/`pass`); default true. false = anonymous (loopback only). */
  users?: boolean;
  /** Serve read-only (every write is 403). Default false. */
  readOnly?: boolean;
  /** More server options: base URL, handler overrides, a clock. */
  server?: Omit<NonNullable<StackOptions['server']>, 'users' | 'readOnly'>;
  /** Prepares the emulator before the stack starts, and returns stack options that depend on it (a shared folder, a root). */
  prepare?: (emu: TestEmulator) => Promise<Pick<TestStackOptions, 'sharedFolder' | 'root'>>;
}

const USER = 'davuser';
const PASS = 'dav:pa ss+w/rd';

/** Starts an emulator and a stack with its server listening. Rejects when a part fails (what started is stopped). */
export async function startDavStack(opts: DavStackOptions = {}): Promise<DavStack> {
  const { users = true, readOnly = false, server, prepare, ...rest } = opts;
  const emu = await startEmulator();
  const dir = mkdtempSync(join(tmpdir(), 'fdav-davstack-'));
  let stack: Stack | undefined;
  const stop = async () => {
    await stack?.close();
    await emu.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const prepared = prepare ? await prepare(emu) : {};
    stack = await stackOver(emu, { ...rest, ...prepared, store: { file: join(dir, 'meta.sqlite') }, server: { ...server, readOnly, users: users ? [{ user: USER, pass: PASS }] : [] } });
    const { url } = await stack.server!.listen('127.0.0.1', 0);
    return { url, user: USER, pass: PASS, emu, vfs: stack.vfs, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
