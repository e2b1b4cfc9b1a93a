/**
 * The two WebDAV servers under test, each a child process on a free 127.0.0.1 port over the bench emulator:
 * - ours: `node [the launcher's shebang flags] bin/fichier-dav.js serve webdav --addr ... --cache-dir DIR` (key and
 *   API base from the env);
 * - rclone: `rclone serve webdav F: --addr ...` with rclone's defaults, its fichier backend reaching the
 *   emulator through proxy mode (HTTPS_PROXY + --ca-cert; remote F: from RCLONE_CONFIG_F_* env vars).
 * Neither reads the user's configuration: HOME, TMPDIR and the working directory are under the work dir.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { CONDITIONS } from './config.ts';
import type { BenchEmulator } from './emulator.ts';
import { RssSampler, startChild, type Child } from './procs.ts';

export type ServerKind = 'ours' | 'rclone';

const REPO = join(import.meta.dirname, '..', '..');
const BIN = join(REPO, 'bin', 'fichier-dav.js');
/**
 * Node's flags on the launcher's shebang line (`#!/usr/bin/env -S node FLAGS`): ours runs with them, as the
 * installed `fichier-dav` command, `npm start` and the service units do.
 */
const BIN_NODE_FLAGS = (readFileSync(BIN, 'utf8').split('\n', 1)[0] ?? '').replace(/^#!.*?\bnode\b/, '').split(/\s+/).filter(Boolean);
const START_TIMEOUT_MS = 60_000;

export interface RunningServer {
  kind: ServerKind;
  /** Base URL, ending with '/'. */
  url: string;
  pid: number;
  rss: RssSampler;
  /** ours: the --cache-dir. */
  cacheDir?: string;
  logFile: string;
  /** Stops the process (SIGTERM, then SIGKILL) and the sampler. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** ours: the --cache-dir (default: a new one). */
  cacheDir?: string;
  /** Extra command-line arguments (rclone: e.g. --vfs-cache-mode full). */
  args?: string[];
}

export interface ServerLauncher {
  /**
   * Starts a server and resolves once it answers HTTP. `cacheDir` (ours only) defaults to a new directory;
   * pass a previous server's to restart on the same metadata store. Rejects when it exits or stays silent.
   */
  start(kind: ServerKind, opts?: StartOptions): Promise<RunningServer>;
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve, reject) => srv.listen(0, '127.0.0.1', resolve).once('error', reject));
  const addr = srv.address();
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  return addr.port;
}

/**
 * Resolves when the child prints its "listening" line (no request is sent, so nothing gets cached before the
 * measurement); rejects when the child exits first or after START_TIMEOUT_MS.
 */
async function waitReady(child: Child, ready: RegExp, what: string): Promise<void> {
  const deadline = performance.now() + START_TIMEOUT_MS;
  while (performance.now() < deadline) {
    if (ready.test(child.output())) return;
    if (child.proc.exitCode !== null || child.proc.signalCode !== null) throw new Error(`${what} exited during start-up (see ${child.logFile})`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await child.stop();
  throw new Error(`${what} did not answer within ${START_TIMEOUT_MS} ms (see ${child.logFile})`);
}

/**
 * `oursNodeOptions`: NODE_OPTIONS for our server (V8 flags, a --import'ed probe) when an experiment needs them;
 * the run's report names them. Default: none. `oursEnv`: more environment for our server (the quick mode's
 * scaled listing budget); the report names it too.
 */
export function createLauncher(emu: BenchEmulator, workDir: string, oursNodeOptions = '', oursEnv: Record<string, string> = {}): ServerLauncher {
  let seq = 0;
  const logDir = join(workDir, 'logs');
  mkdirSync(logDir, { recursive: true });

  const spawnOurs = (port: number, cacheDir: string, logFile: string, extra: string[]): Child => {
    const home = join(workDir, 'home-ours');
    mkdirSync(home, { recursive: true });
    return startChild(process.execPath, [...BIN_NODE_FLAGS, BIN, 'serve', 'webdav', '--addr', `127.0.0.1:${port}`, '--cache-dir', cacheDir, ...extra], {
      env: {
        PATH: process.env.PATH,
        HOME: home,
        TMPDIR: join(workDir, 'tmp-ours'),
        FICHIER_API_KEY: emu.key,
        FICHIER_API_URL: emu.apiBase,
        ...(oursNodeOptions ? { NODE_OPTIONS: oursNodeOptions } : {}),
        ...oursEnv,
      },
      cwd: home,
      logFile,
    });
  };

  const spawnRclone = (port: number, logFile: string, extra: string[]): Child => {
    const home = join(workDir, 'home-rclone');
    mkdirSync(home, { recursive: true });
    const proxy = `http://127.0.0.1:${emu.port}`;
    return startChild('rclone', ['serve', 'webdav', 'F:', '--addr', `127.0.0.1:${port}`, '--config', join(home, 'rclone.conf'), '--ca-cert', emu.caFile, ...extra], {
      env: {
        PATH: process.env.PATH,
        HOME: home,
        TMPDIR: join(workDir, 'tmp-rclone'),
        HTTPS_PROXY: proxy,
        https_proxy: proxy,
        RCLONE_CONFIG_F_TYPE: 'fichier',
        RCLONE_CONFIG_F_API_KEY: emu.key,
      },
      cwd: home,
      logFile,
    });
  };

  return {
    async start(kind, opts = {}) {
      seq += 1;
      const port = await freePort();
      const logFile = join(logDir, `${String(seq).padStart(2, '0')}-${kind}.log`);
      const cacheDir = kind === 'ours' ? (opts.cacheDir ?? join(workDir, `cache-${seq}`)) : undefined;
      for (const d of [join(workDir, 'tmp-ours'), join(workDir, 'tmp-rclone')]) mkdirSync(d, { recursive: true });
      const extra = opts.args ?? [];
      const child = kind === 'ours' ? spawnOurs(port, cacheDir!, logFile, extra) : spawnRclone(port, logFile, extra);
      const url = `http://127.0.0.1:${port}/`;
      await waitReady(child, kind === 'ours' ? /serving webdav on http/ : /WebDav Server started on http/, `${kind} server`);
      const rss = new RssSampler(child.pid, CONDITIONS.rssSampleMs);
      return {
        kind,
        url,
        pid: child.pid,
        rss,
        ...(cacheDir !== undefined ? { cacheDir } : {}),
        logFile,
        async stop() {
          rss.stop();
          await child.stop();
        },
      };
    },
  };
}

/** Starts a server, runs `fn` with it and always stops it. */
export async function withServer<T>(launcher: ServerLauncher, kind: ServerKind, opts: StartOptions, fn: (srv: RunningServer) => Promise<T>): Promise<T> {
  const srv = await launcher.start(kind, opts);
  try {
    return await fn(srv);
  } finally {
    await srv.stop();
  }
}
