/**
 * The HTTP side of the WebDAV remote: URLs of remote paths under the base URL (and back from hrefs), one
 * request helper over an undici dispatcher that turns transport failures and error statuses into FsError
 * (errors.ts), and PROPFIND with a streamed multistatus.
 */
import { Agent } from 'undici';
import type { Dispatcher } from 'undici';
import { FsError } from '../../../src/core/errors.ts';
import { fsErrorOf, retryAfterMs, transportError } from './errors.ts';
import { MultistatusReader } from './multistatus.ts';
import type { DavResponse } from './multistatus.ts';

/** Most bytes of an error body kept for the message and the 409 distinction. */
const ERROR_BODY_BYTES = 4096;

export interface DavHttpOptions {
  /** Base URL of the WebDAV tree (a trailing '/' is added when missing). */
  url: string;
  user?: string;
  pass?: string;
  /** undici dispatcher to use; default: a private Agent, closed by `close()`. */
  dispatcher?: Dispatcher;
}

export interface SendOptions {
  headers?: Record<string, string>;
  body?: Dispatcher.DispatchOptions['body'];
  signal?: AbortSignal;
  /** Statuses that count as success (default: 2xx). */
  ok?: readonly number[];
}

/** The same encoding as the server's hrefs: every byte outside the unreserved set is percent-encoded. */
function encodeSegment(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export class DavHttp {
  readonly #base: URL;
  /** Decoded segments of the base URL's path. */
  readonly #baseSegs: string[];
  readonly #auth: string | undefined;
  readonly #dispatcher: Dispatcher;
  readonly #owned: boolean;

  constructor(opts: DavHttpOptions) {
    this.#base = new URL(opts.url.endsWith('/') ? opts.url : `${opts.url}/`);
    this.#baseSegs = this.#base.pathname.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
    this.#auth = opts.user !== undefined ? `Basic ${Buffer.from(`${opts.user}:${opts.pass ?? ''}`).toString('base64')}` : undefined;
    this.#owned = opts.dispatcher === undefined;
    this.#dispatcher = opts.dispatcher ?? new Agent({ keepAliveTimeout: 10_000 });
  }

  /** The absolute URL of remote path `path` ('' = the base); collections get a trailing '/'. */
  urlOf(path: string, collection = false): string {
    if (path === '') return this.#base.href;
    const encoded = path.split('/').map(encodeSegment).join('/');
    return `${this.#base.href}${encoded}${collection ? '/' : ''}`;
  }

  /** The remote path of an href (absolute URL or absolute path). Throws EIO for an href outside the base URL. */
  pathOfHref(href: string): string {
    let segs: string[];
    try {
      const pathname = new URL(href, this.#base).pathname;
      segs = pathname.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
    } catch (err) {
      throw new FsError('EIO', `malformed href in multistatus: ${href}`, { cause: err });
    }
    const inBase = this.#baseSegs.every((s, i) => segs[i] === s);
    if (!inBase) throw new FsError('EIO', `href outside the base URL: ${href}`);
    return segs.slice(this.#baseSegs.length).join('/');
  }

  /**
   * Sends one request about remote path `path` (at `url`). Resolves with the response when its status is in
   * `ok` (default 2xx); otherwise reads the start of the body and throws the mapped FsError. Transport failures
   * throw EAGAIN (network) or EIO.
   */
  async send(method: string, path: string, url: string, o: SendOptions = {}): Promise<Dispatcher.ResponseData> {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (this.#auth !== undefined) headers.authorization = this.#auth;
    let res: Dispatcher.ResponseData;
    try {
      res = await this.#dispatcher.request({
        origin: this.#base.origin,
        path: url.slice(this.#base.origin.length),
        method: method as Dispatcher.HttpMethod,
        headers,
        body: o.body ?? null,
        signal: o.signal,
      });
    } catch (err) {
      throw transportError(method, path, err);
    }
    const good = o.ok ? o.ok.includes(res.statusCode) : res.statusCode >= 200 && res.statusCode < 300;
    if (good) return res;
    const body = await readStart(res.body).catch(() => '');
    const retry = retryAfterMs(res.headers['retry-after']);
    throw fsErrorOf({ method, path, status: res.statusCode, body, ...(retry !== undefined ? { retryAfterMs: retry } : {}) });
  }

  /** Sends a request and discards the (empty) body of its success answer. */
  async call(method: string, path: string, url: string, o: SendOptions = {}): Promise<number> {
    const res = await this.send(method, path, url, o);
    await res.body.dump();
    return res.statusCode;
  }

  /** PROPFIND `path` with Depth `depth` and the `<D:propfind>` `body`; the parsed 207 responses. */
  async propfind(path: string, depth: '0' | '1', body: string, signal?: AbortSignal, collection = false): Promise<DavResponse[]> {
    const res = await this.send('PROPFIND', path, this.urlOf(path, collection), {
      headers: { depth, 'content-type': 'application/xml; charset=utf-8' },
      body,
      signal,
      ok: [207],
    });
    const reader = new MultistatusReader();
    const parse = (step: () => void): void => {
      try {
        step();
      } catch (err) {
        throw new FsError('EIO', 'malformed multistatus', { path, cause: err });
      }
    };
    try {
      for await (const chunk of res.body) parse(() => reader.write(chunk as Buffer));
    } catch (err) {
      res.body.destroy();
      throw transportError('PROPFIND', path, err);
    }
    let out: DavResponse[] = [];
    parse(() => {
      out = reader.end();
    });
    return out;
  }

  /** Closes the private Agent (a dispatcher given in the options is left open). */
  async close(): Promise<void> {
    if (this.#owned) await this.#dispatcher.close();
  }
}

/** The first ERROR_BODY_BYTES of a body as UTF-8, the rest discarded. */
async function readStart(body: Dispatcher.ResponseData['body']): Promise<string> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of body) {
    const b = chunk as Buffer;
    if (n < ERROR_BODY_BYTES) parts.push(b.subarray(0, ERROR_BODY_BYTES - n));
    n += b.length;
  }
  return Buffer.concat(parts).toString('utf8');
}
