/**
 * rclone rc input: parameters from the query string, merged with a JSON object body (as rclone's rcserver: a
 * repeated key keeps its last value, the body wins over the query). Errors are RcError with the HTTP status to
 * answer.
 *
 * Unlike rclone's rcserver, an application/x-www-form-urlencoded, multipart or text/plain request is refused with
 * 415 (even without a body, since a form can carry its parameters in the query): those are the content types a
 * web page may POST to another site without asking first, so refusing them stops cross-site form posts even
 * from a browser that sends no Origin. `rclone rc` sends JSON.
 */
import type { IncomingMessage } from 'node:http';

export type RcParams = Record<string, unknown>;

/** A failure answered as `{error, input, status, path}` with `status` as the HTTP status. */
export class RcError extends Error {
  readonly status: number;
  /** Extra response headers (lower-case names), e.g. a Basic challenge. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'RcError';
    this.status = status;
    this.headers = headers;
  }
}

/**
 * Reads the parameters of `req`: the query of `url`, then the JSON body (at most `maxBytes`).
 * Throws RcError 413 for a larger body, 415 for a Content-Type other than application/json or a body without
 * one, 400 for malformed JSON or a JSON body that is not an object.
 * Rejects with the stream's error when the client goes away mid-body.
 */
export async function readParams(req: IncomingMessage, url: URL, maxBytes: number): Promise<RcParams> {
  const params: RcParams = Object.create(null) as RcParams;
  for (const [k, v] of url.searchParams) params[k] = v;
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw new RcError(413, `request body larger than ${maxBytes} bytes`);
  const body = await readBody(req, maxBytes);
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type !== 'application/json' && (type !== '' || body.length > 0)) {
    throw new RcError(415, 'the control port takes parameters in the query string or as a JSON body (Content-Type: application/json)');
  }
  if (body.length > 0) Object.assign(params, parseJsonObject(body.toString('utf8')));
  return params;
}

/**
 * The whole body, or RcError 413 once it passes `maxBytes` (the rest is drained and discarded, so that the
 * 413 answer can still be written: destroying the request would destroy the socket).
 */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      cleanup();
      req.on('error', () => undefined);
      req.resume();
      reject(new RcError(413, `request body larger than ${maxBytes} bytes`));
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onClose = () => onError(new RcError(400, 'the client closed the request before its end'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

function parseJsonObject(text: string): RcParams {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RcError(400, 'failed to read input JSON: malformed JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new RcError(400, 'failed to read input JSON: the body must be a JSON object');
  }
  return value as RcParams;
}

/** Parses a boolean as Go's strconv.ParseBool (1, t, true, 0, f, false in any case) or a JSON boolean. Throws RcError 400. */
export function boolParam(params: RcParams, key: string): boolean | undefined {
  const v = params[key];
  if (v === undefined) return undefined;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    if (/^(1|t|true)$/i.test(v)) return true;
    if (/^(0|f|false)$/i.test(v)) return false;
  }
  throw new RcError(400, `invalid boolean for "${key}"`);
}

/** The parameters an endpoint sees: without `fs` (one VFS here) and rclone's special `_` parameters (`_async`...). */
export function ownParams(params: RcParams): [string, unknown][] {
  return Object.entries(params).filter(([k]) => k !== 'fs' && !k.startsWith('_'));
}
