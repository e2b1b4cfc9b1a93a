import type { ServerResponse } from 'node:http';
import type { KoBody } from '../api/types.ts';
import type { Logger } from '../util/log.ts';

/**
 * The emulator's one error type and the one place that renders KO bodies.
 * Handlers throw `koError(httpStatus, message)`; the router turns it into
 * `HTTP <status> {"status":"KO","message":"..."}`. Codes below #900 are the real service's;
 * #9xx codes are invented by the emulator where the real code is unknown (see index.ts).
 */
export class KoError extends Error {
  constructor(
    readonly httpStatus: number,
    message: string,
    /** Answer the bare message as text/plain instead of a JSON KO body (flood answers sometimes are). */
    readonly plainText = false,
  ) {
    super(message);
    this.name = 'KoError';
  }

  /** The same error answered as plain text. */
  asPlainText(): KoError {
    return new KoError(this.httpStatus, this.message, true);
  }
}

/** Builds (does not throw) a KO error answered with `httpStatus`. */
export function koError(httpStatus: number, message: string): KoError {
  return new KoError(httpStatus, message);
}

/** Every KO the emulator answers, with its HTTP status: one table, so statuses stay consistent. */
export const KO = {
  notAuthenticated: () => koError(401, 'Not authenticated #247'),
  notFound: () => koError(404, 'Resource not found #469'),
  flood: () => koError(403, 'Flood detected: IP Locked #374'),
  userLocked: () => koError(403, 'Flood detected: User Locked #412'),
  userInfoFlood: () => koError(403, 'Flood detected: IP Locked #38'),
  /** An escalated ban: the bare message JDownloader waits an hour after. */
  ipLocked: () => koError(403, 'IP Locked'),
  noFileRenamed: () => koError(200, 'No file has been renamed #312'),
  badPassword: () => koError(403, 'Resource not allowed. Invalid password. #631'),
  malformedJson: () => koError(400, 'Malformed JSON body #901'),
  badParam: (name: string) => koError(400, `Invalid parameter ${name} #902`),
  unknownMethod: () => koError(404, 'Unknown API method #903'),
  methodNotAllowed: () => koError(405, 'Method not allowed #904'),
  folderExists: (httpStatus: number) => koError(httpStatus, 'A folder with this name already exists #905'),
  folderNotEmpty: () => koError(200, 'Folder is not empty #906'),
  folderIntoItself: () => koError(200, 'Cannot move a folder into itself or a sub-folder #907'),
  sameNameSameFolder: () => koError(200, 'File already in this folder with this name #908'),
  renameNeedsOneUrl: () => koError(200, 'Rename needs exactly one URL #909'),
  tokenExpired: () => koError(410, 'Download link expired #910'),
  tokenUsed: () => koError(410, 'Download link already used #911'),
  noSpace: () => koError(200, 'Not enough space #912'),
  rootFolder: () => koError(200, 'Not allowed on the root folder #913'),
  bodyTooLarge: () => koError(413, 'Request body too large #915'),
  notMultipart: () => koError(400, 'Expected multipart/form-data #917'),
  internal: () => koError(500, 'Internal error #500'),
};

/** The default body of an injected failure with this status. */
export function faultError(status: number, message?: string): KoError {
  if (message !== undefined) return koError(status, message);
  if (status === 401) return KO.notAuthenticated();
  if (status === 403) return KO.flood();
  if (status === 404) return KO.notFound();
  if (status >= 500) return koError(status, `Service unavailable #${status}`);
  return koError(status, `Injected fault #${status}`);
}

/** Writes a JSON body with Content-Length; `pretty` indents it (the API's `pretty: 1`). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, pretty = false): void {
  const text = pretty ? JSON.stringify(body, null, 2) : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/**
 * Answers `err` as a KO body: a KoError with its own status, anything else as 500 (logged).
 * Does nothing when the headers are already sent (the socket is destroyed instead).
 */
export function sendError(res: ServerResponse, err: unknown, logger: Logger): void {
  const ko = err instanceof KoError ? err : KO.internal();
  if (!(err instanceof KoError)) logger.error({ err }, 'emulator: unexpected error');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (ko.plainText) {
    res.writeHead(ko.httpStatus, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(ko.message)) });
    res.end(ko.message);
    return;
  }
  const body: KoBody = { status: 'KO', message: ko.message };
  const headers: Record<string, string> = ko.httpStatus === 401 ? { 'www-authenticate': 'Bearer' } : {};
  sendJson(res, ko.httpStatus, body, headers);
}
