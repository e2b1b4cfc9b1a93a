import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ReqOf, ResOf } from '../api/types.ts';
import type { CallCtx } from './api.ts';
import { fileByUrl, randomId } from './catalog.ts';
import { optFlag, optStr } from './check.ts';
import type { Core } from './core.ts';
import { KO, sendError, type KoError } from './errors.ts';
import { checkAuth } from './http.ts';
import type { TokenRow } from './state.ts';
import { pump } from './streams.ts';

/**
 * download/get_token.cgi and the download host (GET/HEAD /<token>).
 * Tokens: expired => 410 #910; a `single` token already used => 410 #911 (with downloadErrorsAsHtml, both
 * are a 200 text/html error page instead); unknown token or deleted file => 404 #469. HEAD never consumes a
 * single-use token. Multiple ranges are answered 200 with the whole file.
 * A token drawn to redirect (downloadRedirectRatio) answers 302 to another download host name with a
 * fresh token (same file, expiry and flags) that serves the bytes; the redirect consumes nothing.
 */

/** Token path on the download host: 32 alphanumerics. */
export const TOKEN_PATH_RE = /^\/([A-Za-z0-9]{32})$/;

/** A download URL on a real-looking host; `single: 1` makes it one-shot; file password checked (403 #631). */
export function getToken(body: ReqOf<'download/get_token.cgi'>, { core }: CallCtx): ResOf<'download/get_token.cgi'> {
  const f = fileByUrl(core, body.url);
  if (f.pass !== '' && optStr(body.pass, 'pass') !== f.pass) throw KO.badPassword();
  const now = core.clock.now();
  core.state.pruneTokens(now);
  const token = randomId(32);
  core.state.insertToken({
    token,
    file_id: f.id,
    single: optFlag(body.single, 'single') ?? 0,
    inline: optFlag(body.inline, 'inline') ?? f.inline,
    expires: now + core.config.tokenTtlMs,
    redirect: core.chance.roll('redirect', core.config.downloadRedirectRatio) ? 1 : 0,
    no_ssl: optFlag(body.no_ssl, 'no_ssl') ?? f.no_ssl,
  });
  return { status: 'OK', url: tokenUrl(token, 'a') };
}

/** The URL of `token` on a download host: "a-N" hosts hand out tokens, "b-N" hosts serve redirects. */
function tokenUrl(token: string, hostPrefix: 'a' | 'b', noSsl = 0): string {
  return `${noSsl === 1 ? 'http' : 'https'}://${hostPrefix}-${1 + (token.charCodeAt(0) % 9)}.1fichier.com/${token}`;
}

const EXPIRED_PAGE =
  '<!DOCTYPE html><html><head><meta charset="utf-8"><title>1fichier.com</title></head>' +
  '<body><div class="bloc">Ce lien de téléchargement a expiré. / This download link has expired. ' +
  'Veuillez relancer le téléchargement. / Please start the download again.</div></body></html>';

/** A dead token: 410 JSON, or the 200 HTML page when downloadErrorsAsHtml is on. */
function deadToken(core: Core, res: ServerResponse, error: KoError): void {
  if (!core.config.downloadErrorsAsHtml) throw error;
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': String(Buffer.byteLength(EXPIRED_PAGE)) });
  res.end(EXPIRED_PAGE);
}

/** 302 to a fresh token on another download host; the original token stays unused. */
function redirect(core: Core, res: ServerResponse, t: TokenRow): void {
  const token = randomId(32);
  core.state.insertToken({ token, file_id: t.file_id, single: t.single, inline: t.inline, expires: t.expires, redirect: 0, no_ssl: t.no_ssl });
  core.stats.redirects++;
  res.writeHead(302, { location: tokenUrl(token, 'b', t.no_ssl), 'content-length': '0' });
  res.end();
}

type ByteRange = { start: number; end: number } | 'unsatisfiable' | undefined;

/** Parses a single `bytes=` range against `size`; undefined = serve the whole file (absent, malformed or multiple). */
export function parseRange(header: string | undefined, size: number): ByteRange {
  if (!header) return undefined;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

function disposition(filename: string, inline: boolean): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `${inline ? 'inline' : 'attachment'}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/** Serves GET/HEAD /<token>. A wrong Bearer key => 401; no Authorization header is fine (the token is the capability). */
export async function serveDownload(core: Core, req: IncomingMessage, res: ServerResponse, token: string): Promise<void> {
  const rec = core.stats.record('download', core.clock.now(), false);
  res.on('finish', () => (rec.status = res.statusCode));
  try {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw KO.methodNotAllowed();
    if (checkAuth(req, core.apiKey) === 'wrong') throw KO.notAuthenticated();
    const fault = core.faults.takeFailure('download');
    if (fault) throw fault;
    const t = core.state.token(token);
    if (!t) throw KO.notFound();
    if (core.clock.now() >= t.expires) return deadToken(core, res, KO.tokenExpired());
    if (t.single && t.used) return deadToken(core, res, KO.tokenUsed());
    const f = core.state.file(t.file_id);
    if (!f) throw KO.notFound();
    if (t.redirect) return redirect(core, res, t);
    const range = parseRange(req.headers.range, f.size);
    const common = {
      'accept-ranges': 'bytes',
      'content-type': f.content_type,
      'content-disposition': disposition(f.filename, t.inline === 1),
      'last-modified': new Date(f.date).toUTCString(),
      etag: `"${f.checksum.slice(0, 32)}"`,
    };
    if (range === 'unsatisfiable') {
      res.writeHead(416, { ...common, 'content-range': `bytes */${f.size}`, 'content-length': '0' });
      res.end();
      return;
    }
    if (req.method === 'HEAD') {
      res.writeHead(200, { ...common, 'content-length': String(f.size) });
      res.end();
      return;
    }
    if (t.single) core.state.markTokenUsed(token);
    const { start, end } = range ?? { start: 0, end: f.size - 1 };
    res.writeHead(range ? 206 : 200, {
      ...common,
      'content-length': String(end - start + 1),
      ...(range ? { 'content-range': `bytes ${start}-${end}/${f.size}` } : {}),
    });
    core.stats.downloads++;
    const cutAfter = core.faults.takeReset('download');
    await pump(core.blobs.read(f.checksum, start, end), res, {
      clock: core.clock,
      bytesPerSec: core.faults.bandwidth('download'),
      cutAfter,
      onBytes: (n) => (core.stats.bytesOut += n),
    });
  } catch (err) {
    sendError(res, err, core.logger);
  }
}

