import busboy from 'busboy';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { EndUploadResponse } from '../api/types.ts';
import type { StagedBlob } from './blobs.ts';
import { addFile, fileUrl, fits } from './catalog.ts';
import { delay, type Core } from './core.ts';
import { KO, sendError, sendJson } from './errors.ts';
import { checkAuth, urlOf } from './http.ts';
import { ROOT_ID } from './state.ts';
import { meter } from './streams.ts';

/**
 * The upload node: POST /upload.cgi?id=ID (multipart `did` + `file[]`) and GET /end.pl?xid=ID.
 * Each file part is streamed to a staged blob while hashed; files are committed only after the whole
 * request body has been received, so a listing never shows a half-written file. 0-byte files and files
 * over quota are dropped (no end.pl link).
 */

interface Received {
  filename: string;
  blob: Promise<StagedBlob>;
}

function authOr401(core: Core, req: IncomingMessage): void {
  if (checkAuth(req, core.apiKey) !== 'ok') throw KO.notAuthenticated();
}

/** Parses the multipart body; resolves with the `did` field and the received files once the body has been read entirely. */
async function receiveMultipart(core: Core, req: IncomingMessage, res: ServerResponse): Promise<{ did: string | undefined; files: Received[] }> {
  const bb = busboy({ headers: req.headers, defParamCharset: 'utf8', preservePath: true });
  let did: string | undefined;
  const files: Received[] = [];
  bb.on('field', (fieldName, value) => {
    if (fieldName === 'did') did = value;
  });
  bb.on('file', (fieldName, stream, info) => {
    if (fieldName !== 'file[]' && fieldName !== 'file') return void stream.resume();
    const blob = core.blobs.receive(stream);
    blob.catch(() => undefined);
    files.push({ filename: info.filename ?? '', blob });
  });
  const cutAfter = core.faults.takeReset('upload');
  const body = meter({
    clock: core.clock,
    bytesPerSec: core.faults.bandwidth('upload'),
    cutAfter,
    onCut: () => req.socket.destroy(),
    onBytes: (n) => (core.stats.bytesIn += n),
  });
  try {
    await pipeline(req, body, bb);
    if (cutAfter !== undefined && res.destroyed) throw new Error('upload connection reset (injected)');
    await Promise.all(files.map((f) => f.blob));
    return { did, files };
  } catch (err) {
    await discardAll(files);
    throw err;
  }
}

async function discardAll(files: Received[]): Promise<void> {
  const settled = await Promise.allSettled(files.map((f) => f.blob));
  for (const s of settled) if (s.status === 'fulfilled') s.value.discard();
}

/** POST /upload.cgi?id=ID => 302 Location: /end.pl?xid=ID. Unknown id => 404 #469; not multipart => 400 #917. */
export async function handleUpload(core: Core, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const rec = core.stats.record('/upload.cgi', core.clock.now(), false);
  res.on('finish', () => (rec.status = res.statusCode));
  try {
    if (req.method !== 'POST') throw KO.methodNotAllowed();
    authOr401(core, req);
    const id = urlOf(req).searchParams.get('id') ?? '';
    if (!core.state.uploadSession(id)) throw KO.notFound();
    if (!/^multipart\/form-data/i.test(req.headers['content-type'] ?? '')) throw KO.notMultipart();
    const fault = core.faults.takeFailure('upload');
    if (fault) throw fault;
    const { did, files } = await receiveMultipart(core, req, res);
    const requested = did !== undefined && /^\d+$/.test(did.trim()) ? Number(did) : ROOT_ID;
    const folderId = core.state.folder(requested) ? requested : ROOT_ID;
    for (const f of files) {
      const blob = await f.blob;
      if (blob.size === 0 || !fits(core, blob.size)) {
        blob.discard();
        continue;
      }
      const row = addFile(core, blob, folderId, f.filename);
      core.state.addUploadLink({ xid: id, file_id: row.id, filename: row.filename, size: row.size, whirlpool: row.checksum });
    }
    if (files.length > 0) holdEndPl(core, id);
    await delay(core, core.config.latencyMs + core.faults.latency('upload'));
    if (core.faults.takeResetAfterUpload()) {
      req.socket.destroy();
      return;
    }
    const location = `/end.pl?xid=${encodeURIComponent(id)}`;
    const html = `<html><body><a href="${location}">Upload done</a></body></html>`;
    res.writeHead(302, { location, 'content-type': 'text/html; charset=utf-8', 'content-length': String(Buffer.byteLength(html)) });
    res.end(html);
  } catch (err) {
    if (!res.destroyed) sendError(res, err, core.logger);
  }
}

/**
 * Draws whether this upload's end.pl is slow to settle: for endPlSettleMs it answers without links
 * (endPlNoLinksRatio) or with the "please wait" page (endPlWaitPageRatio), else it is ready at once.
 */
function holdEndPl(core: Core, xid: string): void {
  const { endPlSettleMs, endPlNoLinksRatio, endPlWaitPageRatio } = core.config;
  if (endPlSettleMs <= 0 || endPlNoLinksRatio + endPlWaitPageRatio <= 0) return;
  const r = core.chance.next('endPl');
  const phase = r < endPlNoLinksRatio ? 'no-links' : r < endPlNoLinksRatio + endPlWaitPageRatio ? 'wait-page' : undefined;
  if (phase) core.settling.holdEndPl(xid, phase, core.clock.now() + endPlSettleMs);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const WAIT_PAGE =
  '<!DOCTYPE html><html><head><meta charset="utf-8"><title>1fichier.com</title></head>' +
  '<body><div class="bloc">Veuillez patienter / Please wait: the file is being checked.</div></body></html>';

function sendHtml(res: ServerResponse, html: string): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': String(Buffer.byteLength(html)) });
  res.end(html);
}

/**
 * GET /end.pl?xid=ID, any number of times: HTML without header `JSON: 1`, EndUploadResponse with it
 * (without links, or the "please wait" page, while the upload settles: see holdEndPl). Unknown xid => 404 #469.
 */
export async function handleEndPl(core: Core, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const rec = core.stats.record('/end.pl', core.clock.now(), false);
  res.on('finish', () => (rec.status = res.statusCode));
  try {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw KO.methodNotAllowed();
    authOr401(core, req);
    const xid = urlOf(req).searchParams.get('xid') ?? '';
    if (!core.state.uploadSession(xid)) throw KO.notFound();
    const fault = core.faults.takeFailure('end');
    if (fault) throw fault;
    await delay(core, core.config.latencyMs + core.faults.latency('end'));
    const links = core.state.uploadLinks(xid);
    if (String(req.headers.json ?? '').trim() !== '1') {
      const rows = links
        .map((l) => `<tr><td>${escapeHtml(l.filename)}</td><td>${l.size}</td><td><a href="${fileUrl(l.file_id)}">${fileUrl(l.file_id)}</a></td></tr>`)
        .join('');
      return sendHtml(res, `<!DOCTYPE html><html><body><table class="premium">${rows}</table></body></html>`);
    }
    const phase = core.settling.endPlPhase(xid, core.clock.now());
    if (core.faults.takeEndPlHtml() || phase === 'wait-page') return sendHtml(res, WAIT_PAGE);
    const noLinks = core.faults.takeEndPlNoLinks() || phase === 'no-links';
    const body: EndUploadResponse = {
      incoming: 0,
      links: (noLinks ? [] : links).map((l) => ({ download: fileUrl(l.file_id), filename: l.filename, size: String(l.size), whirlpool: l.whirlpool, remove: '' })),
    };
    sendJson(res, 200, body);
  } catch (err) {
    sendError(res, err, core.logger);
  }
}
