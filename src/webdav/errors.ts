/**
 * The ONE table that turns a failure into an HTTP answer. Handlers throw DavError, FsError, XmlError,
 * IfHeaderError, LockConflictError or LockTokenError; the core catches every rejection and calls sendError.
 * Nothing else in the WebDAV layer picks a status for an exception.
 *
 * Every error answer carries a short body: `<D:error>` XML when the error names an RFC 4918 condition, else a
 * one-line text/plain reason. HEAD answers carry no body. A response whose headers are already on the wire cannot
 * be turned into an error any more: it is destroyed, so the client sees a truncated transfer rather than a lie.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FsError, type FsErrorCode } from '../core/errors.ts';
import type { Logger } from '../util/log.ts';
import { DavError } from './context.ts';
import { IfHeaderError } from './if-header.ts';
import { LockConflictError, LockTokenError } from './locks.ts';
import { DAV_NS, XmlError, el, errorDocument } from './xml.ts';

/** What sendError needs of a request (a DavRequest, or the raw pair before one could be built). */
export interface ErrorTarget {
  readonly method: string;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
}

/**
 * A DavError whose condition element carries hrefs, e.g. 423 with
 * `<D:lock-token-submitted><D:href>/locked/root</D:href></D:lock-token-submitted>` (RFC 4918 §16).
 */
export class DavConditionError extends DavError {
  readonly hrefs: readonly string[];

  constructor(status: number, message: string, condition: string, hrefs: readonly string[], headers?: Record<string, string>) {
    super(status, message, { condition, headers });
    this.name = 'DavConditionError';
    this.hrefs = hrefs;
  }
}

/** What an error becomes on the wire. */
export interface ErrorAnswer {
  status: number;
  reason: string;
  condition?: string;
  hrefs?: readonly string[];
  headers: Record<string, string>;
  /** True for failures that are ours (500): logged at error level with the stack. */
  internal: boolean;
}

/**
 * Status and reason of each FsError code. The reason is a fixed phrase a person can read, never the error's
 * own message (which may quote the storage's answer); EEXIST and EINVAL depend on the method (fsAnswer).
 */
const FS_ANSWERS: Record<FsErrorCode, { status: number; reason: string }> = {
  ENOENT: { status: 404, reason: 'not found' },
  EEXIST: { status: 409, reason: 'already exists' },
  ENOTEMPTY: { status: 409, reason: 'collection not empty' },
  EISDIR: { status: 405, reason: 'is a collection' },
  ENOTDIR: { status: 409, reason: 'not a collection' },
  EROFS: { status: 403, reason: 'read-only server' },
  ENOSPC: { status: 507, reason: 'insufficient storage' },
  EIO: { status: 502, reason: 'the storage failed' },
  // The body failed the checksum the client announced (OC-Checksum): the client's request was wrong.
  EBADMSG: { status: 400, reason: 'body does not match its checksum' },
  EAGAIN: { status: 503, reason: 'storage busy, retry later' },
  EACCES: { status: 403, reason: 'the storage refused access' },
  ERANGE: { status: 416, reason: 'range not satisfiable' },
  ENOTSUP: { status: 501, reason: 'not supported by this storage' },
  EINVAL: { status: 400, reason: 'invalid request' },
};

function fsAnswer(method: string, err: FsError): ErrorAnswer {
  const headers: Record<string, string> = {};
  const known = FS_ANSWERS[err.code] as (typeof FS_ANSWERS)[FsErrorCode] | undefined;
  if (!known) return { status: 500, reason: 'internal error', headers, internal: true };
  let { status } = known;
  const copyOrMove = method === 'COPY' || method === 'MOVE';
  if (err.code === 'EEXIST') status = method === 'MKCOL' ? 405 : copyOrMove ? 412 : 409;
  if (err.code === 'EINVAL' && copyOrMove) status = 403;
  if (err.code === 'EAGAIN') headers['Retry-After'] = String(Math.max(1, Math.ceil((err.retryAfterMs ?? 30_000) / 1000)));
  return { status, reason: known.reason, headers, internal: false };
}

/** Maps any thrown value to its answer (pure; exported for tests and for handlers that need the status). */
export function errorAnswer(method: string, err: unknown): ErrorAnswer {
  if (err instanceof DavConditionError) {
    return { status: err.status, reason: err.message, condition: err.condition, hrefs: err.hrefs, headers: err.headers, internal: false };
  }
  if (err instanceof DavError) {
    return { status: err.status, reason: err.message, condition: err.condition, headers: err.headers, internal: err.status >= 500 && err.status !== 502 && err.status !== 503 && err.status !== 507 };
  }
  if (err instanceof FsError) return fsAnswer(method, err);
  if (err instanceof XmlError) {
    return { status: err.code === 'too-large' ? 413 : 400, reason: `XML body: ${err.code}`, headers: {}, internal: false };
  }
  if (err instanceof IfHeaderError) return { status: 400, reason: 'malformed If header', headers: {}, internal: false };
  if (err instanceof LockConflictError) {
    return { status: 423, reason: 'locked', condition: 'no-conflicting-lock', headers: {}, internal: false };
  }
  if (err instanceof LockTokenError) {
    return method === 'UNLOCK'
      ? { status: err.reason === 'not-owner' ? 403 : 409, reason: `lock token refused (${err.reason})`, condition: 'lock-token-matches-request-uri', headers: {}, internal: false }
      : { status: 412, reason: `lock token refused (${err.reason})`, condition: 'lock-token-submitted', headers: {}, internal: false };
  }
  return { status: 500, reason: 'internal error', headers: {}, internal: true };
}

/** True for Microsoft's redirector and Office, which cache 404s unless told not to. */
function isMicrosoftAgent(req: IncomingMessage): boolean {
  return /microsoft|ms-office|mini-redir/i.test(req.headers['user-agent'] ?? '');
}

/**
 * Answers `err` on `t.res` (status, headers, short body), or destroys the response when its headers were already
 * sent. Never throws. 5xx failures that are ours are logged with the error.
 */
export function sendError(t: ErrorTarget, err: unknown, logger?: Logger): void {
  const a = errorAnswer(t.method, err);
  if (a.internal) logger?.error({ err, method: t.method, url: t.req.url }, 'request failed');
  else logger?.debug({ status: a.status, reason: a.reason, method: t.method, url: t.req.url }, 'request refused');
  const { res } = t;
  try {
    if (res.headersSent || res.writableEnded) {
      if (!res.writableEnded) res.destroy();
      return;
    }
    for (const name of res.getHeaderNames()) {
      if (/^(content-|etag$|last-modified$|lock-token$|x-oc-mtime$|accept-ranges$)/i.test(name)) res.removeHeader(name);
    }
    let body: string;
    let type: string;
    if (a.condition !== undefined) {
      const hrefs = (a.hrefs ?? []).map((h) => el(DAV_NS, 'href', h));
      body = errorDocument(hrefs.length > 0 ? el(DAV_NS, a.condition, hrefs) : a.condition);
      type = 'application/xml; charset=utf-8';
    } else {
      body = `${a.status} ${a.reason}\n`;
      type = 'text/plain; charset=utf-8';
    }
    res.statusCode = a.status;
    for (const [k, v] of Object.entries(a.headers)) res.setHeader(k, v);
    if (a.status === 404 && isMicrosoftAgent(t.req)) res.setHeader('Cache-Control', 'no-store');
    if (!t.req.complete) res.setHeader('Connection', 'close');
    const payload = Buffer.from(body, 'utf8');
    res.setHeader('Content-Type', type);
    res.setHeader('Content-Length', String(payload.length));
    if (t.method === 'HEAD') res.end();
    else res.end(payload);
  } catch (e) {
    logger?.error({ err: e }, 'could not send an error answer');
    res.destroy();
  }
}
