/**
 * The HTTP layer under the client: node's own HTTP client with one keep-alive agent per protocol, the request
 * headers, and the mapping of "no answer" to a 'transport' FichierApiError. `#headers` is the ONLY place that
 * reads the API key. Nothing here logs or stores headers, and errors never include them.
 *
 * Why node:http and not undici: the server already runs node's HTTP stack (its parser is native code inside
 * node), so a client on it costs no memory at all, while loading undici costs ~16 MB of resident memory (its
 * modules, and its parser, compiled from WebAssembly) in a process that idles at under 70 MB: measured with
 * `scripts/bench/memory/first-request.ts`, a fresh server went from idle to +26 MB on its first request with
 * undici, and that is what a big PUT's peak was measured from. The transport needs little of what undici adds
 * (no HTTP/2, no pipelining, redirects are followed by the caller): keep-alive, streaming bodies both ways,
 * timeouts and abort, all of which node's client has. node:https is loaded only for an https URL (the real
 * service), so a gateway in front of the emulator never loads TLS.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import type https from 'node:https';
import { Readable, pipeline } from 'node:stream';
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
   * upload nodes expect alone on its connection (a client SDK for 1fichier needs it).
   */
  fresh?: boolean;
}

/** An answer whose body has not been read: the caller must consume or destroy `body`. */
export interface HttpResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: Readable;
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
  /** Told of every attempt and transfer (metrics). */
  observer?: ApiObserver;
  /** Default CONNECT_TIMEOUT_MS and IDLE_TIMEOUT_MS (tests shorten them). */
  connectTimeoutMs?: number;
  idleTimeoutMs?: number;
}

/** Largest body read as text (API answers, error pages); the rest is discarded. */
const MAX_TEXT_BYTES = 64 * 1024 * 1024;

/** How long a connection may take to open: nothing was sent when it fails (the error says so, errors.ts). */
export const CONNECT_TIMEOUT_MS = 10_000;
/** How long a request may see no byte move either way (waiting for the answer's head, or between body chunks). */
export const IDLE_TIMEOUT_MS = 300_000;
/** How long an idle keep-alive connection is kept (the server's own Keep-Alive hint is honoured when shorter). */
const KEEP_ALIVE_MS = 10_000;

/** Error codes of the two timeouts, known to errors.ts. */
export const CONNECT_TIMEOUT_CODE = 'ECONNECT_TIMEOUT';
export const IDLE_TIMEOUT_CODE = 'ETIMEDOUT';

type Transport = typeof http | typeof https;

export class HttpTransport {
  readonly #apiKey: Secret;
  readonly #userAgent: string;
  readonly #log: Logger;
  readonly #observer: ApiObserver | undefined;
  readonly #connectTimeout: number;
  readonly #idleTimeout: number;
  readonly #agents = new Map<Transport, http.Agent>();
  /** Requests sent and not yet ended (their answer's body included): `close()` waits for them. */
  readonly #inFlight = new Set<Promise<void>>();
  #closed: Promise<void> | undefined;

  constructor(o: HttpTransportOptions) {
    this.#apiKey = o.apiKey;
    this.#userAgent = o.userAgent;
    this.#log = o.logger;
    this.#observer = o.observer;
    this.#connectTimeout = o.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
    this.#idleTimeout = o.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
  }

  /**
   * Sends one request and returns the answer with its body unread (the caller must consume or destroy it).
   * Rejects with a 'transport' FichierApiError when no HTTP answer arrives (connection refused or reset,
   * either timeout, the transport closed), or with the signal's reason when `signal` aborts. A failure after
   * the answer arrived is an 'error' event of `body`.
   */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const started = performance.now();
    this.#log.trace({ endpoint: req.endpoint, method: req.method, url: req.url }, '1fichier request');
    if (this.#closed !== undefined) throw transportError(req.endpoint, new Error('the HTTP transport is closed'));
    try {
      const url = new URL(req.url);
      const transport: Transport = url.protocol === 'https:' ? await loadHttps() : http;
      const res = await this.#request(transport, url, req);
      this.#log.debug(
        { endpoint: req.endpoint, method: req.method, status: res.statusCode, ms: Math.round(performance.now() - started) },
        '1fichier response',
      );
      return res;
    } catch (err) {
      if (req.signal?.aborted) throw req.signal.reason;
      const e = transportError(req.endpoint, err);
      this.#log.debug({ endpoint: req.endpoint, method: req.method, err: e.message }, '1fichier request failed');
      throw e;
    }
  }

  #request(transport: Transport, url: URL, req: HttpRequest): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const headers = this.#headers(req.fresh ? { ...req.headers, connection: 'close' } : req.headers);
      const body = req.body;
      if ((typeof body === 'string' || body instanceof Uint8Array) && !hasHeader(headers, 'content-length')) {
        headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
      }
      const out = transport.request(url, {
        method: req.method,
        headers,
        agent: req.fresh ? false : this.#agent(transport),
        timeout: this.#idleTimeout,
        ...(req.signal ? { signal: req.signal } : {}),
      });
      let ended!: () => void;
      const done = new Promise<void>((r) => (ended = r));
      this.#inFlight.add(done);
      void done.then(() => this.#inFlight.delete(done));
      let answer: http.IncomingMessage | undefined;
      out.once('close', () => {
        // The request is over when its answer's body is too (or when it failed without one).
        if (answer === undefined || answer.closed) ended();
        else answer.once('close', ended);
      });
      out.on('error', reject);
      out.once('timeout', () => out.destroy(codeError(IDLE_TIMEOUT_CODE, `no data for ${this.#idleTimeout} ms`)));
      out.once('socket', (socket) => {
        if (!socket.connecting) return;
        const timer = setTimeout(() => out.destroy(codeError(CONNECT_TIMEOUT_CODE, `could not connect within ${this.#connectTimeout} ms`)), this.#connectTimeout);
        timer.unref();
        socket.once('connect', () => clearTimeout(timer));
        socket.once('close', () => clearTimeout(timer));
      });
      out.once('response', (res) => {
        answer = res;
        resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: res });
      });
      if (body === undefined) out.end();
      else if (typeof body === 'string' || body instanceof Uint8Array) out.end(body);
      else {
        // A failing source destroys the request (its error rejects above); the request's own failures are
        // reported by its 'error' event, so the pipeline's result has nothing more to say.
        pipeline(body instanceof Readable ? body : Readable.from(body, { objectMode: false }), out, () => undefined);
      }
    });
  }

  #agent(transport: Transport): http.Agent {
    let agent = this.#agents.get(transport);
    if (agent === undefined) {
      agent = new transport.Agent({ keepAlive: true, timeout: KEEP_ALIVE_MS, scheduling: 'lifo' });
      this.#agents.set(transport, agent);
    }
    return agent;
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

  /**
   * Refuses new requests, waits for those in flight (their bodies included) to end, then closes the kept-alive
   * connections. Idempotent: a second call waits for the first.
   */
  close(): Promise<void> {
    return (this.#closed ??= (async () => {
      while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
      for (const agent of this.#agents.values()) agent.destroy();
    })());
  }

  #headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...extra, 'user-agent': this.#userAgent, authorization: `Bearer ${this.#apiKey.reveal()}` };
  }
}

let httpsModule: Promise<typeof https> | undefined;
const loadHttps = (): Promise<typeof https> => (httpsModule ??= import('node:https').then((m) => m.default));

const hasHeader = (headers: Record<string, string>, name: string): boolean => Object.keys(headers).some((k) => k.toLowerCase() === name);

function codeError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
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
