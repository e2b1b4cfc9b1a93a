import { isIP } from 'node:net';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { ReqOf, ResOf } from '../api/types.ts';
import type { CallCtx } from './api.ts';
import { addFile, fileUrl, fits, wireDate } from './catalog.ts';
import { array, int, isObject, str } from './check.ts';
import { inBackground, type Core } from './core.ts';
import { KO } from './errors.ts';
import { ROOT_ID, type RemoteJobRow, type RemoteResultRow } from './state.ts';

/**
 * Remote upload: remote/request.cgi queues a job whose URLs are fetched in the background, but ONLY
 * from loopback hosts (127.0.0.0/8, ::1, localhost); any other URL's result is KO without a connection.
 * Each fetched body becomes a file named after the URL path's last segment (percent-decoded).
 */

/** True for localhost, 127.0.0.0/8 and ::1. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1';
  return false;
}

function headerList(v: unknown): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (Array.isArray(v)) {
    const out: Record<string, string> = {};
    for (const line of v) {
      const m = /^([^:]+):\s*(.*)$/.exec(str(line, 'headers[]'));
      if (m) out[m[1]!.trim()] = m[2]!;
    }
    return out;
  }
  if (!isObject(v)) throw KO.badParam('headers');
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, str(x, `headers.${k}`)]));
}

function leafName(u: URL): string {
  const seg = u.pathname.split('/').pop() ?? '';
  try {
    return decodeURIComponent(seg) || 'index.html';
  } catch {
    return seg || 'index.html';
  }
}

/** Fetches one URL into the job's folder; returns the result row to store. */
async function fetchOne(core: Core, job: RemoteJobRow, idx: number, url: string, headers: Record<string, string>): Promise<RemoteResultRow> {
  const ko = (message: string): RemoteResultRow => ({ job_id: job.id, idx, url, status: 'KO', download_link: '', message });
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return ko('Invalid URL #921');
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || !isLoopbackHost(u.hostname)) return ko('Remote host not allowed by the emulator #920');
  const res = await fetch(u, { headers, redirect: 'error', signal: core.closing.signal });
  if (!res.ok || !res.body) return ko(`Remote server answered HTTP ${res.status} #922`);
  const blob = await core.blobs.receive(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>));
  if (blob.size === 0 || !fits(core, blob.size)) {
    blob.discard();
    return ko(blob.size === 0 ? 'Empty file #923' : 'Not enough space #912');
  }
  const folderId = core.state.folder(job.folder_id) ? job.folder_id : ROOT_ID;
  const row = addFile(core, blob, folderId, leafName(u));
  return { job_id: job.id, idx, url, status: 'OK', download_link: fileUrl(row.id), message: '' };
}

async function runJob(core: Core, job: RemoteJobRow, urls: string[], headers: Record<string, string>): Promise<void> {
  for (const [idx, url] of urls.entries()) {
    let result: RemoteResultRow;
    try {
      result = await fetchOne(core, job, idx, url, headers);
    } catch (err) {
      if (core.closing.signal.aborted) return;
      result = { job_id: job.id, idx, url, status: 'KO', download_link: '', message: `Download failed: ${err instanceof Error ? err.message : String(err)} #922` };
    }
    core.state.setJobResult(result);
  }
  core.state.finishJob(job.id, core.clock.now());
}

/** Queues a remote upload job (unknown folder => 404 #469); the fetches run in the background. */
export function remoteRequest(body: ReqOf<'remote/request.cgi'>, { core }: CallCtx): ResOf<'remote/request.cgi'> {
  const urls = array(body.urls, 'urls').map((u) => str(u, 'urls[]'));
  if (urls.length === 0) throw KO.badParam('urls');
  const folderId = int(body.folder_id ?? ROOT_ID, 'folder_id');
  if (!core.state.folder(folderId)) throw KO.notFound();
  const headers = headerList(body.headers);
  const job = core.state.createJob(folderId, urls, core.clock.now());
  inBackground(core, () => runJob(core, job, urls, headers));
  return { status: 'OK', id: job.id, date: wireDate(job.requested), urls, ...(body.headers !== undefined ? { headers: body.headers } : {}) };
}

/** Every remote job with its dates (execution_date null while running). */
export function remoteLs(_body: ReqOf<'remote/ls.cgi'>, { core }: CallCtx): ResOf<'remote/ls.cgi'> {
  return {
    status: 'OK',
    data: core.state.jobs().map((j) => ({ id: j.id, request_date: wireDate(j.requested), execution_date: j.executed === null ? null : wireDate(j.executed) })),
  };
}

/** One job with per-URL results; unknown id => 404 #469. */
export function remoteInfo(body: ReqOf<'remote/info.cgi'>, { core }: CallCtx): ResOf<'remote/info.cgi'> {
  const job = core.state.job(int(body.id, 'id'));
  if (!job) throw KO.notFound();
  const results = core.state.jobResults(job.id);
  return {
    status: 'OK',
    id: job.id,
    request_date: wireDate(job.requested),
    execution_date: job.executed === null ? null : wireDate(job.executed),
    links: results.filter((r) => r.status === 'OK').length,
    result: results.map((r) => ({ status: r.status, url: r.url, download_link: r.download_link, message: r.message })),
  };
}

/** Marks jobs left unfinished by a previous run as failed (their fetches died with the process). */
export function failInterruptedJobs(core: Core): void {
  for (const job of core.state.unfinishedJobs()) {
    for (const r of core.state.jobResults(job.id)) {
      if (r.status === 'pending') core.state.setJobResult({ ...r, status: 'KO', message: 'Interrupted by an emulator restart #924' });
    }
    core.state.finishJob(job.id, core.clock.now());
  }
}
