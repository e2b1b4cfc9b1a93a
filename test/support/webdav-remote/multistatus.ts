/**
 * A small streaming reader of WebDAV `207 Multi-Status` bodies (RFC 4918 §14.16), namespace-aware (saxes with
 * xmlns), for the WebDAV remote. It keeps, per `<D:response>`, the href, the response-level status (if any) and
 * the properties of the propstats whose status is 2xx: each property's text content (all descendants) and the
 * names of the elements inside it (e.g. `DAV: collection` inside resourcetype).
 *
 * Safety: a DOCTYPE is refused (no entity expansion beyond the predefined ones); the body is fed chunk by chunk,
 * so memory grows with the number of responses kept, never with a copy of the whole body.
 */
import { StringDecoder } from 'node:string_decoder';
import { SaxesParser } from 'saxes';
import type { SaxesTagNS } from 'saxes';

export const DAV_NS = 'DAV:';

/** One property value of a 2xx propstat. */
export interface PropText {
  /** All character data inside the property element (descendants included), untrimmed. */
  text: string;
  /** Keys (`ns + ' ' + name`) of the elements found inside the property. */
  inner: Set<string>;
}

/** One `<D:response>`. */
export interface DavResponse {
  /** The href as sent (percent-encoded). */
  href: string;
  /** The response-level status code (for a response without propstat), or undefined. */
  status: number | undefined;
  /** Properties from 2xx propstats, by key `ns + ' ' + name`. */
  props: Map<string, PropText>;
}

/** The key of a property name, as used in `DavResponse.props` and `PropText.inner`. */
export function propKey(ns: string, name: string): string {
  return `${ns} ${name}`;
}

/** The status code in a `HTTP/1.1 200 OK` status line, or undefined when it has none. */
export function statusCode(line: string): number | undefined {
  const m = /^\s*HTTP\/\d(?:\.\d)?\s+(\d{3})/i.exec(line);
  return m ? Number(m[1]) : undefined;
}

interface PropstatState {
  status: string;
  props: Map<string, PropText>;
}

/**
 * Incremental multistatus reader: `write` each chunk of the body, then `end()` returns the responses.
 * Both throw an Error (message names the XML problem) on malformed XML or a DOCTYPE.
 */
export class MultistatusReader {
  readonly #parser = new SaxesParser({ xmlns: true, position: false });
  readonly #decoder = new StringDecoder('utf8');
  readonly #responses: DavResponse[] = [];
  /** Keys of the open elements, outermost first. */
  readonly #stack: string[] = [];
  #error: Error | undefined;
  #response: DavResponse | undefined;
  #propstat: PropstatState | undefined;
  #prop: PropText | undefined;
  /** Depth (stack length) at which the current property element was opened. */
  #propDepth = 0;
  /** Text of the current href/status element. */
  #capture: string | undefined;

  constructor() {
    const p = this.#parser;
    p.on('error', (err) => {
      this.#error ??= err;
    });
    p.on('doctype', () => {
      this.#error ??= new Error('DOCTYPE in a multistatus body');
    });
    p.on('opentag', (tag) => this.#open(tag as SaxesTagNS));
    p.on('closetag', () => this.#close());
    p.on('text', (t) => this.#text(t));
    p.on('cdata', (t) => this.#text(t));
  }

  /** Feeds one chunk of the body. Throws on malformed XML. */
  write(chunk: Buffer): void {
    this.#parser.write(this.#decoder.write(chunk));
    this.#check();
  }

  /** Ends the body and returns every response read. Throws on malformed or truncated XML. */
  end(): DavResponse[] {
    this.#parser.write(this.#decoder.end());
    this.#parser.close();
    this.#check();
    return this.#responses;
  }

  #check(): void {
    if (this.#error) throw this.#error;
  }

  #open(tag: SaxesTagNS): void {
    const key = propKey(tag.uri, tag.local);
    const parent = this.#stack[this.#stack.length - 1];
    this.#stack.push(key);
    const depth = this.#stack.length;
    if (this.#prop) {
      this.#prop.inner.add(key);
      return;
    }
    if (depth === 2 && key === propKey(DAV_NS, 'response')) {
      this.#response = { href: '', status: undefined, props: new Map() };
    } else if (this.#response && parent === propKey(DAV_NS, 'response')) {
      if (key === propKey(DAV_NS, 'propstat')) this.#propstat = { status: '', props: new Map() };
      else if (key === propKey(DAV_NS, 'href') || key === propKey(DAV_NS, 'status')) this.#capture = '';
    } else if (this.#propstat && parent === propKey(DAV_NS, 'propstat')) {
      if (key === propKey(DAV_NS, 'status')) this.#capture = '';
    } else if (this.#propstat && parent === propKey(DAV_NS, 'prop')) {
      this.#prop = { text: '', inner: new Set() };
      this.#propDepth = depth;
      this.#propstat.props.set(key, this.#prop);
    }
  }

  #close(): void {
    const depth = this.#stack.length;
    const key = this.#stack.pop();
    if (this.#prop) {
      if (depth === this.#propDepth) this.#prop = undefined;
      return;
    }
    const r = this.#response;
    if (!r) return;
    if (this.#capture !== undefined) {
      const text = this.#capture;
      this.#capture = undefined;
      if (key === propKey(DAV_NS, 'href') && depth === 3) r.href = text.trim();
      else if (key === propKey(DAV_NS, 'status') && depth === 3) r.status = statusCode(text);
      else if (key === propKey(DAV_NS, 'status') && this.#propstat) this.#propstat.status = text;
      return;
    }
    if (key === propKey(DAV_NS, 'propstat') && this.#propstat) {
      const code = statusCode(this.#propstat.status);
      if (code !== undefined && code >= 200 && code < 300) for (const [k, v] of this.#propstat.props) r.props.set(k, v);
      this.#propstat = undefined;
    } else if (key === propKey(DAV_NS, 'response') && depth === 2) {
      this.#responses.push(r);
      this.#response = undefined;
    }
  }

  #text(t: string): void {
    if (this.#prop) this.#prop.text += t;
    else if (this.#capture !== undefined) this.#capture += t;
  }
}
