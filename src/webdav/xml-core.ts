/**
 * Shared pieces of the WebDAV XML module: the error type, namespace constants, name checks and escaping.
 * Used by the parser (to reserialise dead properties) and by the response builders.
 */
import { CodedError } from '../util/coded-error.ts';

/** The namespace of every RFC 4918 element. */
export const DAV_NS = 'DAV:';
/** The namespace bound to the reserved `xml` prefix (never declared). */
export const XML_NS = 'http://www.w3.org/XML/1998/namespace';

/**
 * Why a body was refused. `too-large` maps to 413; every other code to 400.
 * - `malformed`: not well-formed XML or not namespace-well-formed (unbound prefix, mismatched tags, truncated...).
 * - `doctype`: a document type declaration was present (refused outright: no DTD, no entities).
 * - `too-large` / `too-deep` / `too-many-nodes`: over a limit of `parseXml`.
 * - `encoding`: not UTF-8 (bytes that do not decode, a UTF-16 byte order mark, or another declared encoding).
 */
export type XmlErrorCode = 'malformed' | 'doctype' | 'too-large' | 'too-deep' | 'too-many-nodes' | 'encoding';

/** The one error thrown by this module; `code` is stable, `message` is a short human reason. */
export class XmlError extends CodedError<XmlErrorCode> {
  override readonly name = 'XmlError';
}

const NAME_START =
  'A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D' +
  '\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NAME_REST = `${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040`;
// The class lists U+200C-U+200D (ZWNJ/ZWJ) as the XML spec does; that is a range, not a joined sequence.
// eslint-disable-next-line no-misleading-character-class
const NCNAME_RE = new RegExp(`^[${NAME_START}][${NAME_REST}]*$`, 'u');

/** Returns true when `name` is an XML 1.0 NCName (a name without a colon), usable as a local name or prefix. */
export function isNcName(name: string): boolean {
  return NCNAME_RE.test(name);
}

/**
 * Characters XML 1.0 forbids even as character references: C0 controls other than tab, LF and CR, U+FFFE,
 * U+FFFF and unpaired surrogates (with the `u` flag a paired surrogate is one code point and does not match).
 */
const FORBIDDEN = '\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\uFFFE\\uFFFF\\uD800-\\uDFFF';
const TEXT_RE = new RegExp(`[&<>\\r${FORBIDDEN}]`, 'gu');
const ATTR_RE = new RegExp(`[&<>"'\\t\\n\\r${FORBIDDEN}]`, 'gu');
const REPLACEMENT = '\uFFFD';

const ENTITY: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

function replaceChar(c: string): string {
  return ENTITY[c] ?? REPLACEMENT;
}

/**
 * Returns `s` escaped for character data: `& < >` as entities, CR as `&#13;` (so it survives line-end
 * normalisation), and characters XML 1.0 cannot carry at all replaced by U+FFFD, so the output always parses.
 */
export function escapeText(s: string): string {
  return s.replace(TEXT_RE, replaceChar);
}

/**
 * Returns `s` escaped for a double- or single-quoted attribute value: as `escapeText`, plus both quotes and
 * tab/LF/CR as character references (so attribute-value normalisation gives back the same value).
 */
export function escapeAttr(s: string): string {
  return s.replace(ATTR_RE, replaceChar);
}

/** Returns true when `s` consists only of XML white space (space, tab, CR, LF); true for ''. */
export function isXmlWhitespace(s: string): boolean {
  return /^[ \t\r\n]*$/.test(s);
}
