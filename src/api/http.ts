/**
 * The HTTP layer under the client: one undici dispatcher (keep-alive), the request headers, and the
 * mapping of "no answer" to a 'transport' FichierApiError. `#headers` is the ONLY place that reads the
 * API key. Nothing here logs or stores headers, and errors never include them.
 *
 * undici is imported on the first request, not at start: its code is a few MB of resident memory that a
 * gateway nobody has asked anything yet does not need (start-up makes no API call).
 */
import { Readable } from 'node:stream';
import type * as Undici from 'undici';
import type { Dispatcher } from 'undici';
import type { Secret } from '../util/secret.ts';
import type { Logger } from '../util/log.ts';
import { transportError } from './errors.ts';
import { observeAttempt, reportTransfer, type ApiObserver } from './observer.ts';

export type HttpBody = string | Uint8Array | Readable | AsyncIterable<Uint8Array>;

export interface HttpRequest {
  /** Endpoint name for errors and logs ("file/ls.cgi", "upload.cgi", "end.pl", "download"). */
  endpoint: string;
  url: string;
  method: 'GET' | 'POST';
  /** Extra headers; Authorization and User-Agent are added here. */
  headers?: Record<string, string>;
  body?: HttpBody;
  signal?: AbortSignal;
  /**
   * Send on a new connection, closed after this request (`Connection: close`): the upload POST, which some
   * upload nodes expect alone on its connection (a client SDK for 1fichier needs it). With an injected
   * dispatcher only the header is sent.
   */
  fresh?: boolean;
}

export interface HttpText {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface HttpTransportOptions {
  apiKey: Secret;
  userAgent: string;
  logger: Logger;
  /** Default: a keep-alive Agent owned (and closed) by this transport. */
  dispatcher?: Dispatcher;
  /** Told of every attempt and transfer (metrics). */
  observer?: ApiObserver;
}

/** Largest body read as text (API answers, error pages); the rest is discarded. */
const MAX_TEXT_BYTES = 64 * 1024 * 1024;

export class HttpTransport {
  readonly #apiKey: Secret;
  readonly #userAgent: string;
  readonly #log: Logger;
  /** The caller's dispatcher, or ours once the first request created it. */
  #dispatcher: Dispatcher | undefined;
  readonly #owned: boolean;
  #closed: Promise<void> | undefined;
  readonly #observer: ApiObserver | undefined;

  constructor(o: HttpTransportOptions) {
    this.#apiKey = o.apiKey;
    this.#userAgent = o.userAgent;
    this.#log = o.logger;
    this.#owned = o.dispatcher === undefined;
    this.#observer = o.observer;
    this.#dispatcher = o.dispatcher;
  }

  /**
   * Sends one request and returns undici's response with its body unread (the caller must consume or
   * dump it). Rejects with a 'transport' FichierApiError when no HTTP answer arrives, or with the
   * signal's reason when `signal` aborts.
   */
  async send(req: HttpRequest): Promise<Dispatcher.ResponseData> {
    const started = performance.now();
    this.#log.trace({ endpoint: req.endpoint, method: req.method, url: req.url }, '1fichier request');
    // As before undici was lazy: a closed transport sends nothing (undici's closed Agent refused it).
    if (this.#closed !== undefined && this.#dispatcher === undefined) throw transportError(req.endpoint, new Error('the HTTP transport is closed'));
    const { Agent, Client, request } = await loadUndici();
    this.#dispatcher ??= new Agent({ keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000 });
    const oneOff = req.fresh && this.#owned ? new Client(new URL(req.url).origin) : undefined;
    const headers = req.fresh ? { ...req.headers, connection: 'close' } : req.headers;
    try {
      const res = await request(req.url, {
        method: req.method,
        headers: this.#headers(headers),
        body: toUndiciBody(req.body),
        signal: req.signal ?? null,
        dispatcher: oneOff ?? this.#dispatcher,
      });
      if (oneOff) res.body.once('close', () => void oneOff.close().catch(() => undefined));
      this.#log.debug(
        { endpoint: req.endpoint, method: req.method, status: res.statusCode, ms: Math.round(performance.now() - started) },
        '1fichier response',
      );
      return res;
    } catch (err) {
      void oneOff?.destroy().catch(() => undefined);
      if (req.signal?.aborted) throw req.signal.reason;
      const e = transportError(req.endpoint, err);
      this.#log.debug({ endpoint: req.endpoint, method: req.method, err: e.message }, '1fichier request failed');
      throw e;
    }
  }

  /** Like `send`, then reads the whole body as UTF-8 text (capped at 64 MiB). Same rejections. */
  async exchange(req: HttpRequest): Promise<HttpText> {
    const res = await this.send(req);
    return { status: res.statusCode, headers: res.headers, text: await readText(res.body, req, MAX_TEXT_BYTES) };
  }

  /**
   * Runs `fn`, one attempt at `endpoint` (send + decode), and reports its outcome and duration to the
   * observer (see observer.ts). Returns or throws exactly what `fn` does.
   */
  attempt<T>(endpoint: string, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
    return observeAttempt(this.#observer, endpoint, signal, fn);
  }

  /** Reports `bytes` of file content sent ('up') or received ('down') to the observer. Never throws. */
  transferred(direction: 'up' | 'down', bytes: number): void {
    reportTransfer(this.#observer, direction, bytes);
  }

  /** True when the observer counts transfer bytes (so callers may skip the counting work otherwise). */
  get countsTransfers(): boolean {
    return this.#observer?.transfer !== undefined;
  }

  /** Closes the dispatcher if this transport created it. Idempotent: a second call waits for the first. */
  close(): Promise<void> {
    return (this.#closed ??= this.#owned && this.#dispatcher ? this.#dispatcher.close() : Promise.resolve());
  }

  #headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...extra, 'user-agent': this.#userAgent, authorization: `Bearer ${this.#apiKey.reveal()}` };
  }
}

let undici: Promise<typeof Undici> | undefined;
const loadUndici = (): Promise<typeof Undici> => (undici ??= import('undici'));

function toUndiciBody(body: HttpBody | undefined): string | Uint8Array | Readable | null {
  if (body === undefined) return null;
  if (typeof body === 'string' || body instanceof Uint8Array || body instanceof Readable) return body;
  return Readable.from(body, { objectMode: false });
}

/**
 * Reads up to `maxBytes` of `body` as UTF-8 and discards the rest. Rejects with a 'transport' error if the
 * connection breaks mid-body, or with the signal's reason on abort.
 */
export async function readText(
  body: AsyncIterable<Uint8Array | string>,
  req: Pick<HttpRequest, 'endpoint' | 'signal'>,
  maxBytes: number,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (size < maxBytes) chunks.push(buf.subarray(0, maxBytes - size));
      size += buf.length;
    }
  } catch (err) {
    if (req.signal?.aborted) throw req.signal.reason;
    throw transportError(req.endpoint, err);
  }
  return Buffer.concat(chunks).toString('utf8');
}
