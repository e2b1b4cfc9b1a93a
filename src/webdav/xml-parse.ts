/**
 * A bounded, namespace-aware XML reader for WebDAV request bodies (PROPFIND, PROPPATCH, LOCK), built on saxes.
 *
 * Safety: a DOCTYPE is refused (so no internal subset, entity declaration or external entity is ever looked
 * at: billion laughs and XXE are impossible); only the five predefined entities and character references are
 * decoded; size, depth and node count are bounded before and during the parse; the tree is built with an
 * explicit stack, so a deep body cannot overflow the JS stack. Anything refused throws `XmlError`.
 */
import { SaxesParser } from 'saxes';
import type { SaxesTagNS } from 'saxes';
import { XML_NS, XmlError, escapeAttr, escapeText, isXmlWhitespace } from './xml-core.ts';

/** An attribute in the namespace data model (namespace declarations are not attributes). */
export interface XmlAttr {
  /** Namespace URI; '' for an unprefixed attribute. */
  ns: string;
  /** Local name. */
  name: string;
  value: string;
}

/** A parsed element. Equal trees compare equal with `toEqual` (the raw content is kept out of sight). */
export interface XmlElement {
  /** Namespace URI, exactly as declared ('' when in no namespace). */
  ns: string;
  /** Local name. */
  name: string;
  attrs: XmlAttr[];
  /** Child elements in document order. */
  children: XmlElement[];
  /**
   * Character data of this element (text and CDATA, entities decoded). When the element has child elements,
   * white-space-only runs between them are dropped; otherwise the text is verbatim, white space included.
   */
  text: string;
  /**
   * Returns the inner XML (content between the tags: text, CDATA, comments, PIs and elements) reserialised
   * with the original prefixes, and with every namespace binding the content relies on from outside declared
   * on its top-level elements, so it can be stored and replayed in any context. Never throws.
   */
  innerXml(): string;
}

/** Limits of `parseXml`. */
export interface XmlLimits {
  /** Largest body in bytes (UTF-8); default 1 MiB. */
  maxBytes?: number;
  /** Deepest element nesting (the root is depth 1); default 64. */
  maxDepth?: number;
  /** Most elements + attributes + text/CDATA/comment/PI runs; default 100,000. */
  maxNodes?: number;
}

export const DEFAULT_XML_LIMITS: Required<XmlLimits> = { maxBytes: 1024 * 1024, maxDepth: 64, maxNodes: 100_000 };

/** In-scope prefix -> URI bindings; a scope with declarations inherits from its parent's by prototype. */
type Scope = Readonly<Record<string, string>>;

type Content =
  | { kind: 'text'; value: string }
  | { kind: 'cdata'; value: string }
  | { kind: 'comment'; value: string }
  | { kind: 'pi'; target: string; body: string }
  | { kind: 'element'; el: ParsedElement };

/** Raw attribute as written (namespace declarations included), for reserialisation. */
interface RawAttr {
  qname: string;
  prefix: string;
  value: string;
}

class ParsedElement implements XmlElement {
  ns: string;
  name: string;
  attrs: XmlAttr[];
  children: XmlElement[] = [];
  text = '';
  readonly #prefix: string;
  readonly #raw: RawAttr[];
  readonly #declared: ReadonlySet<string>;
  readonly #scope: Scope;
  readonly #content: Content[] = [];

  constructor(tag: SaxesTagNS, parentScope: Scope) {
    this.ns = tag.uri;
    this.name = tag.local;
    this.#prefix = tag.prefix;
    this.attrs = [];
    this.#raw = [];
    const declared = new Set<string>();
    let scope = parentScope;
    for (const a of Object.values(tag.attributes)) {
      this.#raw.push({ qname: a.name, prefix: a.prefix, value: a.value });
      const decl = a.prefix === 'xmlns' ? a.local : a.name === 'xmlns' ? '' : undefined;
      if (decl === undefined) {
        this.attrs.push({ ns: a.uri, name: a.local, value: a.value });
        continue;
      }
      if (scope === parentScope) scope = Object.create(parentScope) as Scope;
      (scope as Record<string, string>)[decl] = a.value.trim();
      declared.add(decl);
    }
    this.#declared = declared;
    this.#scope = scope;
  }

  /** The bindings in effect inside this element. */
  get scope(): Scope {
    return this.#scope;
  }

  /** Records a piece of content; a child element is also listed in `children`. */
  append(item: Content): void {
    this.#content.push(item);
    if (item.kind === 'element') this.children.push(item.el);
  }

  /** Computes `text` once the element is closed. */
  finish(): void {
    const hasChildren = this.children.length > 0;
    let text = '';
    for (const c of this.#content) {
      if (c.kind === 'cdata') text += c.value;
      else if (c.kind === 'text' && (!hasChildren || !isXmlWhitespace(c.value))) text += c.value;
    }
    this.text = text;
  }

  innerXml(): string {
    let out = '';
    for (const c of this.#content) out += ParsedElement.#serializeContent(c, this.#scope);
    return out;
  }

  static #serializeContent(c: Content, outer: Scope | undefined): string {
    switch (c.kind) {
      case 'text':
        return escapeText(c.value);
      case 'cdata':
        return `<![CDATA[${c.value}]]>`;
      case 'comment':
        return `<!--${c.value}-->`;
      case 'pi':
        return c.body === '' ? `<?${c.target}?>` : `<?${c.target} ${c.body}?>`;
      case 'element':
        return c.el.#serialize(outer);
    }
  }

  /** Serialises this element; `outer` (top level only) supplies bindings to declare explicitly. */
  #serialize(outer: Scope | undefined): string {
    const qname = this.#prefix === '' ? this.name : `${this.#prefix}:${this.name}`;
    let out = `<${qname}`;
    if (outer !== undefined) {
      for (const prefix of this.#usedPrefixes()) {
        if (this.#declared.has(prefix)) continue;
        const uri = outer[prefix];
        if (prefix === '') out += ` xmlns="${escapeAttr(uri ?? '')}"`;
        else if (uri !== undefined) out += ` xmlns:${prefix}="${escapeAttr(uri)}"`;
      }
    }
    for (const a of this.#raw) out += ` ${a.qname}="${escapeAttr(a.value)}"`;
    if (this.#content.length === 0) return `${out}/>`;
    out += '>';
    for (const c of this.#content) out += ParsedElement.#serializeContent(c, undefined);
    return `${out}</${qname}>`;
  }

  /** Prefixes ('' for the default namespace) used by element or attribute names in this subtree. */
  #usedPrefixes(): Set<string> {
    const used = new Set<string>();
    const stack: ParsedElement[] = [this];
    for (let el = stack.pop(); el !== undefined; el = stack.pop()) {
      used.add(el.#prefix);
      for (const a of el.#raw) if (a.prefix !== '' && a.prefix !== 'xmlns') used.add(a.prefix);
      for (const c of el.#content) if (c.kind === 'element') stack.push(c.el);
    }
    used.delete('xml');
    return used;
  }
}

const ROOT_SCOPE: Scope = { xml: XML_NS };

function decode(body: Buffer | string, maxBytes: number): string {
  if (typeof body === 'string') {
    if (Buffer.byteLength(body, 'utf8') > maxBytes) throw new XmlError('too-large', `body over ${maxBytes} bytes`);
    return body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
  }
  if (body.length > maxBytes) throw new XmlError('too-large', `body over ${maxBytes} bytes`);
  if ((body[0] === 0xfe && body[1] === 0xff) || (body[0] === 0xff && body[1] === 0xfe)) {
    throw new XmlError('encoding', 'UTF-16 body; only UTF-8 is accepted');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new XmlError('encoding', 'body is not valid UTF-8');
  }
}

/**
 * Parses a request body into its root element.
 * Returns the root `XmlElement`. Throws `XmlError` with code `too-large` (over `maxBytes`), `encoding` (not
 * UTF-8), `doctype` (any DOCTYPE), `too-deep` (over `maxDepth`), `too-many-nodes` (over `maxNodes`) or
 * `malformed` (anything else: empty, truncated, mismatched tags, unbound prefix, undefined entity...).
 */
export function parseXml(body: Buffer | string, limits: XmlLimits = {}): XmlElement {
  const { maxBytes, maxDepth, maxNodes } = { ...DEFAULT_XML_LIMITS, ...limits };
  const text = decode(body, maxBytes);
  const parser = new SaxesParser({ xmlns: true, defaultXMLVersion: '1.0', forceXMLVersion: true });
  const stack: ParsedElement[] = [];
  let root: ParsedElement | undefined;
  let depth = 0;
  let nodes = 0;
  const count = (): void => {
    if (++nodes > maxNodes) throw new XmlError('too-many-nodes', `more than ${maxNodes} nodes`);
  };
  const append = (item: Content): void => {
    const top = stack[stack.length - 1];
    if (top === undefined) return;
    count();
    top.append(item);
  };

  parser.on('error', (err) => {
    throw new XmlError('malformed', err.message);
  });
  parser.on('xmldecl', (decl) => {
    if (decl.encoding !== undefined && decl.encoding.toLowerCase() !== 'utf-8') {
      throw new XmlError('encoding', `declared encoding ${decl.encoding}; only UTF-8 is accepted`);
    }
  });
  parser.on('doctype', () => {
    throw new XmlError('doctype', 'DOCTYPE is not allowed');
  });
  parser.on('opentagstart', () => {
    count();
    if (++depth > maxDepth) throw new XmlError('too-deep', `nesting deeper than ${maxDepth}`);
  });
  parser.on('attribute', count);
  parser.on('opentag', (tag) => {
    const parent = stack[stack.length - 1];
    const el = new ParsedElement(tag, parent?.scope ?? ROOT_SCOPE);
    if (parent === undefined) root = el;
    else parent.append({ kind: 'element', el });
    stack.push(el);
  });
  parser.on('closetag', () => {
    stack.pop()?.finish();
    depth--;
  });
  parser.on('text', (value) => append({ kind: 'text', value }));
  parser.on('cdata', (value) => append({ kind: 'cdata', value }));
  parser.on('comment', (value) => append({ kind: 'comment', value }));
  parser.on('processinginstruction', ({ target, body: piBody }) => append({ kind: 'pi', target, body: piBody }));

  parser.write(text).close();
  if (root === undefined) throw new XmlError('malformed', 'no root element');
  return root;
}

/** Returns the first child element of `el` with namespace `ns` and local name `name`, or undefined. */
export function child(el: XmlElement, ns: string, name: string): XmlElement | undefined {
  return el.children.find((c) => c.ns === ns && c.name === name);
}

/** Returns every child element of `el` with namespace `ns` and local name `name`, in document order. */
export function children(el: XmlElement, ns: string, name: string): XmlElement[] {
  return el.children.filter((c) => c.ns === ns && c.name === name);
}
