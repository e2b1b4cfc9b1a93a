/**
 * PROPPATCH (RFC 4918 §9.2): every `<set>`/`<remove>` block in document order, all or nothing. Dead properties go
 * to the metadata store in ONE vfs.patchProps; live DAV: properties are protected (403
 * DAV:cannot-modify-protected-property) except DAV:lastmodified (unix seconds, the ownCloud dialect rclone uses
 * to set a modtime). When any property fails, nothing is applied and every other one reports 424.
 *
 * Choices where the references are silent:
 * - Win32LastModifiedTime (urn:schemas-microsoft-com:) with a valid HTTP-date also sets the modtime; it is stored
 *   as a dead property either way, and an unparsable date is not an error (Explorer must never see a failure).
 * - oc:checksums set by rclone is stored as a dead property; PROPFIND prefers the hashes we computed ourselves.
 * - A DAV:lastmodified that is not a non-negative number is 409 (a value the server cannot accept); removing it
 *   is 403 like any protected property.
 * - A body without any property to update is a 400.
 * - The value stored is the property element's inner XML, reserialised with the namespace declarations it relies
 *   on, so it replays byte-exact in any PROPFIND (attributes on the property element itself are not kept).
 */
import type { DeadProp } from '../../core/props.ts';
import { DavError } from '../context.ts';
import type { Handler } from '../context.ts';
import { parseHttpDate } from '../conditional.ts';
import { MS_NS } from '../props.ts';
import { guardWrite } from '../write-guard.ts';
import { DAV_NS, child, createMultistatusWriter, parseXml } from '../xml.ts';
import type { PropValue, Propstat } from '../xml.ts';

/** One property instruction, in document order. */
export interface PropInstruction {
  op: 'set' | 'remove';
  ns: string;
  name: string;
  /** Inner XML of the property element (set). */
  value: string;
  /** Character data of the property element (set), for the few values we interpret. */
  text: string;
}

type DeadOp = { op: 'set'; prop: DeadProp } | { op: 'remove'; ns: string; name: string };

/** Parses a PROPPATCH body. Throws XmlError (malformed) or DavError 400 (not a usable propertyupdate). */
export function parseProppatch(body: Buffer): PropInstruction[] {
  const root = parseXml(body);
  if (root.ns !== DAV_NS || root.name !== 'propertyupdate') throw new DavError(400, 'expected a DAV:propertyupdate body');
  const out: PropInstruction[] = [];
  for (const block of root.children) {
    if (block.ns !== DAV_NS || (block.name !== 'set' && block.name !== 'remove')) continue;
    const op = block.name;
    for (const p of child(block, DAV_NS, 'prop')?.children ?? []) {
      out.push({ op, ns: p.ns, name: p.name, value: op === 'set' ? p.innerXml() : '', text: p.text });
    }
  }
  if (out.length === 0) throw new DavError(400, 'propertyupdate without any property');
  return out;
}

/** The outcome of checking one instruction: ok (with what it does), or a status with an optional condition. */
type Verdict = { ok: true; modTime?: number; dead?: DeadOp } | { ok: false; status: number; condition?: string };

function verdictOf(i: PropInstruction): Verdict {
  const dead = (): DeadOp =>
    i.op === 'set' ? { op: 'set', prop: { ns: i.ns, name: i.name, value: i.value } } : { op: 'remove', ns: i.ns, name: i.name };
  if (i.ns === DAV_NS) {
    if (i.name !== 'lastmodified' || i.op === 'remove') return { ok: false, status: 403, condition: 'cannot-modify-protected-property' };
    const t = i.text.trim();
    if (!/^\d+(\.\d+)?$/.test(t)) return { ok: false, status: 409 };
    return { ok: true, modTime: Math.round(Number(t) * 1000) };
  }
  if (i.ns === MS_NS && i.name === 'Win32LastModifiedTime' && i.op === 'set') {
    return { ok: true, modTime: parseHttpDate(i.text), dead: dead() };
  }
  return { ok: true, dead: dead() };
}

const keyOf = (p: { ns: string; name: string }): string => `${p.ns}\n${p.name}`;

/** Groups property names by status (first failure of a name wins), in first-seen order. */
function propstats(entries: { name: PropValue; status: number; condition?: string }[]): Propstat[] {
  const seen = new Set<string>();
  const groups = new Map<string, Propstat>();
  for (const e of entries) {
    if (seen.has(keyOf(e.name))) continue;
    seen.add(keyOf(e.name));
    const g = `${e.status} ${e.condition ?? ''}`;
    let ps = groups.get(g);
    if (ps === undefined) {
      ps = { status: e.status, props: [], ...(e.condition === undefined ? {} : { error: e.condition }) };
      groups.set(g, ps);
    }
    ps.props.push(e.name);
  }
  return [...groups.values()];
}

export const handleProppatch: Handler = async (s, r) => {
  await guardWrite(s, r, [{ path: r.path, scope: 'resource' }]);
  const node = await s.vfs.lookup(r.path, r.signal);
  const { entry } = node;
  const instructions = parseProppatch(await r.body());
  const verdicts = instructions.map(verdictOf);
  const failed = verdicts.some((v) => !v.ok);
  const results = instructions.map((i, n) => {
    const v = verdicts[n]!;
    const name = { ns: i.ns, name: i.name };
    if (!v.ok) return { name, status: v.status, ...(v.condition === undefined ? {} : { condition: v.condition }) };
    return { name, status: failed ? 424 : 200 };
  });
  // Failures first, so a name that both failed and succeeded reports its failure.
  results.sort((a, b) => Number(a.status === 200 || a.status === 424) - Number(b.status === 200 || b.status === 424));

  if (!failed) {
    const ops: DeadOp[] = [];
    let modTime: number | undefined;
    for (const v of verdicts) {
      if (!v.ok) continue;
      if (v.dead !== undefined) ops.push(v.dead);
      if (v.modTime !== undefined) modTime = v.modTime;
    }
    if (ops.length > 0) await s.vfs.patchProps(node, ops);
    if (modTime !== undefined) await s.vfs.setModTime(node, modTime);
  }

  let body = '';
  const w = createMultistatusWriter((chunk) => {
    body += chunk;
  });
  w.response(r.href(entry.path, entry.kind === 'dir'), propstats(results));
  w.end();
  r.res.writeHead(207, { 'Content-Type': 'application/xml; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  r.res.end(body);
};
