/**
 * The WebDAV `If` request header (RFC 4918 §10.4): parsing and evaluation. Ours, not webdav-server's: the library's
 * parser crashes the process on any untagged list, and its version 2.6.2 never evaluates the conditions.
 *
 * Grammar (§10.4.2; ABNF literals such as "Not" are case-insensitive, optional whitespace between all elements):
 *   If          = 1*No-tag-list | 1*Tagged-list      (the two kinds are never mixed: mixing is malformed)
 *   No-tag-list = List
 *   Tagged-list = Resource-Tag 1*List
 *   List        = "(" 1*Condition ")"
 *   Condition   = ["Not"] (State-token | "[" entity-tag "]")
 *   State-token = Coded-URL = "<" absolute-URI ">"
 *   Resource-Tag = "<" Simple-ref ">"
 *
 * Leniencies (documented choices): commas between lists or tags are skipped, because Node joins repeated `If`
 * headers with ", "; the inside of `<...>` is taken verbatim (non-empty, no whitespace, no "<"), without checking
 * that it is an absolute URI, so odd but unambiguous tokens are compared (and fail) rather than answered 400.
 *
 * Evaluation (§10.4.3, §10.4.4): the header is true when ANY list is true; a list is true when ALL its conditions
 * are; "Not" negates one condition. A state token matches when it is a current lock token of the resource,
 * including tokens of depth-infinity locks on ancestors (the resolver supplies them). Entity tags use the STRONG
 * comparison (a weak tag on either side never matches). An unmapped URL is a resource that exists without the
 * described state: its entity-tag and state-token conditions are false (so `Not` ones are true).
 *
 * Submitted tokens (§10.4.1, second purpose): "the mere fact that a state token appears in an If header means that
 * it has been submitted with the request". So every state token written anywhere in the header counts, under
 * `Not`, in a list that evaluated false, or in a list tagged for another resource. This is what litmus expects:
 * `(<tok>x) (Not <DAV:no-lock>)` evaluates true (second list) but submits no valid token, so the write must then
 * fail with 423 in the lock check; `(<tok>) (Not <DAV:no-lock>)` passes and submits `tok`.
 */

/** Thrown by {@link parseIf} and {@link parseCodedUrl} on a malformed value; the caller answers 400. */
export class IfHeaderError extends Error {
  readonly code = 'IF_HEADER_MALFORMED';
  constructor(
    message: string,
    /** Character offset in the header value where parsing failed. */
    readonly position: number,
  ) {
    super(message);
    this.name = 'IfHeaderError';
  }
}

export type IfCondition =
  | { readonly kind: 'token'; readonly not: boolean; readonly token: string }
  /** `etag` is the entity tag as written, quotes included: `"x"` or `W/"x"`. */
  | { readonly kind: 'etag'; readonly not: boolean; readonly etag: string };

export interface IfList {
  /** The Resource-Tag (absolute URI or absolute path, as written) for a tagged list; undefined when untagged. */
  readonly resource: string | undefined;
  readonly conditions: readonly IfCondition[];
}

export interface IfHeader {
  /** True when the header is made of Tagged-lists, false for No-tag-lists. */
  readonly tagged: boolean;
  /** Every List, in header order; the header is their disjunction. */
  readonly lists: readonly IfList[];
}

/** What the evaluator needs to know about one resource. */
export interface IfResourceState {
  /** Current entity tag, quotes included (`"x"` or `W/"x"`); undefined when the resource has none. */
  etag?: string;
  /** Tokens of the locks whose scope includes the resource (own locks and depth-infinity locks on ancestors). */
  lockTokens: readonly string[];
}

export interface IfEvalContext {
  /** The Request-URI (absolute URI or path); untagged lists apply to it. Passed through `normalize`. */
  requestUrl: string;
  /** State of a resource, keyed by the output of `normalize`; undefined for an unmapped URL. Must not throw. */
  resolve(resourceUri: string): IfResourceState | undefined;
  /**
   * Maps an absolute URI or an absolute path to the caller's canonical resource key (strip scheme/host and base
   * URL, percent-decode, drop a trailing slash...). Must not throw: return a key that resolves to nothing for
   * URIs outside the server.
   */
  normalize(uri: string): string;
}

export interface IfEvalResult {
  /** True when at least one list evaluated true; false means the caller answers 412. */
  ok: boolean;
  /** Every state token appearing in the header, deduplicated, in order of appearance (see the module doc). */
  submittedTokens: string[];
}

const isWs = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';

/** A cursor over a header value; every read method throws IfHeaderError on malformed input. */
class Cursor {
  i = 0;
  constructor(readonly s: string) {}

  get done(): boolean {
    return this.i >= this.s.length;
  }

  peek(): string | undefined {
    return this.s[this.i];
  }

  fail(what: string): never {
    throw new IfHeaderError(`If header: ${what} at offset ${this.i}`, this.i);
  }

  skipWs(alsoCommas = false): void {
    while (!this.done && (isWs(this.peek()) || (alsoCommas && this.peek() === ','))) this.i++;
  }

  /** Reads `<...>` and returns its content. */
  angle(): string {
    if (this.peek() !== '<') this.fail('expected "<"');
    const end = this.s.indexOf('>', this.i + 1);
    if (end < 0) this.fail('unterminated "<"');
    const inner = this.s.slice(this.i + 1, end);
    if (inner.length === 0 || /[\s<]/.test(inner)) this.fail('invalid Coded-URL');
    this.i = end + 1;
    return inner;
  }

  /** Reads `[ entity-tag ]` and returns the entity tag as written. */
  bracketEtag(): string {
    this.i++; // "["
    this.skipWs();
    const start = this.i;
    if (this.s.startsWith('W/', this.i)) this.i += 2;
    if (this.peek() !== '"') this.fail('expected a quoted entity tag');
    const close = this.s.indexOf('"', this.i + 1);
    if (close < 0) this.fail('unterminated entity tag');
    const etag = this.s.slice(start, close + 1);
    this.i = close + 1;
    this.skipWs();
    if (this.peek() !== ']') this.fail('expected "]"');
    this.i++;
    return etag;
  }

  condition(): IfCondition {
    let not = false;
    if (this.s.slice(this.i, this.i + 3).toLowerCase() === 'not') {
      not = true;
      this.i += 3;
      this.skipWs();
    }
    const c = this.peek();
    if (c === '<') return { kind: 'token', not, token: this.angle() };
    if (c === '[') return { kind: 'etag', not, etag: this.bracketEtag() };
    return this.fail('expected a state token or an entity tag');
  }

  list(): IfCondition[] {
    this.i++; // "("
    const conditions: IfCondition[] = [];
    for (;;) {
      this.skipWs();
      if (this.done) this.fail('unterminated list');
      if (this.peek() === ')') break;
      conditions.push(this.condition());
    }
    if (conditions.length === 0) this.fail('empty list');
    this.i++; // ")"
    return conditions;
  }
}

/**
 * Parses an `If` header value. Returns the lists in order (see the module doc for the grammar and leniencies).
 * Throws IfHeaderError when the value is empty or malformed, including tagged and untagged lists mixed and a
 * Resource-Tag with no list after it.
 */
export function parseIf(value: string): IfHeader {
  const cur = new Cursor(value);
  const lists: IfList[] = [];
  let tagged: boolean | undefined;
  let tag: string | undefined;
  let tagHasList = true;
  for (;;) {
    cur.skipWs(true);
    if (cur.done) break;
    const c = cur.peek();
    if (c === '<') {
      if (tagged === false) cur.fail('tagged list after untagged lists');
      if (!tagHasList) cur.fail('Resource-Tag without a list');
      tagged = true;
      tag = cur.angle();
      tagHasList = false;
    } else if (c === '(') {
      tagged ??= false;
      lists.push({ resource: tag, conditions: cur.list() });
      tagHasList = true;
    } else {
      cur.fail('expected "(" or "<"');
    }
  }
  if (lists.length === 0) cur.fail('no list');
  if (!tagHasList) cur.fail('Resource-Tag without a list');
  return { tagged: tagged === true, lists };
}

/**
 * Parses a header made of exactly one Coded-URL, such as `Lock-Token: <urn:uuid:...>`, and returns its content.
 * Throws IfHeaderError when the value is not a single `<...>` (surrounding whitespace allowed).
 */
export function parseCodedUrl(value: string): string {
  const cur = new Cursor(value);
  cur.skipWs();
  const url = cur.angle();
  cur.skipWs();
  if (!cur.done) cur.fail('trailing characters after Coded-URL');
  return url;
}

/** Returns every state token written in the header, deduplicated, in order of appearance (the submitted tokens). */
export function submittedTokens(h: IfHeader): string[] {
  const seen = new Set<string>();
  for (const list of h.lists) for (const c of list.conditions) if (c.kind === 'token') seen.add(c.token);
  return [...seen];
}

/**
 * Returns the normalized keys of every resource the header's lists apply to (the request URI for untagged lists),
 * deduplicated, so a caller whose lookups are asynchronous can fetch their state before calling evaluateIf.
 */
export function referencedResources(
  h: IfHeader,
  requestUrl: string,
  normalize: (uri: string) => string,
): string[] {
  const seen = new Set<string>();
  for (const list of h.lists) seen.add(normalize(list.resource ?? requestUrl));
  return [...seen];
}

/** RFC 7232 strong comparison: both tags strong and their opaque parts equal. */
export function strongEtagMatch(a: string, b: string): boolean {
  return !a.startsWith('W/') && !b.startsWith('W/') && a === b;
}

function conditionHolds(c: IfCondition, state: IfResourceState | undefined): boolean {
  const matched =
    c.kind === 'token'
      ? (state?.lockTokens.includes(c.token) ?? false)
      : state?.etag !== undefined && strongEtagMatch(c.etag, state.etag);
  return matched !== c.not;
}

/**
 * Evaluates a parsed header against the current state of the resources (RFC 4918 §10.4.3-4). Returns whether it
 * holds and the submitted tokens. Never throws unless a context callback does; `resolve` is called at most once
 * per distinct resource.
 */
export function evaluateIf(h: IfHeader, ctx: IfEvalContext): IfEvalResult {
  const states = new Map<string, IfResourceState | undefined>();
  const stateOf = (key: string): IfResourceState | undefined => {
    if (!states.has(key)) states.set(key, ctx.resolve(key));
    return states.get(key);
  };
  const requestKey = ctx.normalize(ctx.requestUrl);
  const ok = h.lists.some((list) => {
    const state = stateOf(list.resource === undefined ? requestKey : ctx.normalize(list.resource));
    return list.conditions.every((c) => conditionHolds(c, state));
  });
  return { ok, submittedTokens: submittedTokens(h) };
}
