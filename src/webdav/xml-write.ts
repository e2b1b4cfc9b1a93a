/**
 * XML builders for WebDAV responses: a tiny element tree (`el`) with a serialiser that picks prefixes
 * itself, `xmlDocument` for small bodies (LOCK replies, `<D:error>` bodies), and a streaming multistatus
 * writer for PROPFIND/PROPPATCH/COPY/DELETE replies that never holds more than one `<D:response>` in memory.
 *
 * Prefixes: the namespaces given by the caller are declared on the root (`DAV:` gets `D` unless given one);
 * any other namespace gets a generated prefix (`ns0`, `ns1`, ...; one per URI for the whole document) declared
 * on the element that needs it. Names in no namespace are written unprefixed; no default namespace is ever
 * declared, so an unprefixed name always means "no namespace". Text is escaped by `escapeText`/`escapeAttr`
 * (characters XML 1.0 cannot carry become U+FFFD, so output always parses).
 */
import { STATUS_CODES } from 'node:http';
import { DAV_NS, XML_NS, XmlError, escapeAttr, escapeText, isNcName } from './xml-core.ts';

/** Raw XML inserted verbatim (must be well-formed content with its namespaces declared, e.g. from `innerXml()`). */
export interface RawXml {
  xml: string;
}

/** An attribute of a built element; `ns` '' or absent for an unprefixed attribute. */
export interface XmlNodeAttr {
  ns?: string;
  name: string;
  value: string;
}

/** A child of a built element: an element, text (escaped on output) or raw XML. */
export type XmlChild = XmlNode | string | RawXml;

/** An element to serialise. */
export interface XmlNode {
  ns: string;
  name: string;
  attrs: XmlNodeAttr[];
  children: XmlChild[];
}

function isAttrList(v: unknown): v is XmlNodeAttr[] {
  return Array.isArray(v) && v.every((a) => typeof a === 'object' && a !== null && 'name' in a && 'value' in a && !('children' in a));
}

function asList(v: XmlChild | XmlChild[] | undefined): XmlChild[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Returns an element node with `content`: text, raw XML, one element, or a list of those (none = `<x/>`). */
export function el(ns: string, name: string, content?: XmlChild | XmlChild[]): XmlNode;
/** Returns an element node with attributes and `content`. */
export function el(ns: string, name: string, attrs: XmlNodeAttr[], content?: XmlChild | XmlChild[]): XmlNode;
export function el(ns: string, name: string, a?: XmlNodeAttr[] | XmlChild | XmlChild[], content?: XmlChild | XmlChild[]): XmlNode {
  if (content !== undefined || (isAttrList(a) && a.length > 0)) {
    return { ns, name, attrs: (a ?? []) as XmlNodeAttr[], children: asList(content) };
  }
  return { ns, name, attrs: [], children: asList(a as XmlChild | XmlChild[] | undefined) };
}

/** Prefix allocation for one document. */
class Prefixes {
  /** Namespaces declared on the root, URI -> prefix. */
  readonly root = new Map<string, string>();
  readonly #generated = new Map<string, string>();
  readonly #taken = new Set<string>(['xml', 'xmlns']);
  #next = 0;

  /** Throws `XmlError` 'malformed' when a prefix is not an NCName, is reserved or is repeated. */
  constructor(namespaces: Record<string, string>) {
    for (const [prefix, uri] of Object.entries(namespaces)) {
      if (!isNcName(prefix) || this.#taken.has(prefix) || prefix.toLowerCase().startsWith('xml')) {
        throw new XmlError('malformed', `unusable namespace prefix ${JSON.stringify(prefix)}`);
      }
      if (uri === '') throw new XmlError('malformed', `prefix ${prefix} bound to the empty namespace`);
      this.#taken.add(prefix);
      if (!this.root.has(uri)) this.root.set(uri, prefix);
    }
    if (!this.root.has(DAV_NS)) this.root.set(DAV_NS, this.#fresh('D'));
  }

  /** Returns the root declarations as attribute text (` xmlns:D="DAV:"...`). */
  rootDeclarations(): string {
    let out = '';
    for (const [uri, prefix] of this.root) out += ` xmlns:${prefix}="${escapeAttr(uri)}"`;
    return out;
  }

  /** Returns the prefix for `uri` (root or generated); `inRoot` tells whether it needs no local declaration. */
  prefixFor(uri: string): { prefix: string; inRoot: boolean } {
    if (uri === XML_NS) return { prefix: 'xml', inRoot: true };
    const root = this.root.get(uri);
    if (root !== undefined) return { prefix: root, inRoot: true };
    let gen = this.#generated.get(uri);
    if (gen === undefined) {
      gen = this.#fresh(`ns${this.#next++}`);
      this.#generated.set(uri, gen);
    }
    return { prefix: gen, inRoot: false };
  }

  #fresh(wanted: string): string {
    let p = wanted;
    while (this.#taken.has(p)) p = `ns${this.#next++}`;
    this.#taken.add(p);
    return p;
  }
}

function checkName(name: string): void {
  if (!isNcName(name)) throw new XmlError('malformed', `invalid XML name ${JSON.stringify(name)}`);
}

/** Names already checked valid (property names repeat on every entry of a listing). Bounded. */
const validNames = new Set<string>();

function checkNameCached(name: string): void {
  if (validNames.has(name)) return;
  checkName(name);
  if (validNames.size < 4096) validNames.add(name);
}

/**
 * Serialises `node` (and its subtree). `declared` holds the generated prefixes already declared by ancestors.
 * `rootDecls` is added to the start tag (used for the document element). Throws `XmlError` 'malformed' on an
 * invalid element or attribute name.
 */
function serialize(node: XmlNode, prefixes: Prefixes, declared: ReadonlySet<string> = new Set(), rootDecls = ''): string {
  checkName(node.name);
  const local = new Set(declared);
  let decls = rootDecls;
  const qname = (ns: string, name: string): string => {
    if (ns === '') return name;
    const { prefix, inRoot } = prefixes.prefixFor(ns);
    if (!inRoot && !local.has(prefix)) {
      local.add(prefix);
      decls += ` xmlns:${prefix}="${escapeAttr(ns)}"`;
    }
    return `${prefix}:${name}`;
  };
  const tag = qname(node.ns, node.name);
  let attrs = '';
  for (const a of node.attrs) {
    checkName(a.name);
    attrs += ` ${qname(a.ns ?? '', a.name)}="${escapeAttr(a.value)}"`;
  }
  if (node.children.length === 0) return `<${tag}${decls}${attrs}/>`;
  let out = `<${tag}${decls}${attrs}>`;
  for (const c of node.children) {
    if (typeof c === 'string') out += escapeText(c);
    else if ('xml' in c) out += c.xml;
    else out += serialize(c, prefixes, local);
  }
  return `${out}</${tag}>`;
}

const XML_DECL = '<?xml version="1.0" encoding="utf-8"?>\n';

/**
 * Returns a complete document (XML declaration + `root`), with `namespaces` (prefix -> URI) declared on the
 * root and `DAV:` as `D` unless given. Throws `XmlError` 'malformed' on an invalid name or prefix.
 */
export function xmlDocument(root: XmlNode, namespaces: Record<string, string> = {}): string {
  const prefixes = new Prefixes(namespaces);
  return XML_DECL + serialize(root, prefixes, new Set(), prefixes.rootDeclarations());
}

/** Returns `<D:error><D:{condition}/></D:error>` as a document, e.g. for `propfind-finite-depth`. */
export function errorDocument(condition: string | XmlNode): string {
  return xmlDocument(el(DAV_NS, 'error', typeof condition === 'string' ? el(DAV_NS, condition) : condition));
}

/** A property in a propstat: empty element when `value` is absent, escaped text for a string, or raw XML. */
export interface PropValue {
  ns: string;
  name: string;
  value?: string | RawXml;
}

/** One `<D:propstat>`: the properties sharing a status. */
export interface Propstat {
  status: number;
  props: PropValue[];
  /** A precondition element name in `DAV:` or a built element, wrapped in `<D:error>`. */
  error?: string | XmlNode;
  responseDescription?: string;
}

/** Options of one `<D:response>`. */
export interface ResponseOptions {
  /** A precondition element name in `DAV:` or a built element, wrapped in `<D:error>`. */
  error?: string | XmlNode;
  responseDescription?: string;
}

/** Streams a `<D:multistatus>` body; each call writes whole `<D:response>` elements through `write`. */
export interface MultistatusWriter {
  /**
   * Writes one `<D:response>` with `href` (written as escaped text; percent-encode it first) and its propstats.
   * Throws `XmlError` 'malformed' on an invalid property name (nothing is written then), `Error` after `end()`.
   */
  response(href: string, propstats: Propstat[], opts?: ResponseOptions): void;
  /**
   * Writes one `<D:response>` of the status form (`href+`, `status`), e.g. a member that failed in DELETE or
   * COPY. Throws `Error` after `end()`.
   */
  responseStatus(hrefs: string | string[], status: number, opts?: ResponseOptions): void;
  /** Closes the document (writing its start first if nothing was written). Throws `Error` when called twice. */
  end(opts?: { responseDescription?: string }): void;
}

/** Returns the `HTTP/1.1 code Reason` status line of a `<D:status>`. */
export function statusLine(status: number): string {
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}`;
}

function tail(opts: ResponseOptions | undefined): XmlNode[] {
  const out: XmlNode[] = [];
  if (opts?.error !== undefined) {
    out.push(el(DAV_NS, 'error', typeof opts.error === 'string' ? el(DAV_NS, opts.error) : opts.error));
  }
  if (opts?.responseDescription !== undefined) out.push(el(DAV_NS, 'responsedescription', opts.responseDescription));
  return out;
}

/**
 * Returns a multistatus writer. The XML declaration and `<D:multistatus>` start tag (with `namespaces`
 * declared, prefix -> URI) are written on the first call, so nothing is written if the caller fails before.
 * Throws `XmlError` 'malformed' when a prefix in `namespaces` is invalid or reserved.
 */
export function createMultistatusWriter(write: (chunk: string) => void, namespaces: Record<string, string> = {}): MultistatusWriter {
  const prefixes = new Prefixes(namespaces);
  const d = prefixes.root.get(DAV_NS) ?? 'D';
  let state: 'new' | 'open' | 'ended' = 'new';
  const emit = (body: string): void => {
    if (state === 'ended') throw new Error('multistatus already ended');
    if (state === 'new') {
      state = 'open';
      write(`${XML_DECL}<${d}:multistatus${prefixes.rootDeclarations()}>\n`);
    }
    write(body);
  };
  const responseNode = (content: XmlNode[]): string => `${serialize(el(DAV_NS, 'response', content), prefixes)}\n`;
  const davTag = (name: string, inner: string): string => `<${d}:${name}>${inner}</${d}:${name}>`;
  return {
    response(href, propstats, opts) {
      // Built as text, not as a node tree: this runs once per listed entry (thousands per big folder).
      // Prefixes generated for properties are declared once, on this <D:response>.
      let decls = '';
      const qname = (ns: string, name: string): string => {
        checkNameCached(name);
        if (ns === '') return name;
        const { prefix, inRoot } = prefixes.prefixFor(ns);
        const decl = ` xmlns:${prefix}="`;
        if (!inRoot && !decls.includes(decl)) decls += `${decl}${escapeAttr(ns)}"`;
        return `${prefix}:${name}`;
      };
      let body = davTag('href', escapeText(href));
      for (const ps of propstats) {
        let props = '';
        for (const p of ps.props) {
          const t = qname(p.ns, p.name);
          if (p.value === undefined) props += `<${t}/>`;
          else props += `<${t}>${typeof p.value === 'string' ? escapeText(p.value) : p.value.xml}</${t}>`;
        }
        const extra = ps.error !== undefined || ps.responseDescription !== undefined ? tail(ps).map((n) => serialize(n, prefixes)).join('') : '';
        body += davTag('propstat', `${davTag('prop', props)}${davTag('status', statusLine(ps.status))}${extra}`);
      }
      const after = opts === undefined ? '' : tail(opts).map((n) => serialize(n, prefixes)).join('');
      emit(`<${d}:response${decls}>${body}${after}</${d}:response>\n`);
    },
    responseStatus(hrefs, status, opts) {
      const list = typeof hrefs === 'string' ? [hrefs] : hrefs;
      emit(responseNode([...list.map((h) => el(DAV_NS, 'href', h)), el(DAV_NS, 'status', statusLine(status)), ...tail(opts)]));
    },
    end(opts) {
      emit(`${opts?.responseDescription === undefined ? '' : serialize(el(DAV_NS, 'responsedescription', opts.responseDescription), prefixes)}</${d}:multistatus>\n`);
      state = 'ended';
    },
  };
}
