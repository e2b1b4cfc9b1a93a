/**
 * The target of the API contract suite (test/api-contract.e2e.test.ts): the in-process emulator by default, or
 * the real 1fichier API when FICHIER_CONTRACT_KEY is set (opt-in; CI never sets it, so by default nothing
 * leaves 127.0.0.1).
 *
 * Against the real API every request (API calls, upload steps, downloads through `paced`) starts at least
 * 2 s after the previous one, one at a time, and everything happens under a scratch folder
 * `fichier-dav-contract-<random>` created at the root and purged by `stop()`. The emulator target uses the
 * same scratch-folder discipline with a 1 ms pacer.
 *
 * FICHIER_CONTRACT_API_URL (optional, with the key) replaces the real API base, to rehearse the real-API
 * mode (pacing, scratch folder, declared capabilities) against a standalone emulator.
 *
 * Capabilities say which tests a target can run; the suite declares the others with `it.runIf(cap)` and a
 * reason in the test name, never by skipping silently.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import { FichierClient } from '../../src/api/client.ts';
import { mapHost } from '../../src/api/hosts.ts';
import { createPacer, type Pacer } from '../../src/api/pacer.ts';
import { REAL_API_BASE } from '../../src/api/types.ts';
import { Secret } from '../../src/util/secret.ts';
import { startEmulator, type EmulatorStats, type TestEmulator } from './emulator.ts';

export type ContractKind = 'emulator' | 'real';

export interface ContractCaps {
  /** Emulator controls under /_emulator/ (config, faults, stats): token expiry, fault injection, call counts. */
  admin: boolean;
  /** The server can fetch from a test server on 127.0.0.1 (remote upload). */
  loopbackRemote: boolean;
  /** user/info may be called several times in a row (1fichier answers #38 to more than ~1 call per 5 min). */
  repeatUserInfo: boolean;
}

/** A raw download answer, body read whole. */
export interface RawDownload {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface ContractTarget {
  /** The client under test (emulator: 1 ms pacer; real: 2.1 s pacer, one call at a time). */
  client: FichierClient;
  kind: ContractKind;
  caps: ContractCaps;
  /** Id of the scratch folder every test works under. */
  scratchId: number;
  /** Its name, `fichier-dav-contract-<random>`. */
  scratchName: string;
  /**
   * Runs `fn` once (no retry) through the target's pacer, so requests that the client does not pace
   * (downloads, raw GETs) keep the target's spacing. Returns or rejects as `fn`.
   */
  paced<T>(fn: () => Promise<T>): Promise<T>;
  /** A client on the same API base and pacer with another key (for auth errors). Closed by `stop()`. */
  clientWithKey(key: string): FichierClient;
  /**
   * A raw, paced GET of a token URL (host-mapped for the emulator) with the account's Bearer header and
   * `headers`, for requests the client cannot express (suffix ranges). Rejects only on transport errors.
   */
  rawDownload(tokenUrl: string, headers: Record<string, string>): Promise<RawDownload>;
  /** Emulator only: GET (no body) or POST (body) /_emulator/<path>; rejects on a non-2xx answer. */
  admin?<T = unknown>(path: string, body?: unknown): Promise<T>;
  /** Emulator only: the emulator's call counters. */
  stats?(): Promise<EmulatorStats>;
  /** Purges and removes the scratch folder, closes the clients and stops the emulator. Rejects if the purge fails. */
  stop(): Promise<void>;
}

/** Spacing of request starts against the real API: 2 s plus a margin for timer and network jitter. */
const REAL_INTERVAL_MS = 2100;

/** Which target `makeContractTarget` will build, known synchronously (for `it.runIf`). */
export function plannedContractTarget(): { kind: ContractKind; caps: ContractCaps } {
  const real = (process.env['FICHIER_CONTRACT_KEY'] ?? '') !== '';
  return real
    ? { kind: 'real', caps: { admin: false, loopbackRemote: false, repeatUserInfo: false } }
    : { kind: 'emulator', caps: { admin: true, loopbackRemote: true, repeatUserInfo: true } };
}

/**
 * Builds the target described by `plannedContractTarget()` and creates its scratch folder.
 * Rejects when the emulator cannot start or the scratch folder cannot be created.
 */
export async function makeContractTarget(): Promise<ContractTarget> {
  const { kind, caps } = plannedContractTarget();
  if (kind === 'real') {
    const key = process.env['FICHIER_CONTRACT_KEY'] ?? '';
    const pacer = createPacer({ minIntervalMs: REAL_INTERVAL_MS, concurrency: 1 });
    const baseUrl = process.env['FICHIER_CONTRACT_API_URL'] || REAL_API_BASE;
    return build({ kind, caps, key, baseUrl, pacer, endPollMaxMs: 300_000 });
  }
  // Lenient, and a pacer without a listing budget: this suite checks the wire format call by call, the same way
  // against the real service, with raw calls that list one scratch folder many times in a row. Its block on the
  // flood rules switches the emulator to the realistic profile itself; the gateway's budget is proven elsewhere.
  const emu = await startEmulator({ profile: 'lenient' });
  const pacer = createPacer({ minIntervalMs: 1, listIntervalMs: 0, listFolderIntervalMs: 0, backoffBaseMs: 20, backoffMaxMs: 100, floodCooldownMs: 200, floodEscalatedCooldownMs: 200 });
  try {
    return await build({ kind, caps, key: emu.key, baseUrl: emu.apiBase, pacer, endPollMaxMs: 10_000, emu });
  } catch (err) {
    await emu.stop();
    throw err;
  }
}

interface BuildOptions {
  kind: ContractKind;
  caps: ContractCaps;
  key: string;
  baseUrl: string;
  pacer: Pacer;
  endPollMaxMs: number;
  emu?: TestEmulator;
}

async function build(o: BuildOptions): Promise<ContractTarget> {
  const apiKey = new Secret(o.key);
  const clients: FichierClient[] = [];
  const newClient = (key: Secret): FichierClient => {
    const c = new FichierClient({ apiKey: key, baseUrl: o.baseUrl, pacer: o.pacer, endPollMaxMs: o.endPollMaxMs });
    clients.push(c);
    return c;
  };
  const client = newClient(apiKey);
  const scratchName = `fichier-dav-contract-${randomBytes(6).toString('hex')}`;
  const scratchId = (await client.folderMkdir(0, scratchName)).folder_id;
  const paced = <T>(fn: () => Promise<T>): Promise<T> => o.pacer.run(fn, { retry: false, slot: false, label: 'contract' });
  const emu = o.emu;
  return {
    client,
    kind: o.kind,
    caps: o.caps,
    scratchId,
    scratchName,
    paced,
    clientWithKey: (key) => newClient(new Secret(key)),
    rawDownload: (tokenUrl, headers) =>
      paced(async () => {
        const res = await request(mapHost(tokenUrl, o.baseUrl), {
          method: 'GET',
          headers: { ...headers, authorization: `Bearer ${apiKey.reveal()}` },
        });
        const body = Buffer.from(await res.body.arrayBuffer());
        return { status: res.statusCode, headers: res.headers, body };
      }),
    ...(emu ? { admin: emu.admin, stats: emu.stats } : {}),
    async stop() {
      try {
        await purgeFolder(client, scratchId);
      } finally {
        await Promise.all(clients.map((c) => c.close()));
        await emu?.stop();
      }
    },
  };
}

/** Deletes every file and sub-folder under `folderId`, then the folder itself. */
async function purgeFolder(client: FichierClient, folderId: number): Promise<void> {
  const ls = await client.folderLs(folderId);
  for (const sub of ls.sub_folders ?? []) await purgeFolder(client, sub.id);
  const files = await client.fileLs(folderId);
  if (files.items.length > 0) await client.fileRm(files.items.map((f) => f.url));
  await client.folderRm(folderId);
}
