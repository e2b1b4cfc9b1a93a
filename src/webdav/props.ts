/**
 * Live WebDAV properties of a VfsEntry: which names exist, their values, and which belong to `allprop`
 * (the full set, and the lean set served to Microsoft clients so big folders stay small). Pure: the caller
 * supplies the lock discovery and the account quota (fetched once per request), never per entry.
 *
 * Live names: DAV: resourcetype, displayname, getcontentlength (files), getcontenttype (files), getetag,
 * getlastmodified, creationdate, supportedlock, lockdiscovery, quota-available-bytes / quota-used-bytes
 * (RFC 4331: by name only, never in allprop), and oc:checksums (ownCloud dialect, files whose MD5 or SHA-1
 * is known).
 *
 * The lean set (Microsoft-WebDAV-MiniRedir, whose FileAttributesLimitInBytes caps one folder's properties at
 * 1 MB) keeps only what Explorer's listing shows: resourcetype, getcontentlength, getlastmodified,
 * creationdate, plus stored Win32* dead properties. ETag, type and name come from GET/HEAD and the href.
 * Measured: 318 bytes per entry, so about 3,100 entries fit in 1 MB.
 */
import type { About, VfsEntry } from '../vfs/types.ts';
import type { DeadProp } from '../core/props.ts';
import { memoBySecond } from '../util/memo-by-second.ts';
import { httpDate } from './conditional.ts';
import type { Lock } from './locks.ts';
import { lockDiscoveryXml, supportedLockXml } from './locks.ts';
import { DAV_NS, escapeText } from './xml.ts';
import type { PropValue } from './xml.ts';

/** The ownCloud namespace (oc:checksums, rclone vendor = owncloud). */
export const OC_NS = 'http://owncloud.org/ns';
/** The namespace of the Windows mini-redirector's Win32* properties. */
export const MS_NS = 'urn:schemas-microsoft-com:';

/** A property name. */
export interface PropName {
  ns: string;
  name: string;
}

/** What live values need beyond the entry, gathered once per request. */
export interface LivePropContext {
  /** Active locks covering a path (LockManager.locksCovering). */
  locksCovering(path: string): Lock[];
  /** The href of a lock root (percent-encoded). */
  hrefOf(path: string, isCollection: boolean): string;
  /** Clock time, ms (lock timeouts). */
  now: number;
  /** The account quota; undefined when not fetched or unknown. */
  about: About | undefined;
}

interface LiveDef {
  ns: string;
  name: string;
  /** Part of allprop. */
  allprop: boolean;
  /** Part of the lean allprop served to Microsoft clients. */
  lean: boolean;
  /** The value (a PropValue without ns/name), or undefined when the property does not apply to this entry. */
  value(e: VfsEntry, ctx: LivePropContext): Pick<PropValue, 'value'> | undefined;
}

const isDir = (e: VfsEntry): boolean => e.kind === 'dir';
const text = (v: string): Pick<PropValue, 'value'> => ({ value: v });
const raw = (xml: string): Pick<PropValue, 'value'> => ({ value: { xml } });

/** Returns ms since the epoch as an RFC 3339 UTC date without fractional seconds. */
export const isoDate = memoBySecond((ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));

/** Returns the oc:checksums content for the known hashes, or undefined when neither MD5 nor SHA-1 is known. */
export function checksumsXml(e: VfsEntry): string | undefined {
  const parts: string[] = [];
  if (e.hashes.md5 !== undefined) parts.push(`MD5:${e.hashes.md5}`);
  if (e.hashes.sha1 !== undefined) parts.push(`SHA1:${e.hashes.sha1}`);
  if (parts.length === 0) return undefined;
  return `<oc:checksum xmlns:oc="${OC_NS}">${escapeText(parts.join(' '))}</oc:checksum>`;
}

function quotaFree(a: About): number | undefined {
  if (a.free !== undefined) return a.free;
  return a.total !== undefined && a.used !== undefined ? Math.max(0, a.total - a.used) : undefined;
}

const LIVE: LiveDef[] = [
  { ns: DAV_NS, name: 'resourcetype', allprop: true, lean: true, value: (e) => (isDir(e) ? raw('<D:collection/>') : {}) },
  { ns: DAV_NS, name: 'getcontentlength', allprop: true, lean: true, value: (e) => (isDir(e) ? undefined : text(String(e.size))) },
  { ns: DAV_NS, name: 'getlastmodified', allprop: true, lean: true, value: (e) => text(httpDate(e.modTime)) },
  { ns: DAV_NS, name: 'getetag', allprop: true, lean: false, value: (e) => text(e.etag) },
  { ns: DAV_NS, name: 'creationdate', allprop: true, lean: true, value: (e) => text(isoDate(e.modTime)) },
  { ns: DAV_NS, name: 'getcontenttype', allprop: true, lean: false, value: (e) => (isDir(e) ? undefined : text(e.mimeType)) },
  { ns: DAV_NS, name: 'displayname', allprop: true, lean: false, value: (e) => text(e.name) },
  { ns: DAV_NS, name: 'supportedlock', allprop: true, lean: false, value: () => raw(supportedLockXml()) },
  {
    ns: DAV_NS,
    name: 'lockdiscovery',
    allprop: true,
    lean: false,
    value: (e, ctx) => {
      const hrefFor = (p: string): string => {
        const root = trimSlashes(p);
        return ctx.hrefOf(root, root === e.path ? isDir(e) : true);
      };
      return raw(lockDiscoveryXml(ctx.locksCovering(e.path), hrefFor, ctx.now));
    },
  },
  {
    ns: DAV_NS,
    name: 'quota-available-bytes',
    allprop: false,
    lean: false,
    value: (_e, ctx) => {
      const free = ctx.about === undefined ? undefined : quotaFree(ctx.about);
      return free === undefined ? undefined : text(String(free));
    },
  },
  {
    ns: DAV_NS,
    name: 'quota-used-bytes',
    allprop: false,
    lean: false,
    value: (_e, ctx) => (ctx.about?.used === undefined ? undefined : text(String(ctx.about.used))),
  },
  {
    ns: OC_NS,
    name: 'checksums',
    allprop: true,
    lean: false,
    value: (e) => {
      const xml = isDir(e) ? undefined : checksumsXml(e);
      return xml === undefined ? undefined : raw(xml);
    },
  },
];

function trimSlashes(p: string): string {
  return p.replace(/^\/+|\/+$/g, '');
}

const key = (ns: string, name: string): string => `${ns}\n${name}`;
const LIVE_BY_KEY = new Map(LIVE.map((d) => [key(d.ns, d.name), d]));
const ALLPROP_DEFS = LIVE.filter((d) => d.allprop);
const LEAN_DEFS = LIVE.filter((d) => d.lean);

/** Returns true when `p` is one of our live properties (whether or not it applies to a given entry). */
export function isLiveProp(p: PropName): boolean {
  return LIVE_BY_KEY.has(key(p.ns, p.name));
}

/** Returns true when `p` is a quota property (its value needs `vfs.about()`). */
export function isQuotaProp(p: PropName): boolean {
  return p.ns === DAV_NS && (p.name === 'quota-available-bytes' || p.name === 'quota-used-bytes');
}

/** Returns the value of live property `p` of `e`, or undefined when it is not live or does not apply (404). */
export function liveProp(e: VfsEntry, p: PropName, ctx: LivePropContext): PropValue | undefined {
  const def = LIVE_BY_KEY.get(key(p.ns, p.name));
  const v = def?.value(e, ctx);
  return v === undefined ? undefined : { ns: p.ns, name: p.name, ...v };
}

/** Returns true for a Win32* property of the Windows mini-redirector. */
export function isWin32Prop(p: PropName): boolean {
  return p.ns === MS_NS && p.name.startsWith('Win32');
}

/**
 * Returns the allprop set of `e`: live properties (lean: only the seven Windows needs) followed by dead ones
 * (lean: only Win32*). A dead property shadowed by a live one of the same name is left out.
 */
export function allProps(e: VfsEntry, dead: readonly DeadProp[], ctx: LivePropContext, lean: boolean): PropValue[] {
  const out: PropValue[] = [];
  for (const def of lean ? LEAN_DEFS : ALLPROP_DEFS) {
    const v = def.value(e, ctx);
    if (v === undefined) continue;
    out.push(v.value === undefined ? { ns: def.ns, name: def.name } : { ns: def.ns, name: def.name, value: v.value });
  }
  if (dead.length === 0) return out;
  const seen = new Set(out.map((p) => key(p.ns, p.name)));
  for (const d of dead) {
    if (lean && !isWin32Prop(d)) continue;
    if (seen.has(key(d.ns, d.name))) continue;
    out.push({ ns: d.ns, name: d.name, value: { xml: d.value } });
  }
  return out;
}

/** Returns the names for `propname`: the applicable allprop live names, then the dead names. */
export function propNames(e: VfsEntry, dead: readonly DeadProp[], ctx: LivePropContext): PropName[] {
  return allProps(e, dead, ctx, false).map(({ ns, name }) => ({ ns, name }));
}
