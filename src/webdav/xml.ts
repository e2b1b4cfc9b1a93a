/**
 * WebDAV XML: bounded, namespace-aware parsing of request bodies and streaming serialisation of responses.
 * Pure (no HTTP, no webdav-server): handlers parse with `parseXml` (mapping `XmlError` code `too-large` to 413
 * and every other code to 400) and answer with `createMultistatusWriter`, `xmlDocument` or `errorDocument`.
 */
export { DAV_NS, XML_NS, XmlError, escapeAttr, escapeText, isNcName } from './xml-core.ts';
export type { XmlErrorCode } from './xml-core.ts';
export { DEFAULT_XML_LIMITS, child, children, parseXml } from './xml-parse.ts';
export type { XmlAttr, XmlElement, XmlLimits } from './xml-parse.ts';
export { createMultistatusWriter, el, errorDocument, statusLine, xmlDocument } from './xml-write.ts';
export type { MultistatusWriter, PropValue, Propstat, RawXml, ResponseOptions, XmlChild, XmlNode, XmlNodeAttr } from './xml-write.ts';
