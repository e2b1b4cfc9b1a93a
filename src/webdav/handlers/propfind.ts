/**
 * PROPFIND (RFC 4918 §9.1, RFC 4331 quota): Depth 0 or 1 only (infinity, and a missing Depth, which means
 * infinity, answer 403 with DAV:propfind-finite-depth); a Depth 1 listing is ONE vfs.readdirVersioned (answered
 * from the VFS's cached listing), never a stat per entry; the 207 is streamed as entries are produced, honouring
 * backpressure. The Depth 1 answer of a folder asked for again in the same state is kept serialised and sent
 * whole (propfind-cache.ts), byte for byte what streaming it would send.
 *
 * Choices where the references are silent:
 * - A body of only white space counts as empty (allprop). A `<propfind>` with none of allprop, propname and prop
 *   is a 400, like a root element other than DAV:propfind.
 * - Quota (free, used) is fetched once per request, only when a quota property is asked for by name or in
 *   `<include>`; when vfs.about() fails it is reported as unknown (404 propstat) rather than failing the listing,
 *   so Finder's connect-time PROPFIND survives a 1fichier hiccup.
 * - Dead properties of listed entries are read only when the request needs them (allprop, propname, or a named
 *   property that is not live); an entry that vanished in between simply has none.
 * - Microsoft user agents get a lean allprop (the seven properties Explorer uses plus stored Win32* ones), and
 *   their namespace is declared once on the root, to keep big folders small.
 */
import type { DeadProp } from '../../core/props.ts';
import type { About, VfsEntry } from '../../vfs/types.ts';
import type { DavRequest, DavShared, Handler } from '../context.ts';
import { DavError } from '../context.ts';
import { lookupWithProbes } from '../finder.ts';
import type { LivePropContext, PropName } from '../props.ts';
import { MS_NS, OC_NS, allProps, isLiveProp, isQuotaProp, liveProp, propNames } from '../props.ts';
import { depthOf } from '../write-guard.ts';
import { DAV_NS, child, createMultistatusWriter, errorDocument, parseXml } from '../xml.ts';
import type { MultistatusWriter, PropValue, Propstat, XmlElement } from '../xml.ts';

/** What the client asked for. */
type PropRequest = { kind: 'allprop'; include: PropName[] } | { kind: 'propname' } | { kind: 'prop'; names: PropName[] };

/** Flush the buffered multistatus to the socket once this many characters are pending. */
const FLUSH_CHARS = 64 * 1024;

/** Parses a PROPFIND body. Throws XmlError (malformed) or DavError 400 (not a usable propfind). */
export function parsePropfind(body: Buffer): PropRequest {
  if (body.toString('utf8').trim() === '') return { kind: 'allprop', include: [] };
  const root = parseXml(body);
  if (root.ns !== DAV_NS || root.name !== 'propfind') throw new DavError(400, 'expected a DAV:propfind body');
  const names = (el: XmlElement | undefined): PropName[] => (el?.children ?? []).map((c) => ({ ns: c.ns, name: c.name }));
  if (child(root, DAV_NS, 'allprop')) return { kind: 'allprop', include: names(child(root, DAV_NS, 'include')) };
  if (child(root, DAV_NS, 'propname')) return { kind: 'propname' };
  const prop = child(root, DAV_NS, 'prop');
  if (prop) return { kind: 'prop', names: names(prop) };
  throw new DavError(400, 'propfind without allprop, propname or prop');
}

function needsDead(q: PropRequest): boolean {
  if (q.kind !== 'prop') return true;
  return q.names.some((n) => !isLiveProp(n));
}

function needsQuota(q: PropRequest): boolean {
  const asked = q.kind === 'prop' ? q.names : q.kind === 'allprop' ? q.include : [];
  return asked.some(isQuotaProp);
}

async function quotaOf(s: DavShared, r: DavRequest): Promise<About | undefined> {
  try {
    return await s.vfs.about(r.signal);
  } catch (err) {
    s.logger.warn({ err }, 'quota unavailable for PROPFIND');
    return undefined;
  }
}

const NO_PROPS: readonly DeadProp[] = [];

/** Looks up each name: live first, then dead; the found ones 200, the rest 404. */
function namedPropstats(e: VfsEntry, names: readonly PropName[], dead: readonly DeadProp[], ctx: LivePropContext): Propstat[] {
  const found: PropValue[] = [];
  const missing: PropValue[] = [];
  for (const n of names) {
    const live = liveProp(e, n, ctx);
    const d = live === undefined ? dead.find((p) => p.ns === n.ns && p.name === n.name) : undefined;
    if (live !== undefined) found.push(live);
    else if (d !== undefined) found.push({ ns: d.ns, name: d.name, value: { xml: d.value } });
    else missing.push({ ns: n.ns, name: n.name });
  }
  const out: Propstat[] = [];
  if (found.length > 0) out.push({ status: 200, props: found });
  if (missing.length > 0) out.push({ status: 404, props: missing });
  return out;
}

function propstatsOf(e: VfsEntry, q: PropRequest, dead: readonly DeadProp[], ctx: LivePropContext, lean: boolean): Propstat[] {
  switch (q.kind) {
    case 'propname':
      return [{ status: 200, props: propNames(e, dead, ctx) }];
    case 'prop':
      return namedPropstats(e, q.names, dead, ctx);
    case 'allprop': {
      const all = allProps(e, dead, ctx, lean);
      const extra = q.include.filter((n) => !all.some((p) => p.ns === n.ns && p.name === n.name));
      const more = namedPropstats(e, extra, dead, ctx);
      const ok = more.find((p) => p.status === 200);
      return [{ status: 200, props: [...all, ...(ok?.props ?? [])] }, ...more.filter((p) => p.status !== 200)];
    }
  }
}

/** Resolves when `res` drained, closed, or the request was aborted. */
function drained(r: DavRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      r.res.off('drain', done);
      r.res.off('close', done);
      r.signal.removeEventListener('abort', done);
      resolve();
    };
    r.res.once('drain', done);
    r.res.once('close', done);
    r.signal.addEventListener('abort', done, { once: true });
  });
}

export const handlePropfind: Handler = async (s, r) => {
  const depth = depthOf(r, 'infinity');
  if (depth === 'infinity') {
    const body = errorDocument('propfind-finite-depth');
    r.res.writeHead(403, { 'Content-Type': 'application/xml; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    r.res.end(body);
    return;
  }
  const q = parsePropfind(await r.body());
  const { node, entry } = await lookupWithProbes(s.vfs, r.path, s.clock.now(), r.signal);
  const listing = depth === '1' && node && entry.kind === 'dir' ? await s.vfs.readdirVersioned(node, r.signal) : undefined;
  const lean = /Microsoft/i.test(r.header('user-agent') ?? '');
  const key = listing && s.answers && isCacheable(s, q, entry.path) ? answerKey(entry.path, q, lean) : undefined;
  const state = key && listing && s.answers ? s.answers.lookup(key, listing.token, entry.etag) : undefined;
  if (state?.kind === 'hit') return sendWhole(r, state.bytes);
  // Built one at a time as they are written: a big folder's answer never holds all its entries at once.
  const members = listing?.lazyEntries() ?? { ids: [], entries: [] };
  const ctx: LivePropContext = {
    locksCovering: (p) => s.locks.locksCovering(p),
    hrefOf: (p, isCollection) => r.href(p, isCollection),
    now: s.clock.now(),
    about: needsQuota(q) ? await quotaOf(s, r) : undefined,
  };
  const namespaces: Record<string, string> = { D: DAV_NS, oc: OC_NS };
  if (lean) namespaces.Z = MS_NS;
  const dead = needsDead(q) ? s.vfs.propsOf([entry.id, ...members.ids]) : new Map<string, DeadProp[]>();
  const render = (w: MultistatusWriter, e: VfsEntry): void => w.response(r.href(e.path, e.kind === 'dir'), propstatsOf(e, q, dead.get(e.id) ?? NO_PROPS, ctx, lean));

  if (state?.kind === 'build' && key && listing && s.answers) {
    const parts: string[] = [];
    const w = createMultistatusWriter((chunk) => parts.push(chunk), namespaces);
    render(w, entry);
    for (const e of members.entries) render(w, e);
    w.end();
    const bytes = Buffer.from(parts.join(''), 'utf8');
    s.answers.keep(key, listing.token, entry.etag, bytes);
    return sendWhole(r, bytes);
  }

  let pending = '';
  const w = createMultistatusWriter((chunk) => {
    pending += chunk;
  }, namespaces);
  const flush = async (): Promise<void> => {
    if (pending === '') return;
    if (!r.res.headersSent) r.res.writeHead(207, { 'Content-Type': XML_TYPE });
    const ok = r.res.write(pending);
    pending = '';
    if (!ok && !r.res.destroyed) await drained(r);
  };
  render(w, entry);
  for (const e of members.entries) {
    if (r.signal.aborted) return;
    render(w, e);
    if (pending.length >= FLUSH_CHARS) await flush();
  }
  w.end();
  await flush();
  r.res.end();
};

const XML_TYPE = 'application/xml; charset=utf-8';

/** A whole answer in one write, with its length. */
function sendWhole(r: DavRequest, bytes: Buffer): void {
  r.res.writeHead(207, { 'Content-Type': XML_TYPE, 'Content-Length': bytes.length });
  r.res.end(bytes);
}

/**
 * Whether the Depth 1 answer of `dir` depends only on the listing and the entries' own data, so it can be kept
 * (propfind-cache.ts): no quota property asked for (the account's space changes on its own), and no lock on the
 * folder, an ancestor or a member (lockdiscovery carries the time left).
 */
function isCacheable(s: DavShared, q: PropRequest, dir: string): boolean {
  return !needsQuota(q) && s.locks.locksCovering(dir).length === 0 && s.locks.locksBelow(dir).length === 0;
}

/** The cache key of an answer: the folder, what was asked, and the lean (Microsoft) form or not. */
function answerKey(dir: string, q: PropRequest, lean: boolean): string {
  return `${lean ? 'L' : 'F'}${JSON.stringify(q)}\0${dir}`;
}
