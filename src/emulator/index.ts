/**
 * The 1fichier API v1 emulator: one HTTP handler for the API (/v1/...), the upload node (/upload.cgi,
 * /end.pl), the download host (/<token>), the website's shared-folder pages (/dir/<id>, shared-folders.ts) and
 * test controls (/_emulator/...). Quirks of the real service kept on purpose are listed in src/api/types.ts.
 * Two profiles (profile.ts): realistic (the default: the real service's flood rules, escalating bans and
 * eventual consistency, time-scalable) and lenient (rules off, consistent at once).
 *
 * Choices where 1fichier's documentation is silent (all emulator-invented codes are #9xx):
 * - KO statuses follow one rule: on endpoints whose `status` rclone checks (folder/rm, folder/mv, file/mv,
 *   file/rename, file/cp, get_token) a refusal is HTTP 200 + KO; where rclone does not check (mkdir, ls,
 *   info, rm) refusals are non-2xx. Unknown file/folder/token/upload id => 404 "Resource not found #469"
 *   everywhere. Bad parameter types => 400 #902; body not JSON (or not an object) => 400 #901;
 *   unknown /v1 path => 404 #903; wrong method => 405 #904; JSON body > 1 MiB => 413 #915.
 * - Duplicate folder names in one parent (config duplicateFolders): 'refuse' (lenient) => mkdir 403 #905 and
 *   folder/mv onto a taken name 200 KO #905; 'allow' (realistic) creates a second folder of the name;
 *   'existing' answers mkdir with the existing folder. Duplicate FILE names are allowed (as on the real service).
 * - folder/rm: root => 200 KO #913, non-empty (files or sub-folders, or a file deleted less than
 *   folderRmDelayMs ago) => 200 KO #906.
 * - folder/mv: destination absent = root; into itself or a descendant => 200 KO #907. With `rename`,
 *   config folderMvRename 'rename-only' (realistic) ignores the destination, 'move-and-rename' (lenient)
 *   applies both. file/mv to the same folder with the same name => 200 KO #908. `rename` with several
 *   URLs (file/mv, file/cp) => 200 KO #909. file/rename with nothing renamed => 200 KO #312.
 * - Download tokens: expired => 410 #910; single-use token already used => 410 #911 (realistic: a 200
 *   text/html error page for both); HEAD does not consume a single-use token. Multiple ranges => 200 with
 *   the whole file. Wrong Bearer key => 401; no Authorization header is fine there. Realistic: some tokens
 *   answer 302 to a "b-N" download host that serves the bytes (Range included).
 * - get_token on a password-protected file (chattr `pass`) with a wrong or missing `pass` => 403 #631.
 * - Upload: 0-byte files are refused silently (not stored, no end.pl link); files over the quota likewise;
 *   a POST without files still redirects to end.pl (with no links). The upload id may be reused (end.pl
 *   lists every file received under it). Upload sessions are forgotten after 24 h. An invalid or unknown
 *   `did` stores at the root. end.pl needs the key too. A file part named `file` is accepted like `file[]`.
 *   Realistic: some uploads' end.pl answers without links, or "please wait", for endPlSettleMs.
 * - file/ls sent_after / sent_before bounds are inclusive at second precision, read as Paris time; the
 *   answer is in upload order; a capped listing (realistic: 5,000) keeps the newest files, so a client
 *   pages back with sent_before = the oldest date it got (merging the repeated second by URL).
 * - Dates are Europe/Paris wall-clock "YYYY-MM-DD HH:MM:SS" (CET/CEST), the real service's; rclone reads
 *   them as UTC, so its times are one or two hours ahead of the emulator's.
 * - Root folder name is "" in folder/ls; `sub_folders` is omitted when there are none, `items` (asked with
 *   `files: 1`) is `[]` when there are no files. content-type follows the extension and changes on rename.
 * - Flood rules count only authenticated /v1 calls; the call that breaks a rule is itself refused; the
 *   error-answer rule (a switch, off) counts 401/403/404/410 answered to anyone on any host, as an IP-wide
 *   rule would, and bans the account's key; bans stop the API host only (upload node, end.pl and download host keep working, though every new upload
 *   or download starts with an API call). Injected faults: 401 => #247, 403 => #374, 404 => #469, 5xx =>
 *   "Service unavailable #<status>", others "Injected fault #<status>", unless a message is given.
 *   failProbability draws from `EmulatorOptions.random` (default: a mulberry32 PRNG seeded with 1); the
 *   realistic profile's "sometimes" draw from `seed` (chance.ts).
 * - Remote upload fetches only loopback URLs (else result KO #920); empty body => KO #923; jobs
 *   interrupted by a restart are finished as KO #924.
 * - stats.rejected counts calls refused by a ban or a flood rule; stats.refusedByRule splits them.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { systemClock, type Clock } from '../util/clock.ts';
import { silentLogger, type Logger } from '../util/log.ts';
import { createControl, type EmulatorControl } from './admin.ts';
import { createDiskBlobStore, createMemoryBlobStore } from './blobs.ts';
import type { Core, EmulatorConfig } from './core.ts';
import { seedDemo } from './demo.ts';
import { Faults } from './faults.ts';
import { seededRandom } from '../util/random.ts';
import { Chance } from './chance.ts';
import { Limiter, type RateLimits } from './limits.ts';
import { profileValues, type ProfileName } from './profile.ts';
import { Settling } from './settling.ts';
import { failInterruptedJobs } from './remote-upload.ts';
import { attachProxy, type ProxyHandle } from './proxy.ts';
import { createRouter } from './router.ts';
import { Shares } from './shared-folders.ts';
import { State } from './state.ts';
import { Stats, type EmulatorStats } from './stats.ts';

export type { RateLimits, RuleName } from './limits.ts';
export type { ProfileName } from './profile.ts';
export type { EmulatorStats, CallRecord } from './stats.ts';
export type { EmulatorControl } from './admin.ts';
export type { FaultSettings, FailRule } from './faults.ts';
export type { EmulatorConfig, DuplicateFolders, FolderMvRename, ListKeep } from './core.ts';

export interface EmulatorOptions {
  /** The single account's key; Bearer auth is checked against it. */
  apiKey: string;
  /** undefined => fully in memory; else SQLite (WAL) + blob files under this directory, surviving restarts. */
  dataDir?: string;
  /** Seed the demo tree if the account is empty. */
  demo?: boolean;
  /** Default systemClock. */
  clock?: Clock;
  /**
   * 'realistic' (default): the real service's flood rules, bans and eventual consistency; 'lenient': all
   * of that off, for tests of something else. See profile.ts.
   */
  profile?: ProfileName;
  /** Multiplies every limit interval, ban length and consistency delay of the profile; default 1. */
  timeScale?: number;
  /** Seed of the realistic profile's random choices (plain-text bans, end.pl without links, redirects); default 1. */
  seed?: number;
  /** Download token lifetime, default 300_000 (not scaled). */
  tokenTtlMs?: number;
  /** Added before answering each API (/v1) and upload-node call, default 0. */
  latencyMs?: number;
  /** Flood rules merged over the profile's (values in ms, taken as given: not scaled). */
  limits?: Partial<RateLimits>;
  /** Behaviour settings merged over the profile's (as given: not scaled). */
  config?: Partial<EmulatorConfig>;
  /** available_cold_storage, default 5e12. */
  quotaBytes?: number;
  /** Max entries per folder/ls answer, default 5000. */
  listLimit?: number;
  /** Default 'demo@fichier-dav.local'. */
  email?: string;
  logger?: Logger;
  /** Random source in [0, 1) for failProbability; default a PRNG seeded with 1. */
  random?: () => number;
}

export interface Emulator {
  /** Node request handler for every host; routes by path only, ignores Host. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /**
   * Starts an http.Server on host:port (default 127.0.0.1:0) and attaches proxy mode (HTTPS CONNECT for
   * *.1fichier.com) when src/emulator/proxy.ts is present and `proxy` is not false. Resolves with the base
   * URL 'http://127.0.0.1:PORT'. Rejects if the port cannot be bound or listen() was already called.
   */
  listen(opts: { host?: string; port?: number; caOut?: string; proxy?: boolean }): Promise<{ url: string; port: number }>;
  /** Stops the server (dropping open connections), background fetches and the database. */
  close(): Promise<void>;
  stats(): EmulatorStats;
  /** Runtime controls, the same as the /_emulator/ endpoints. */
  control: EmulatorControl;
}

/** Creates an emulator (opening or creating its data dir). Rejects when the data dir cannot be used. */
export async function createEmulator(opts: EmulatorOptions): Promise<Emulator> {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? silentLogger;
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const state = new State(opts.dataDir ? join(opts.dataDir, 'emulator.sqlite') : undefined, clock.now());
  const blobs = opts.dataDir ? createDiskBlobStore(opts.dataDir) : createMemoryBlobStore();
  blobs.sweep(state.checksums());
  const profile = { name: opts.profile ?? 'realistic', timeScale: opts.timeScale ?? 1 };
  const values = profileValues(profile.name, profile.timeScale);
  const chance = new Chance(opts.seed ?? 1);
  const limiter = new Limiter(clock, (ratio) => chance.roll('banText', ratio));
  limiter.set({ ...values.limits, ...opts.limits });
  const config: EmulatorConfig = {
    ...values.config,
    tokenTtlMs: opts.tokenTtlMs ?? 300_000,
    latencyMs: opts.latencyMs ?? 0,
    quotaBytes: opts.quotaBytes ?? 5e12,
    ...(opts.listLimit !== undefined ? { listLimit: opts.listLimit } : {}),
    ...opts.config,
  };
  const core: Core = {
    apiKey: opts.apiKey,
    email: opts.email ?? 'demo@fichier-dav.local',
    state,
    blobs,
    clock,
    logger,
    config,
    profile,
    limiter,
    chance,
    settling: new Settling(),
    faults: new Faults(opts.random ?? seededRandom(1)),
    stats: new Stats(() => limiter.view(opts.apiKey)),
    shares: new Shares(state.db),
    background: new Set(),
    closing: new AbortController(),
  };
  failInterruptedJobs(core);
  if (opts.demo && (await seedDemo(core))) logger.info({}, 'emulator: demo tree seeded');
  const control = createControl(core);
  const handle = createRouter(core, control);
  let server: Server | undefined;
  let proxyHandle: ProxyHandle | undefined;
  let closed = false;

  return {
    handle,
    control,
    stats: () => core.stats.snapshot(),
    async listen({ host = '127.0.0.1', port = 0, caOut, proxy = true }) {
      if (server) throw new Error('emulator: listen() already called');
      // No request timeout: big or throttled uploads may take longer than Node's default 5 minutes.
      // Keep-alive longer than Go's 60 s idle timeout, so clients (rclone) close idle connections first.
      const srv = createServer({ requestTimeout: 0, keepAliveTimeout: 75_000 }, handle);
      server = srv;
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(port, host, () => {
          srv.off('error', reject);
          resolve();
        });
      });
      if (proxy) proxyHandle = await attachProxy(srv, handle, { dataDir: opts.dataDir, caOut });
      const bound = (srv.address() as AddressInfo).port;
      const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
      return { url: `http://${shownHost}:${bound}`, port: bound };
    },
    async close() {
      if (closed) return;
      closed = true;
      core.closing.abort();
      proxyHandle?.closeTunnels?.();
      if (server) {
        const srv = server;
        await new Promise<void>((resolve) => {
          srv.close(() => resolve());
          srv.closeAllConnections();
        });
      }
      await control.idle();
      state.close();
    },
  };
}

