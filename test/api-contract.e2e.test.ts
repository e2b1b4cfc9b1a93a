/**
 * API contract suite: the 1fichier API as our client uses it (errors, accounts, folders, files, uploads, downloads), every endpoint of the
 * `Endpoints` map. Runs against the emulator by default; set FICHIER_CONTRACT_KEY to run it, serial and
 * paced (>= 2 s between requests), against the real 1fichier API inside a scratch folder that it purges.
 * Tests that need emulator-only controls are declared with `it.runIf(cap)` and say why in their name.
 * Errors are asserted by kind, 1fichier code and HTTP status; codes #9xx are the emulator's own
 * (src/emulator/index.ts) and are asserted against the emulator only.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FichierApiError, parseFichierCode, type FichierErrorKind } from '../src/api/errors.ts';
import type { DownloadOptions } from '../src/api/download.ts';
import type { UploadedFile } from '../src/api/upload.ts';
import { ENDPOINT_PATHS, FILE_URL_RE, parseWireDate, type FileEntry, type RemoteInfoResponse } from '../src/api/types.ts';
import type { EmulatorStats } from '../src/emulator/index.ts';
import { whirlpoolHex } from '../src/util/whirlpool.ts';
import { testBytes } from './support/bytes.ts';
import { makeContractTarget, plannedContractTarget, type ContractTarget } from './support/contract-target.ts';

const planned = plannedContractTarget();
const REAL = planned.kind === 'real';
const { caps } = planned;
/** Per-test budget: a real-API test makes tens of requests 2 s apart. */
const TIMEOUT = REAL ? 600_000 : 15_000;
const WIRE_DATE_RE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const HEX128_RE = /^[0-9a-f]{128}$/;

let t: ContractTarget;

beforeAll(async () => {
  t = await makeContractTarget();
}, TIMEOUT);

afterAll(async () => {
  await t?.stop();
}, TIMEOUT);

// ---------------------------------------------------------------- helpers

let folderSeq = 0;

/** A fresh sub-folder of the scratch folder (or of `parent`); returns its id. */
async function newFolder(label: string, parent = t.scratchId): Promise<number> {
  const name = `${label}-${++folderSeq}`;
  return (await t.client.folderMkdir(parent, name)).folder_id;
}

async function put(folderId: number, filename: string, data: Buffer): Promise<UploadedFile> {
  return t.client.upload(Readable.from([data]), { filename, size: data.length, folderId });
}

/** A paced download of `tokenUrl`, body read whole. */
async function download(tokenUrl: string, opts: DownloadOptions = {}): Promise<{ status: number; body: Buffer; totalSize?: number }> {
  return t.paced(async () => {
    const res = await t.client.download(tokenUrl, opts);
    const chunks: Buffer[] = [];
    for await (const c of res.body) chunks.push(Buffer.from(c as Uint8Array));
    return { status: res.status, body: Buffer.concat(chunks), ...(res.totalSize !== undefined ? { totalSize: res.totalSize } : {}) };
  });
}

/** The FichierApiError `p` rejects with (fails the test when it resolves or rejects with something else). */
async function apiError(p: Promise<unknown>): Promise<FichierApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected the call to fail').toBeInstanceOf(FichierApiError);
  return err as FichierApiError;
}

function expectError(err: FichierApiError, want: { kind: FichierErrorKind; httpStatus?: number; code?: number }): void {
  expect({ kind: err.kind, httpStatus: err.httpStatus, code: err.code }).toMatchObject(want);
}

async function filesOf(folderId: number): Promise<FileEntry[]> {
  return (await t.client.fileLs(folderId)).items;
}

async function subFolderIds(folderId: number): Promise<number[]> {
  return ((await t.client.folderLs(folderId)).sub_folders ?? []).map((s) => s.id);
}

function emuStats(): Promise<EmulatorStats> {
  if (!t.stats) throw new Error('emulator stats are not available on this target');
  return t.stats();
}

function admin<T = unknown>(path: string, body?: unknown): Promise<T> {
  if (!t.admin) throw new Error('emulator admin is not available on this target');
  return t.admin<T>(path, body);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------- user/info

describe('user/info.cgi', () => {
  it('string-typed fields are strings after normalize; quota numbers are numbers', { timeout: TIMEOUT }, async () => {
    const info = await t.client.userInfo();
    for (const k of ['email', 'offer', 'subscription_end', 'cdn', 'use_cdn', '2fa', 'mail_rm', 'upload_forbidden', 'download_menu'] as const) {
      expect(typeof info[k], k).toBe('string');
    }
    expect(info.offer).toMatch(/^[0-3]$/);
    for (const k of ['cold_storage', 'available_cold_storage', 'page_limit', 'default_domain'] as const) {
      expect(Number.isFinite(info[k]), k).toBe(true);
    }
    expect(info.available_cold_storage).toBeGreaterThan(0);
    expect(info.cold_storage).toBeGreaterThanOrEqual(0);
  });

  it.runIf(caps.repeatUserInfo)(
    'string fields are strings on the wire; cold_storage grows by the uploaded bytes (emulator only: real user/info floods #38 when called twice within 5 min)',
    { timeout: TIMEOUT },
    async () => {
      const raw = (await t.client.call('user/info.cgi', {})) as unknown as Record<string, unknown>;
      for (const k of ['offer', 'cdn', 'use_cdn', '2fa', 'mail_rm', 'ftp_mode', 'default_port']) expect(typeof raw[k], k).toBe('string');
      const before = (await t.client.userInfo()).cold_storage;
      const data = randomBytes(5000);
      await put(await newFolder('quota'), 'quota.bin', data);
      const after = await t.client.userInfo();
      expect(after.cold_storage - before).toBe(data.length);
      expect(after.available_cold_storage).toBeGreaterThan(0);
    },
  );
});

// ---------------------------------------------------------------- folders: mkdir, ls

describe('folder/mkdir.cgi and folder/ls.cgi', () => {
  it('mkdir -> the parent lists it with id and create_date; an empty folder lists no sub_folders', { timeout: TIMEOUT }, async () => {
    const parent = await newFolder('mkdir');
    const made = await t.client.folderMkdir(parent, 'child');
    expect(made.name).toBe('child');
    expect(Number.isInteger(made.folder_id)).toBe(true);
    const ls = await t.client.folderLs(parent);
    expect(ls.folder_id).toBe(parent);
    const entry = ls.sub_folders?.find((s) => s.name === 'child');
    expect(entry?.id).toBe(made.folder_id);
    expect(entry?.create_date).toMatch(WIRE_DATE_RE);
    expect([0, 1]).toContain(entry?.pass);
    const empty = await t.client.folderLs(made.folder_id);
    expect(empty.folder_id).toBe(made.folder_id);
    expect(empty.name).toBe('child');
    if (t.kind === 'emulator') expect(empty).not.toHaveProperty('sub_folders');
    else expect(empty.sub_folders ?? []).toEqual([]);
  });

  it('folder/ls with files:1 returns the files in items; without it, no items', { timeout: TIMEOUT }, async () => {
    const folder = await newFolder('lsfiles');
    const up = await put(folder, 'listed.txt', randomBytes(300));
    const withFiles = await t.client.folderLs(folder, { files: true });
    expect(withFiles.items?.map((f) => [f.url, f.filename, f.size])).toEqual([[up.url, 'listed.txt', 300]]);
    const without = await t.client.folderLs(folder);
    expect(without.items).toBeUndefined();
  });
});

// ---------------------------------------------------------------- upload

describe('upload: get_upload_server.cgi, upload.cgi, end.pl', () => {
  it('get_upload_server gives a 1-10 alphanumeric id and a bare host name', { timeout: TIMEOUT }, async () => {
    const srv = await t.client.getUploadServer();
    expect(srv.id).toMatch(/^[A-Za-z0-9]{1,10}$/);
    expect(srv.url).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i);
  });

  it('a few KB: whirlpool and size match; file/ls and file/info give the same entry', { timeout: TIMEOUT }, async () => {
    const folder = await newFolder('upsmall');
    const data = randomBytes(4096);
    const up = await put(folder, 'small.txt', data);
    expect(up.url).toMatch(FILE_URL_RE);
    expect(up.filename).toBe('small.txt');
    expect(up.size).toBe(data.length);
    expect(up.whirlpool).toBe(await whirlpoolHex(data));
    const ls = await t.client.fileLs(folder);
    expect(ls.count).toBe(1);
    const entry = ls.items[0]!;
    expect(entry).toMatchObject({ url: up.url, filename: 'small.txt', size: 4096, checksum: up.whirlpool, 'content-type': 'text/plain' });
    expect(entry.checksum).toMatch(HEX128_RE);
    expect(entry.date).toMatch(WIRE_DATE_RE);
    const info = await t.client.fileInfo(up.url);
    expect(info).toMatchObject({ url: entry.url, filename: entry.filename, size: entry.size, checksum: entry.checksum, 'content-type': entry['content-type'] });
  });

  it('~3 MB: whirlpool and size match, listed with the same checksum', { timeout: TIMEOUT }, async () => {
    const folder = await newFolder('upbig');
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const up = await put(folder, 'big.bin', data);
    expect(up.size).toBe(data.length);
    expect(up.whirlpool).toBe(await whirlpoolHex(data));
    const [entry] = await filesOf(folder);
    expect(entry).toMatchObject({ url: up.url, size: data.length, checksum: up.whirlpool });
  });

  it('a 0-byte upload is refused client-side, before any request', { timeout: TIMEOUT }, async () => {
    const folder = await newFolder('upempty');
    const pacerBefore = t.client.pacerStats().calls;
    const emuBefore = t.caps.admin ? await emuStats() : undefined;
    const err = await apiError(t.client.upload(Readable.from([]), { filename: 'empty.txt', size: 0, folderId: folder }));
    expect(err.kind).toBe('upload');
    expect(err.httpStatus).toBeUndefined();
    expect(t.client.pacerStats().calls).toBe(pacerBefore);
    if (emuBefore) {
      const after = await emuStats();
      expect(after.calls['/upload.cgi'] ?? 0).toBe(emuBefore.calls['/upload.cgi'] ?? 0);
      expect(after.calls['/v1/upload/get_upload_server.cgi'] ?? 0).toBe(emuBefore.calls['/v1/upload/get_upload_server.cgi'] ?? 0);
    }
    expect(await filesOf(folder)).toEqual([]);
  });

  it('duplicate names: two uploads of one name in one folder are two files with different URLs', { timeout: TIMEOUT }, async () => {
    const folder = await newFolder('dup');
    const a = await put(folder, 'same.txt', randomBytes(100));
    const b = await put(folder, 'same.txt', randomBytes(200));
    expect(a.url).not.toBe(b.url);
    const items = await filesOf(folder);
    expect(items.map((f) => f.filename)).toEqual(['same.txt', 'same.txt']);
    expect(new Set(items.map((f) => f.url))).toEqual(new Set([a.url, b.url]));
  });
});

// ---------------------------------------------------------------- file changes

describe('file/rename.cgi, file/mv.cgi, file/cp.cgi, file/chattr.cgi', () => {
  it('file/rename keeps the URL', { timeout: TIMEOUT }, async () => {
    const folder = await newFolder('rename');
    const up = await put(folder, 'before.txt', randomBytes(64));
    const res = await t.client.fileRename(up.url, 'after.txt');
    expect(res.renamed).toBe(1);
    expect(res.urls[0]).toEqual({ url: up.url, old_filename: 'before.txt', new_filename: 'after.txt' });
    expect((await filesOf(folder)).map((f) => [f.url, f.filename])).toEqual([[up.url, 'after.txt']]);
  });

  it('file/mv to another folder keeps the URL; only the new folder lists it', { timeout: TIMEOUT }, async () => {
    const from = await newFolder('mvfrom');
    const to = await newFolder('mvto');
    const up = await put(from, 'moved.txt', randomBytes(64));
    const res = await t.client.fileMv([up.url], to);
    expect(res.moved).toBe(1);
    expect(res.urls).toEqual([up.url]);
    expect(await filesOf(from)).toEqual([]);
    expect((await filesOf(to)).map((f) => [f.url, f.filename])).toEqual([[up.url, 'moved.txt']]);
    expect((await t.client.fileInfo(up.url)).checksum).toBe(up.whirlpool);
  });

  it('file/mv with rename moves and renames, URL unchanged', { timeout: TIMEOUT }, async () => {
    const from = await newFolder('mvrnfrom');
    const to = await newFolder('mvrnto');
    const up = await put(from, 'old-name.txt', randomBytes(64));
    const res = await t.client.fileMv([up.url], to, 'new-name.txt');
    expect(res.moved).toBe(1);
    expect(res.urls).toEqual([up.url]);
    expect(await filesOf(from)).toEqual([]);
    expect((await filesOf(to)).map((f) => [f.url, f.filename])).toEqual([[up.url, 'new-name.txt']]);
  });

  it('file/cp gives a new URL with the same checksum; the source stays', { timeout: TIMEOUT }, async () => {
    const from = await newFolder('cpfrom');
    const to = await newFolder('cpto');
    const up = await put(from, 'orig.txt', randomBytes(64));
    const res = await t.client.fileCp([up.url], to, 'copy.txt');
    expect(res.copied).toBe(1);
    const pair = res.urls[0]!;
    expect(pair.from_url).toBe(up.url);
    expect(pair.to_url).toMatch(FILE_URL_RE);
    expect(pair.to_url).not.toBe(up.url);
    const copy = await t.client.fileInfo(pair.to_url);
    expect(copy).toMatchObject({ url: pair.to_url, filename: 'copy.txt', size: 64, checksum: up.whirlpool });
    expect((await filesOf(from)).map((f) => f.url)).toEqual([up.url]);
    expect((await filesOf(to)).map((f) => f.url)).toEqual([pair.to_url]);
  });

  it('file/chattr sets a description', { timeout: TIMEOUT }, async () => {
    const folder = await newFolder('chattr');
    const up = await put(folder, 'described.txt', randomBytes(64));
    const res = await t.client.fileChattr([up.url], { description: 'contract test' });
    expect(res.updated).toBe(1);
    expect(res.urls).toEqual([up.url]);
    const info = await t.client.fileInfo(up.url);
    if (t.kind === 'emulator') expect(info.description).toBe('contract test');
    else expect(info.url).toBe(up.url);
  });

  it('folder/share.cgi shares a folder: its /dir/ page lists its files (with the password when set); share:0 ends it', { timeout: TIMEOUT }, async () => {
    const folder = await newFolder('shared');
    const up = await put(folder, 'public.txt', testBytes(64));
    const shared = await t.client.call('folder/share.cgi', { folder_id: folder, share: 1, pass: 'contract-pass' });
    const id = /\/dir\/([A-Za-z0-9]+)$/.exec(shared.url ?? '')?.[1];
    expect(id, shared.url).toBeDefined();
    expect(await t.client.sharedFolderLs(id!, { pass: 'contract-pass' })).toEqual([{ filename: 'public.txt', link: up.url, size: 64 }]);
    expectError(await apiError(t.client.sharedFolderLs(id!)), { kind: 'forbidden' });
    await t.client.call('folder/share.cgi', { folder_id: folder, share: 0 });
    expectError(await apiError(t.client.sharedFolderLs(id!, { pass: 'contract-pass' })), { kind: 'not-found' });
  });

  it('a KO with HTTP 200 is an error: renaming a deleted file (#312)', { timeout: TIMEOUT }, async () => {
    const folder = await newFolder('rename-ko');
    const up = await put(folder, 'gone.txt', randomBytes(64));
    await t.client.fileRm([up.url]);
    const err = await apiError(t.client.fileRename(up.url, 'whatever.txt'));
    expectError(err, { kind: 'refused', httpStatus: 200, code: 312 });
  });
});

// ---------------------------------------------------------------- file/rm

describe('file/rm.cgi', () => {
  it('removes the file; file/info and get_token on it are then not-found (404 #469)', { timeout: TIMEOUT }, async () => {
    const folder = await newFolder('rm');
    const up = await put(folder, 'doomed.txt', randomBytes(64));
    const res = await t.client.fileRm([up.url]);
    expect(res.removed).toBe(1);
    expect(await filesOf(folder)).toEqual([]);
    expectError(await apiError(t.client.fileInfo(up.url)), { kind: 'not-found', httpStatus: 404, code: 469 });
    expectError(await apiError(t.client.getToken(up.url)), { kind: 'not-found', httpStatus: 404, code: 469 });
  });
});

// ---------------------------------------------------------------- folder/mv, folder/rm

describe('folder/mv.cgi and folder/rm.cgi', () => {
  it('folder/mv renames in place', { timeout: TIMEOUT }, async () => {
    const parent = await newFolder('fmvrename');
    const made = await t.client.folderMkdir(parent, 'first');
    const res = await t.client.folderMv(made.folder_id, { destinationFolderId: parent, rename: 'second' });
    expect(res).toMatchObject({ old_name: 'first', new_name: 'second' });
    const subs = (await t.client.folderLs(parent)).sub_folders ?? [];
    expect(subs.map((s) => [s.id, s.name])).toEqual([[made.folder_id, 'second']]);
  });

  it('folder/mv moves into another folder, keeping its id and contents', { timeout: TIMEOUT }, async () => {
    const a = await newFolder('fmvA');
    const b = await newFolder('fmvB');
    const moving = await newFolder('moving', a);
    const up = await put(moving, 'inside.txt', randomBytes(64));
    await t.client.folderMv(moving, { destinationFolderId: b });
    expect(await subFolderIds(a)).toEqual([]);
    expect(await subFolderIds(b)).toEqual([moving]);
    expect((await filesOf(moving)).map((f) => f.url)).toEqual([up.url]);
  });

  it('folder/mv into its own sub-folder is refused and moves nothing', { timeout: TIMEOUT }, async () => {
    const parent = await newFolder('fmvself');
    const outer = await newFolder('outer', parent);
    const inner = await newFolder('inner', outer);
    const err = await apiError(t.client.folderMv(outer, { destinationFolderId: inner }));
    expect(err.kind).toBe('refused');
    if (t.kind === 'emulator') expectError(err, { kind: 'refused', httpStatus: 200, code: 907 });
    expect(await subFolderIds(parent)).toEqual([outer]);
    expect(await subFolderIds(outer)).toEqual([inner]);
  });

  it('folder/rm of a non-empty folder is a KO (HTTP 200) and the folder stays', { timeout: TIMEOUT }, async () => {
    const parent = await newFolder('frmfull');
    const full = await newFolder('full', parent);
    await put(full, 'keep.txt', randomBytes(64));
    const err = await apiError(t.client.folderRm(full));
    expectError(err, { kind: 'refused', httpStatus: 200 });
    if (t.kind === 'emulator') expect(err.code).toBe(906);
    expect(await subFolderIds(parent)).toEqual([full]);
    expect(await filesOf(full)).toHaveLength(1);
  });

  it('folder/rm of an empty folder removes it', { timeout: TIMEOUT }, async () => {
    const parent = await newFolder('frmempty');
    const empty = await newFolder('empty', parent);
    const res = await t.client.folderRm(empty);
    expect(res.status).toBe('OK');
    expect(await subFolderIds(parent)).toEqual([]);
    expectError(await apiError(t.client.folderLs(empty)), { kind: 'not-found', httpStatus: 404, code: 469 });
  });
});

// ---------------------------------------------------------------- downloads

describe('download/get_token.cgi and the download host', () => {
  const SIZE = 10_000;
  let data: Buffer;
  let fileUrl: string;

  beforeAll(async () => {
    data = randomBytes(SIZE);
    fileUrl = (await put(await newFolder('download'), 'payload.bin', data)).url;
  }, TIMEOUT);

  it('get_token gives a URL; the whole download is byte-identical', { timeout: TIMEOUT }, async () => {
    const tok = await t.client.getToken(fileUrl);
    expect(tok.url).toMatch(/^https?:\/\//);
    const res = await download(tok.url, { expectedSize: SIZE });
    expect(res.status).toBe(200);
    expect(res.totalSize).toBe(SIZE);
    expect(res.body.equals(data)).toBe(true);
  });

  it('Range: first byte, a middle slice, an open-ended tail', { timeout: TIMEOUT }, async () => {
    const cases: { start: number; end?: number }[] = [{ start: 0, end: 0 }, { start: 1000, end: 2999 }, { start: 9000 }];
    for (const c of cases) {
      const res = await download((await t.client.getToken(fileUrl)).url, c);
      expect(res.status, JSON.stringify(c)).toBe(206);
      expect(res.totalSize).toBe(SIZE);
      expect(res.body.equals(data.subarray(c.start, c.end === undefined ? undefined : c.end + 1)), JSON.stringify(c)).toBe(true);
    }
  });

  it('Range: bytes=-100 (suffix) gives 206 and the last 100 bytes', { timeout: TIMEOUT }, async () => {
    const tok = await t.client.getToken(fileUrl, { single: false });
    const res = await t.rawDownload(tok.url, { range: 'bytes=-100' });
    expect(res.status).toBe(206);
    expect(res.headers['content-range']).toBe(`bytes ${SIZE - 100}-${SIZE - 1}/${SIZE}`);
    expect(res.body.equals(data.subarray(SIZE - 100))).toBe(true);
  });

  it('Range past the end is a range error (416)', { timeout: TIMEOUT }, async () => {
    const tok = await t.client.getToken(fileUrl);
    expectError(await apiError(download(tok.url, { start: SIZE })), { kind: 'range', httpStatus: 416 });
  });

  it('a token got with single:false serves two GETs', { timeout: TIMEOUT }, async () => {
    const tok = await t.client.getToken(fileUrl, { single: false });
    for (let i = 0; i < 2; i++) expect((await download(tok.url)).body.equals(data)).toBe(true);
  });

  it('a single:1 token refuses a second GET', { timeout: TIMEOUT }, async () => {
    const tok = await t.client.getToken(fileUrl, { single: true });
    expect((await download(tok.url)).body.equals(data)).toBe(true);
    const err = await apiError(download(tok.url));
    if (t.kind === 'emulator') expectError(err, { kind: 'refused', httpStatus: 410, code: 911 });
    else expect(err.retryable).toBe(false);
  });

  it.runIf(caps.admin)('an expired token is refused (emulator only: needs admin config tokenTtlMs)', { timeout: TIMEOUT }, async () => {
    const ttl = 300;
    const previous = await admin<{ tokenTtlMs: number }>('config');
    await admin('config', { tokenTtlMs: ttl });
    try {
      const tok = await t.client.getToken(fileUrl, { single: false });
      await sleep(ttl + 150);
      expectError(await apiError(download(tok.url)), { kind: 'refused', httpStatus: 410, code: 910 });
    } finally {
      await admin('config', { tokenTtlMs: previous.tokenTtlMs });
    }
  });
});

// ---------------------------------------------------------------- auth

describe('authentication', () => {
  it('a wrong key is an auth error (401 #247), not retried', { timeout: TIMEOUT }, async () => {
    const bad = t.clientWithKey('WrongKey_contract_0123456789abcdef');
    const attemptsBefore = bad.pacerStats().attempts;
    const emuBefore = t.caps.admin ? await emuStats() : undefined;
    const err = await apiError(bad.folderLs(0));
    expectError(err, { kind: 'auth', httpStatus: 401, code: 247 });
    expect(err.retryable).toBe(false);
    expect(bad.pacerStats().attempts - attemptsBefore).toBe(1);
    if (emuBefore) {
      const after = await emuStats();
      expect((after.calls['/v1/folder/ls.cgi'] ?? 0) - (emuBefore.calls['/v1/folder/ls.cgi'] ?? 0)).toBe(1);
    }
  });
});

// ---------------------------------------------------------------- remote upload

describe('remote/request.cgi, remote/ls.cgi, remote/info.cgi', () => {
  let server: Server | undefined;
  const payload = randomBytes(2345);

  beforeAll(async () => {
    if (!caps.loopbackRemote) return;
    const srv = createServer((req, res) => {
      if (req.url === '/remote-file.bin') res.writeHead(200, { 'content-length': String(payload.length) }).end(payload);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    server = srv;
  });

  afterAll(async () => {
    const srv = server;
    if (srv) await new Promise<void>((resolve) => srv.close(() => resolve()));
  });

  /** Polls remote/info until the job has run (bounded). */
  async function finished(id: number): Promise<RemoteInfoResponse> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const info = await t.client.remoteInfo(id);
      if (info.execution_date !== null) return info;
      if (Date.now() > deadline) throw new Error(`remote job ${id} still pending`);
      await sleep(25);
    }
  }

  it.runIf(caps.loopbackRemote)(
    'fetches a URL into a folder (emulator only: the real service cannot reach our 127.0.0.1 server)',
    { timeout: TIMEOUT },
    async () => {
      const folder = await newFolder('remote');
      const port = (server!.address() as AddressInfo).port;
      const url = `http://127.0.0.1:${port}/remote-file.bin`;
      const req = await t.client.remoteRequest([url], folder);
      expect(req.urls).toEqual([url]);
      expect(req.date).toMatch(WIRE_DATE_RE);
      const info = await finished(req.id);
      expect(info.links).toBe(1);
      expect(info.result[0]).toMatchObject({ status: 'OK', url });
      expect(info.result[0]!.download_link).toMatch(FILE_URL_RE);
      const entry = (await filesOf(folder)).find((f) => f.url === info.result[0]!.download_link);
      expect(entry).toMatchObject({ filename: 'remote-file.bin', size: payload.length, checksum: await whirlpoolHex(payload) });
      const ls = await t.client.remoteLs();
      expect(ls.data.find((j) => j.id === req.id)?.execution_date).toMatch(WIRE_DATE_RE);
    },
  );

  it.runIf(caps.loopbackRemote)(
    'a non-loopback URL ends KO without being fetched (emulator only: it refuses non-loopback hosts, #920)',
    { timeout: TIMEOUT },
    async () => {
      const folder = await newFolder('remote-ko');
      const req = await t.client.remoteRequest(['http://192.0.2.1/x'], folder);
      const info = await finished(req.id);
      expect(info.links).toBe(0);
      expect(info.result[0]?.status).toBe('KO');
      expect(parseFichierCode(info.result[0]?.message ?? '')).toBe(920);
      expect(await filesOf(folder)).toEqual([]);
    },
  );
});

// ---------------------------------------------------------------- dates and listing filters

/** Against the real API, a folder is listed at most once per 30 s (its published rule). */
const sameFolderPause = () => sleep(REAL ? 31_000 : 0);

describe('wire dates and file/ls filters', () => {
  it('dates are Paris local time: a new upload is dated within minutes of now once read as Europe/Paris', { timeout: TIMEOUT }, async () => {
    const folder = await newFolder('dates');
    const before = Date.now();
    await put(folder, 'dated.txt', testBytes(64));
    const [entry] = await filesOf(folder);
    const listed = parseWireDate(entry!.date)!.getTime();
    expect(listed).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 5 * 60_000);
    expect(listed).toBeLessThanOrEqual(Date.now() + 5 * 60_000);
  });

  it('sent_after and sent_before filter by upload date, both bounds inclusive to the second', { timeout: TIMEOUT }, async () => {
    const folder = await newFolder('sent');
    const a = await put(folder, 'a.txt', testBytes(10));
    await sleep(1100);
    const b = await put(folder, 'b.txt', testBytes(10));
    const items = await filesOf(folder);
    const dateOf = (url: string) => items.find((f) => f.url === url)!.date;
    expect(dateOf(a.url) < dateOf(b.url)).toBe(true);
    const filtered = async (f: { sent_after?: string; sent_before?: string }) => {
      await sameFolderPause();
      return (await t.client.call('file/ls.cgi', { folder_id: folder, ...f })).items.map((i) => i.url).sort();
    };
    expect(await filtered({ sent_after: dateOf(b.url) })).toEqual([b.url]);
    expect(await filtered({ sent_before: dateOf(a.url) })).toEqual([a.url]);
    expect(await filtered({ sent_after: dateOf(a.url), sent_before: dateOf(b.url) })).toEqual([a.url, b.url].sort());
  });
});

// ---------------------------------------------------------------- the service's rules

describe('the real service rules (emulator only: its realistic profile, time-scaled by 0.01)', () => {
  // At 0.01: listings 30 ms apart, a folder once per 300 ms, user/info once per 3 s, bans of 3 s.
  beforeEach(async () => {
    if (!caps.admin) return;
    await admin('profile', { profile: 'realistic', timeScale: 0.01 });
    await admin('config', { endPlNoLinksRatio: 0, endPlWaitPageRatio: 0, downloadRedirectRatio: 0 });
    await admin('limits/reset', {});
  });
  afterEach(async () => {
    if (!caps.admin) return;
    await admin('profile', { profile: 'lenient', timeScale: 1 });
    await admin('limits/reset', {});
  });

  it.runIf(caps.admin)('listing one folder twice in quick succession is a flood error (403), and the ban refuses other calls', { timeout: TIMEOUT }, async () => {
    const folder = await newFolder('rule-ls');
    await t.client.call('folder/ls.cgi', { folder_id: folder }, { retry: false });
    const err = await apiError(t.client.call('file/ls.cgi', { folder_id: folder }, { retry: false }));
    expectError(err, { kind: 'flood', httpStatus: 403 });
    expect(err.retryable).toBe(true);
    expectError(await apiError(t.client.call('file/info.cgi', { url: 'https://1fichier.com/?contractprobe0' }, { retry: false })), { kind: 'flood', httpStatus: 403 });
    const st = await admin<EmulatorStats>('stats');
    expect(st.banLevel).toBe(1);
    expect((st.refusedByRule.listInterval ?? 0) + (st.refusedByRule.listFolderInterval ?? 0)).toBe(1);
    expect(st.refusedByRule.ban).toBe(1);
  });

  it.runIf(caps.admin)('user/info twice within its interval is #38 and bans nothing: listings keep working', { timeout: TIMEOUT }, async () => {
    await t.client.call('user/info.cgi', {}, { retry: false });
    expectError(await apiError(t.client.call('user/info.cgi', {}, { retry: false })), { kind: 'flood', httpStatus: 403, code: 38 });
    expect((await t.client.call('folder/ls.cgi', { folder_id: t.scratchId }, { retry: false })).folder_id).toBe(t.scratchId);
    expect((await admin<EmulatorStats>('stats')).bannedUntil).toBeNull();
  });

  it.runIf(caps.admin)('file/ls answers at most 5,000 files (the newest); sent_before pages back through the rest', { timeout: TIMEOUT }, async () => {
    const folder = await newFolder('rule-cap');
    await admin('seed/files', { folderId: folder, count: 6000, spacingMs: 1000 });
    await sleep(310);
    const first = await t.client.fileLs(folder);
    expect(first.count).toBe(5000);
    const oldest = first.items.map((f) => f.date).sort()[0]!;
    await sleep(310);
    const rest = await t.client.call('file/ls.cgi', { folder_id: folder, sent_before: oldest });
    expect(rest.count).toBe(1001);
    expect(new Set([...first.items, ...rest.items].map((f) => f.url)).size).toBe(6000);
    expect((await admin<EmulatorStats>('stats')).bannedUntil).toBeNull();
  });

  it.runIf(caps.admin)('a new upload reaches listings only after the consistency delay; a deleted file leaves them late', { timeout: TIMEOUT }, async () => {
    // Delays long enough that a loaded machine still lists within them.
    await admin('config', { newFileListDelayMs: 1500, deletedFileListDelayMs: 1500 });
    const folder = await newFolder('rule-lag');
    const up = await put(folder, 'late.txt', testBytes(32));
    expect(await filesOf(folder)).toEqual([]);
    await sleep(1600);
    expect((await filesOf(folder)).map((f) => f.url)).toEqual([up.url]);
    await t.client.fileRm([up.url]);
    await sleep(310);
    expect((await filesOf(folder)).map((f) => f.url)).toEqual([up.url]);
    await sleep(1600);
    expect(await filesOf(folder)).toEqual([]);
  });
});

// ---------------------------------------------------------------- faults

describe('transient faults', () => {
  afterEach(async () => {
    if (caps.admin) await admin('faults/clear', {});
  });

  it.runIf(caps.admin)('two 503s on folder/ls.cgi are retried and the call succeeds (emulator only: fault injection)', { timeout: TIMEOUT }, async () => {
    const folder = await newFolder('fault-ls');
    const before = await emuStats();
    const retriesBefore = t.client.pacerStats().retries;
    await admin('faults', { failNext: [{ endpoint: 'folder/ls.cgi', count: 2, status: 503 }] });
    const ls = await t.client.folderLs(folder);
    expect(ls.folder_id).toBe(folder);
    expect(t.client.pacerStats().retries - retriesBefore).toBe(2);
    const after = await emuStats();
    expect((after.calls['/v1/folder/ls.cgi'] ?? 0) - (before.calls['/v1/folder/ls.cgi'] ?? 0)).toBe(3);
  });

  it.runIf(caps.admin)('end.pl answering HTML twice is polled again and the upload succeeds (emulator only: fault injection)', { timeout: TIMEOUT }, async () => {
    const folder = await newFolder('fault-end');
    const before = await emuStats();
    await admin('faults', { endPlHtml: { count: 2 } });
    const data = randomBytes(1000);
    const up = await put(folder, 'patient.bin', data);
    expect(up.whirlpool).toBe(await whirlpoolHex(data));
    const after = await emuStats();
    expect((after.calls['/end.pl'] ?? 0) - (before.calls['/end.pl'] ?? 0)).toBe(3);
    expect((await filesOf(folder)).map((f) => f.url)).toEqual([up.url]);
  });
});

// ---------------------------------------------------------------- coverage

describe('coverage', () => {
  it.runIf(caps.admin)('every endpoint of the Endpoints map was called (emulator only: reads the emulator call counters)', async () => {
    const { calls } = await emuStats();
    const missing = ENDPOINT_PATHS.filter((p) => !(calls[`/v1/${p}`] ?? 0));
    expect(missing).toEqual([]);
  });
});
