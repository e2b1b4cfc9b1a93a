/**
 * The one error type of the 1fichier wire layer and the one function that classifies every HTTP outcome
 * (status + body) into success or a FichierApiError.
 *
 * Rules: an error arrives either as a non-2xx status or as HTTP 200 with `status: "KO"`;
 * a JSON body without `status` is a success (get_upload_server, end.pl); a non-JSON body where JSON was
 * expected is a 'protocol' error. The 1fichier code is the first `#(\d{1,3})` of the message (rclone's rule).
 *
 * Messages never contain request headers, and every message passes through `redact()`, so the API key
 * cannot reach a message or a stack even if a server echoed it.
 */
import { redact } from '../util/secret.ts';

export type FichierErrorKind =
  | 'auth'
  | 'flood'
  | 'not-found'
  | 'forbidden'
  | 'refused'
  | 'server'
  | 'transport'
  | 'protocol'
  | 'premium'
  | 'upload'
  | 'range';

export interface FichierApiErrorInit {
  endpoint: string;
  kind: FichierErrorKind;
  retryable: boolean;
  /** What happened and what to do, without the endpoint prefix. */
  advice: string;
  httpStatus?: number;
  code?: number;
  /** The server's own message, quoted in the error message. */
  serverMessage?: string;
  /** Delay asked by a `Retry-After` header, in ms. */
  retryAfterMs?: number;
  /** For a retryable error: the most attempts worth making (fewer than the pacer's default). */
  attemptLimit?: number;
  /** The request may have taken effect all the same (an upload whose outcome is unknown). */
  outcomeUnknown?: boolean;
  cause?: unknown;
}

export class FichierApiError extends Error {
  override readonly name = 'FichierApiError';
  /** Endpoint path (e.g. "file/ls.cgi", "upload.cgi", "end.pl", "download"). */
  readonly endpoint: string;
  /** HTTP status, undefined for transport errors and client-side refusals. */
  readonly httpStatus: number | undefined;
  /** 1fichier's numeric code (first `#NNN` of its message), when there is one. */
  readonly code: number | undefined;
  readonly kind: FichierErrorKind;
  /** True when the same request may succeed if sent again later. */
  readonly retryable: boolean;
  /** Delay asked by a `Retry-After` header, in ms. */
  readonly retryAfterMs: number | undefined;
  /** The server's message (e.g. "Flood detected: IP Locked #374"), redacted. */
  readonly serverMessage: string | undefined;
  /** For a retryable error: the most attempts worth making, when fewer than the pacer's default. */
  readonly attemptLimit: number | undefined;
  /** True when the request may have taken effect all the same: the caller must find out before retrying. */
  readonly outcomeUnknown: boolean;

  constructor(init: FichierApiErrorInit) {
    const quoted = init.serverMessage ? ` (1fichier said: ${JSON.stringify(init.serverMessage)})` : '';
    const status = init.httpStatus !== undefined ? ` [HTTP ${init.httpStatus}]` : '';
    super(redact(`1fichier ${init.endpoint}: ${init.advice}${quoted}${status}`), { cause: init.cause });
    this.endpoint = init.endpoint;
    this.httpStatus = init.httpStatus;
    this.code = init.code;
    this.kind = init.kind;
    this.retryable = init.retryable;
    this.retryAfterMs = init.retryAfterMs;
    this.serverMessage = init.serverMessage === undefined ? undefined : redact(init.serverMessage);
    this.attemptLimit = init.attemptLimit;
    this.outcomeUnknown = init.outcomeUnknown ?? false;
    if (this.stack) this.stack = redact(this.stack);
  }
}

/** HTTP statuses retried with backoff (rclone's list minus 403, which is retried only as a flood ban). */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504, 509]);

const FLOOD_CODES: ReadonlySet<number> = new Set([374, 412, 38]);
const AUTH_CODES: ReadonlySet<number> = new Set([247, 93]);
const FORBIDDEN_CODES: ReadonlySet<number> = new Set([186, 620, 631, 649, 887]);
/** Forbidden codes that mean "wait" rather than "not allowed": IP blocked, owner locked, one location at a time. */
const WAIT_CODES: ReadonlySet<number> = new Set([186, 620, 649, 887]);
/** user/info's own limit (about one call per 5 min): not a ban of the key, other endpoints keep working. */
export const USER_INFO_FLOOD_CODE = 38;
const FLOOD_TEXT = /flood detected|ip locked|requests are too fast/i;
const OWNER_LOCKED_TEXT = /owner locked/i;
/** The bare "IP Locked" answer (no "Flood detected") and the one-hour page: a long ban (JDownloader waits 1 h). */
const ESCALATED_TEXT = /^\s*IP Locked\b|unlocked within 1 ?h/i;
/** A 403 without any known code or text: retried this many times in all before it is reported. */
const UNKNOWN_403_ATTEMPTS = 3;
const PLEASE_WAIT_TEXT = /please wait|veuillez patienter/i;

const ADVICE = {
  auth: 'the API key is wrong or revoked; create one at https://1fichier.com/console/params.pl',
  premium: 'the account must be premium (Premium, Access)',
  flood: '1fichier rate-limited this key; fichier-dav pauses and retries',
  userInfoFlood: 'user/info is limited to about one call per 5 minutes; the last known quota is served',
  unknown403: '1fichier refused the request (HTTP 403 without a known code)',
  notFound: 'no such file or folder (deleted or unknown link)',
  server: '1fichier had a server error; fichier-dav retries with backoff',
} as const;

const FORBIDDEN_ADVICE: Record<number, string> = {
  186: '1fichier blocked this IP; wait or use another network',
  631: 'the file is private, restricted or password-protected; give its password or ask its owner',
  620: '1fichier locked the account owner; wait before retrying',
  649: '1fichier locked the account (often after too many file/info calls); wait before retrying',
  887: 'the account is used from another IP (only 1 location at a time); stop the other client and wait',
};

/** First `#(\d{1,3})` of a message, as rclone parses it. */
export function parseFichierCode(message: string): number | undefined {
  const m = /#(\d{1,3})/.exec(message);
  return m ? Number(m[1]) : undefined;
}

/** A `Retry-After` header (delta-seconds or HTTP date) in ms from `nowMs`; undefined when absent or invalid. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - nowMs);
}

/**
 * True for a flood answer that must pause every caller (403/Flood/#374/#412/"IP Locked"), as opposed to a plain
 * 429 or user/info's own limit (#38), which stops user/info only.
 */
export function isFloodBan(err: unknown): boolean {
  return err instanceof FichierApiError && err.kind === 'flood' && err.httpStatus !== 429 && err.code !== USER_INFO_FLOOD_CODE;
}

/** True for a ban answer that says the ban is a long one (the bare "IP Locked", "unlocked within 1h"). */
export function isEscalatedBan(err: unknown): boolean {
  return isFloodBan(err) && ESCALATED_TEXT.test((err as FichierApiError).serverMessage ?? '');
}

/**
 * True for a refusal that means "wait", not "not allowed": IP blocked (#186), owner locked (#620, #649 or the
 * text alone), one location at a time (#887).
 */
export function isTemporaryRefusal(err: unknown): boolean {
  if (!(err instanceof FichierApiError) || err.kind !== 'forbidden') return false;
  return (err.code !== undefined && WAIT_CODES.has(err.code)) || OWNER_LOCKED_TEXT.test(err.serverMessage ?? '');
}

/** One HTTP outcome, as read by the transport. */
export interface HttpOutcome {
  endpoint: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The response body as text. */
  text: string;
  /** Clock time, to resolve a Retry-After date. */
  nowMs: number;
  /** Treat any non-JSON 2xx body as retryable (end.pl while the antivirus scan runs). */
  nonJsonRetryable?: boolean;
}

/**
 * Classify one HTTP outcome. Returns the parsed JSON body on success; throws FichierApiError otherwise:
 * a KO body (whatever the status), a non-2xx status, or a non-JSON body ('protocol').
 */
export function decodeOutcome(o: HttpOutcome): unknown {
  const json = parseJsonObject(o.text);
  const retryAfterMs = parseRetryAfter(o.headers['retry-after'], o.nowMs);
  const ok2xx = o.status >= 200 && o.status < 300;
  if (json !== undefined) {
    const status = json['status'];
    const isKo = status !== undefined && String(status).toUpperCase() !== 'OK';
    if (ok2xx && !isKo) return json;
    const message = typeof json['message'] === 'string' ? json['message'] : '';
    throw classifyFailure(o.endpoint, o.status, message, retryAfterMs);
  }
  const snippet = htmlSnippet(o.text);
  if (!ok2xx) throw classifyFailure(o.endpoint, o.status, snippet, retryAfterMs);
  const pleaseWait = PLEASE_WAIT_TEXT.test(o.text);
  if (FLOOD_TEXT.test(o.text)) throw classifyFailure(o.endpoint, o.status, snippet, retryAfterMs);
  throw new FichierApiError({
    endpoint: o.endpoint,
    kind: 'protocol',
    retryable: pleaseWait || o.nonJsonRetryable === true,
    advice: pleaseWait
      ? '1fichier is still processing (please wait); fichier-dav retries'
      : 'expected JSON, got another answer (an HTML page?)',
    httpStatus: o.status,
    serverMessage: snippet,
    retryAfterMs,
  });
}

/** The error for a failed answer (non-2xx or KO), from its status and server message. */
export function classifyFailure(
  endpoint: string,
  httpStatus: number,
  message: string,
  retryAfterMs?: number,
): FichierApiError {
  const code = parseFichierCode(message);
  const base = { endpoint, httpStatus, code, serverMessage: message || undefined, retryAfterMs };
  if (code === USER_INFO_FLOOD_CODE) return new FichierApiError({ ...base, kind: 'flood', retryable: false, advice: ADVICE.userInfoFlood });
  const floodLike = (code !== undefined && FLOOD_CODES.has(code)) || FLOOD_TEXT.test(message) || httpStatus === 429;
  if (floodLike) return new FichierApiError({ ...base, kind: 'flood', retryable: true, advice: ADVICE.flood });
  if ((code !== undefined && AUTH_CODES.has(code)) || httpStatus === 401) {
    return new FichierApiError({ ...base, kind: 'auth', retryable: false, advice: ADVICE.auth });
  }
  if (code === 200) return new FichierApiError({ ...base, kind: 'premium', retryable: false, advice: ADVICE.premium });
  if (code === 469 || httpStatus === 404) {
    return new FichierApiError({ ...base, kind: 'not-found', retryable: false, advice: ADVICE.notFound });
  }
  if (httpStatus === 416) {
    return new FichierApiError({ ...base, kind: 'range', retryable: false, advice: 'the requested byte range is outside the file' });
  }
  if (OWNER_LOCKED_TEXT.test(message) && (code === undefined || !FORBIDDEN_CODES.has(code))) {
    return new FichierApiError({ ...base, kind: 'forbidden', retryable: false, advice: FORBIDDEN_ADVICE[649]! });
  }
  if ((code !== undefined && FORBIDDEN_CODES.has(code)) || (httpStatus === 403 && code !== undefined)) {
    const advice = (code !== undefined ? FORBIDDEN_ADVICE[code] : undefined) ?? '1fichier refused access to this resource';
    return new FichierApiError({ ...base, kind: 'forbidden', retryable: false, advice });
  }
  if (httpStatus === 403) {
    // Nothing says why: a refusal a moment later may not repeat (a proxy, a short lock). A few tries, then reported.
    return new FichierApiError({ ...base, kind: 'forbidden', retryable: true, attemptLimit: UNKNOWN_403_ATTEMPTS, advice: ADVICE.unknown403 });
  }
  if (httpStatus >= 500) {
    const retryable = RETRYABLE_STATUSES.has(httpStatus);
    const advice = retryable ? ADVICE.server : '1fichier does not support this request';
    return new FichierApiError({ ...base, kind: 'server', retryable, advice });
  }
  return new FichierApiError({ ...base, kind: 'refused', retryable: false, advice: '1fichier refused the request' });
}

/** Transport-level failure codes (node's, and http.ts's two timeouts) that are worth retrying. */
const RETRYABLE_TRANSPORT = /^(ECONNRESET|ECONNREFUSED|ETIMEDOUT|ECONNECT_TIMEOUT|EPIPE|EAI_AGAIN|ENOTFOUND|EHOSTUNREACH|ENETUNREACH)$/;

/** Transport failures that happen before a request can have reached the server (nothing was sent). */
const NOT_SENT_TRANSPORT = /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ECONNECT_TIMEOUT)$/;

/** True when `err` is a transport failure that happened before the request could reach the server. */
export function neverSent(err: unknown): boolean {
  if (!(err instanceof FichierApiError) || err.kind !== 'transport') return false;
  const code = errorCode(err.cause);
  return code !== undefined && NOT_SENT_TRANSPORT.test(code);
}

/** The error for a request that got no HTTP answer (connection refused, reset, timeout...). */
export function transportError(endpoint: string, cause: unknown): FichierApiError {
  const code = errorCode(cause);
  return new FichierApiError({
    endpoint,
    kind: 'transport',
    retryable: code === undefined || RETRYABLE_TRANSPORT.test(code),
    advice: `network error talking to 1fichier (${code ?? 'unknown'}); check connectivity, fichier-dav retries`,
    cause,
  });
}

/** A client-side refusal or an unusable success answer (no HTTP error involved). */
export function localError(
  endpoint: string,
  kind: FichierErrorKind,
  advice: string,
  extra: { httpStatus?: number; serverMessage?: string; retryable?: boolean; attemptLimit?: number; outcomeUnknown?: boolean; cause?: unknown } = {},
): FichierApiError {
  return new FichierApiError({ ...extra, endpoint, kind, advice, retryable: extra.retryable ?? false });
}

function errorCode(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const c = (e as { code?: unknown }).code;
    if (typeof c === 'string') return c;
  }
  return undefined;
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  const t = text.trim();
  if (!t.startsWith('{')) return undefined;
  try {
    const v: unknown = JSON.parse(t);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A short, tag-free excerpt of an HTML or text body for an error message. */
function htmlSnippet(text: string): string {
  const plain = text
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > 160 ? `${plain.slice(0, 157)}...` : plain;
}
