/**
 * LOCK (RFC 4918 §9.10): create a write lock from a DAV:lockinfo body, or refresh one (no body + If header).
 * Ours, not webdav-server's (its locks are per user, its timeouts in milliseconds, its tokens lack <>, and its
 * conflict check never fires).
 *
 * - New lock: lockscope exclusive|shared, locktype write (anything else 422), owner kept as self-contained XML;
 *   Depth 0 or infinity (default infinity, 1 → 400); Timeout header (Second-N / Infinite, capped by the lock
 *   manager). 200 on a mapped URL, 201 on an unmapped one: a lock-null resource (§7.3) becomes a local 0-byte
 *   file through vfs.writeFile (the VFS keeps 0-byte files local, so this is never an upload); its parent must
 *   exist (409) and, as a member is added, the parent's locks must be satisfied like a PUT of a new file.
 * - Refresh: the If header must hold (412) and submit the token of a lock whose scope includes the Request-URI;
 *   none usable → 412 with DAV:lock-token-submitted. 200, no Lock-Token header (§9.10.2).
 * - Conflict with an active lock → 423 with <D:no-conflicting-lock><D:href>lock root</D:href>.
 */
import { parentOf } from '../../core/path.ts';
import type { DavRequest, DavShared, Handler } from '../context.ts';
import { DavError } from '../context.ts';
import { DavConditionError } from '../errors.ts';
import { parseIf, submittedTokens } from '../if-header.ts';
import { LockConflictError, LockTokenError, lockDiscoveryXml } from '../locks.ts';
import type { Lock, LockDepth, LockRequest, LockScope } from '../locks.ts';
import { DAV_NS, child, el, parseXml, xmlDocument } from '../xml.ts';
import type { XmlElement } from '../xml.ts';
import { depthOf, guardIf, guardWrite } from '../write-guard.ts';
import { lookupOrMissing, resolveTarget } from './target.ts';

const XML_TYPE = 'application/xml; charset=utf-8';

/** Writes a complete XML answer. */
function sendXml(r: DavRequest, status: number, body: string, headers: Record<string, string> = {}): void {
  const buf = Buffer.from(body, 'utf8');
  r.res.statusCode = status;
  for (const [k, v] of Object.entries(headers)) r.res.setHeader(k, v);
  r.res.setHeader('Content-Type', XML_TYPE);
  r.res.setHeader('Content-Length', String(buf.length));
  r.res.end(buf);
}

/** Parses a DAV:lockinfo body into a lock request (without depth/timeout). Throws DavError 400/422, XmlError. */
function parseLockInfo(body: Buffer): Pick<LockRequest, 'scope' | 'owner'> {
  const root = parseXml(body);
  if (root.ns !== DAV_NS || root.name !== 'lockinfo') throw new DavError(400, 'LOCK body is not DAV:lockinfo');
  const scopeEl = child(root, DAV_NS, 'lockscope');
  const typeEl = child(root, DAV_NS, 'locktype');
  if (!scopeEl || !typeEl) throw new DavError(400, 'lockinfo needs lockscope and locktype');
  const scope = onlyChild(scopeEl, 'lockscope');
  if (scope.ns !== DAV_NS || (scope.name !== 'exclusive' && scope.name !== 'shared')) {
    throw new DavError(422, `unsupported lock scope ${scope.name}`);
  }
  const type = onlyChild(typeEl, 'locktype');
  if (type.ns !== DAV_NS || type.name !== 'write') throw new DavError(422, `unsupported lock type ${type.name}`);
  const owner = child(root, DAV_NS, 'owner');
  return { scope: scope.name as LockScope, owner: owner?.innerXml() };
}

function onlyChild(e: XmlElement, what: string): XmlElement {
  const [first, ...rest] = e.children;
  if (!first || rest.length > 0) throw new DavError(400, `${what} needs exactly one element`);
  return first;
}

/** Writes the LOCK success body (the lock's DAV:lockdiscovery). */
function sendLock(s: DavShared, r: DavRequest, status: number, lock: Lock, isCollection: boolean, headers: Record<string, string>): void {
  const discovery = lockDiscoveryXml([lock], (root) => r.href(root, isCollection), s.clock.now());
  const body = xmlDocument(el(DAV_NS, 'prop', el(DAV_NS, 'lockdiscovery', { xml: discovery })));
  sendXml(r, status, body, headers);
}

/** Whether `path` (a VFS path or a lock root) is a collection; undefined when unmapped. Throws other VFS errors. */
async function isCollectionAt(s: DavShared, r: DavRequest, path: string): Promise<boolean | undefined> {
  const node = await lookupOrMissing(s, r, path);
  return node === undefined ? undefined : node.entry.kind === 'dir';
}

async function refresh(s: DavShared, r: DavRequest): Promise<void> {
  const ifValue = r.header('if');
  if (ifValue === undefined) throw new DavError(400, 'LOCK without a body is a refresh and needs an If header');
  await guardIf(s, r);
  const timeoutSec = s.locks.parseTimeout(r.header('timeout'));
  for (const token of submittedTokens(parseIf(ifValue))) {
    let lock: Lock;
    try {
      lock = s.locks.refresh(r.path, token, timeoutSec, r.user);
    } catch (err) {
      if (err instanceof LockTokenError) continue;
      throw err;
    }
    const isCollection = (await isCollectionAt(s, r, lock.root)) ?? false;
    sendLock(s, r, 200, lock, isCollection, {});
    return;
  }
  throw new DavError(412, 'no submitted token designates a lock on this resource', { condition: 'lock-token-submitted' });
}

async function create(s: DavShared, r: DavRequest, body: Buffer): Promise<void> {
  const info = parseLockInfo(body);
  const depthHeader = depthOf(r, 'infinity');
  if (depthHeader === '1') throw new DavError(400, 'LOCK Depth must be 0 or infinity');
  const depth: LockDepth = depthHeader === '0' ? 0 : 'infinity';
  const timeoutSec = s.locks.parseTimeout(r.header('timeout'));
  // One look-up: the root, or the target resolved in its parent (409 when the parent is missing).
  const at = r.path === '' ? undefined : await resolveTarget(s, r);
  const node = at ? at.existing : await s.vfs.lookup('', r.signal);
  const isCollection = node?.entry.kind === 'dir';
  const unmapped = node === undefined;
  if (unmapped) {
    await guardWrite(s, r, [{ path: r.path, scope: 'resource' }, { path: parentOf(r.path), scope: 'resource' }]);
  } else {
    await guardIf(s, r);
  }
  let lock: Lock;
  try {
    lock = s.locks.lock(r.path, { ...info, depth, timeoutSec, principal: r.user });
  } catch (err) {
    if (!(err instanceof LockConflictError)) throw err;
    const href = r.href(err.lock.root, (await isCollectionAt(s, r, err.lock.root)) ?? false);
    throw new DavConditionError(423, 'a conflicting lock exists', 'no-conflicting-lock', [href]);
  }
  if (at && unmapped) {
    try {
      await s.vfs.writeFile(at, Buffer.alloc(0), { signal: r.signal });
    } catch (err) {
      s.locks.unlock(lock.root, lock.token, r.user);
      throw err;
    }
  }
  sendLock(s, r, unmapped ? 201 : 200, lock, isCollection, { 'Lock-Token': `<${lock.token}>` });
}

/** LOCK: create (body) or refresh (no body) a write lock; see the module doc for statuses. */
export const handleLock: Handler = async (s, r) => {
  const body = await r.body();
  if (body.toString('utf8').trim() === '') await refresh(s, r);
  else await create(s, r, body);
};
