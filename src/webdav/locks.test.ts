import { describe, it, expect, beforeEach } from 'vitest';
import { FakeClock } from '../util/clock.ts';
import { evaluateIf, parseIf } from './if-header.ts';
import {
  LockConflictError,
  LockTokenError,
  createLockManager,
  lockDiscoveryXml,
  normalizeLockPath,
  parseTimeoutValue,
  supportedLockXml,
  type LockManager,
  type LockRequest,
} from './locks.ts';
import { thrownBy } from '../../test/support/errors.ts';

const EXCL0: LockRequest = { scope: 'exclusive', depth: 0 };
const EXCLINF: LockRequest = { scope: 'exclusive', depth: 'infinity' };
const SHARED0: LockRequest = { scope: 'shared', depth: 0 };
const SHAREDINF: LockRequest = { scope: 'shared', depth: 'infinity' };

let clock: FakeClock;
let m: LockManager;

beforeEach(() => {
  clock = new FakeClock();
  m = createLockManager({ clock, maxTimeoutSec: 3600, defaultTimeoutSec: 600 });
});

const conflictOf = (fn: () => unknown): LockConflictError => thrownBy(fn, LockConflictError);

function tokenErrorOf(fn: () => unknown): LockTokenError {
  try {
    fn();
  } catch (e) {
    if (e instanceof LockTokenError) return e;
    throw e;
  }
  throw new Error('expected a LockTokenError');
}

describe('lock', () => {
  it('returns a urn:uuid token, the normalized root and the expiry', () => {
    const l = m.lock('/a/b/', { ...EXCL0, owner: '<D:href>me</D:href>', principal: 'alice', timeoutSec: 100 });
    expect(l.token).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(l).toMatchObject({ root: '/a/b', scope: 'exclusive', depth: 0, principal: 'alice' });
    expect(l.owner).toBe('<D:href>me</D:href>');
    expect(l.timeoutSec).toBe(100);
    expect(l.expiresAt).toBe(clock.now() + 100_000);
    expect(m.lock('/c', EXCL0).token).not.toBe(l.token);
  });

  it('uses the default timeout and caps large and infinite ones', () => {
    expect(m.lock('/d', EXCL0).timeoutSec).toBe(600);
    expect(m.lock('/big', { ...EXCL0, timeoutSec: 99_999_999 }).timeoutSec).toBe(3600);
    expect(m.lock('/inf', { ...EXCL0, timeoutSec: Infinity }).timeoutSec).toBe(3600);
    expect(m.lock('/zero', { ...EXCL0, timeoutSec: 0 }).timeoutSec).toBe(1);
  });

  it('refuses a second exclusive lock, and a shared lock on an exclusive one', () => {
    const first = m.lock('/f', EXCL0);
    expect(conflictOf(() => m.lock('/f', EXCL0)).lock.token).toBe(first.token);
    expect(conflictOf(() => m.lock('/f/', SHARED0)).lock.token).toBe(first.token);
  });

  it('lets shared locks coexist but refuses an exclusive one among them', () => {
    const a = m.lock('/s', SHARED0);
    const b = m.lock('/s', SHARED0);
    expect(m.locksCovering('/s').map((l) => l.token).sort()).toEqual([a.token, b.token].sort());
    expect(conflictOf(() => m.lock('/s', EXCL0)).code).toBe('LOCK_CONFLICT');
  });

  it('conflicts with a depth-infinity lock on an ancestor, not with a depth-0 one', () => {
    m.lock('/p', EXCLINF);
    expect(conflictOf(() => m.lock('/p/q/r', EXCL0)).lock.root).toBe('/p');
    m.lock('/x', EXCL0);
    expect(m.lock('/x/y', EXCL0).root).toBe('/x/y');
  });

  it('for a depth-infinity request, conflicts with locks on descendants', () => {
    const child = m.lock('/t/u/v', SHARED0);
    expect(conflictOf(() => m.lock('/t', EXCLINF)).lock.token).toBe(child.token);
    expect(m.lock('/t', SHAREDINF).depth).toBe('infinity');
    expect(m.lock('/t', SHARED0).root).toBe('/t');
    expect(() => m.lock('/t', EXCL0)).toThrow(LockConflictError);
  });

  it('does not confuse sibling prefixes', () => {
    m.lock('/ab', EXCLINF);
    expect(m.lock('/abc', EXCL0).root).toBe('/abc');
    expect(m.locksCovering('/abc/d')).toHaveLength(0);
  });

  it('a depth-infinity lock on the root covers everything', () => {
    m.lock('/', EXCLINF);
    expect(m.locksCovering('/any/deep/path')).toHaveLength(1);
    expect(() => m.lock('/any', SHARED0)).toThrow(LockConflictError);
  });

  it('locks an unmapped path (lock-null) like any other', () => {
    const l = m.lock('/does/not/exist', EXCL0);
    expect(m.locksCovering('/does/not/exist')).toEqual([l]);
  });

  it('returns frozen lock snapshots', () => {
    const l = m.lock('/frozen', EXCL0);
    expect(Object.isFrozen(l)).toBe(true);
  });
});

describe('expiry and refresh', () => {
  it('a lock disappears once its timeout has elapsed, freeing the path', async () => {
    m.lock('/e', { ...EXCL0, timeoutSec: 10 });
    await clock.advance(9_999);
    expect(m.locksCovering('/e')).toHaveLength(1);
    await clock.advance(1);
    expect(m.locksCovering('/e')).toHaveLength(0);
    expect(m.lock('/e', EXCL0).root).toBe('/e');
  });

  it('refresh extends the expiry by the new timeout, or by the previous one', async () => {
    const l = m.lock('/r', { ...EXCL0, timeoutSec: 10 });
    await clock.advance(8_000);
    const r1 = m.refresh('/r', l.token, 20);
    expect(r1.token).toBe(l.token);
    expect(r1.expiresAt).toBe(clock.now() + 20_000);
    await clock.advance(15_000);
    expect(m.locksCovering('/r')).toHaveLength(1);
    const r2 = m.refresh('/r', l.token);
    expect(r2.timeoutSec).toBe(20);
    await clock.advance(19_999);
    expect(m.locksCovering('/r')).toHaveLength(1);
    await clock.advance(1);
    expect(m.locksCovering('/r')).toHaveLength(0);
  });

  it('refresh caps Infinite', () => {
    const l = m.lock('/ri', EXCL0);
    expect(m.refresh('/ri', l.token, Infinity).timeoutSec).toBe(3600);
  });

  it('indirect refresh: a member of a depth-infinity lock refreshes it', () => {
    const l = m.lock('/coll', EXCLINF);
    expect(m.refresh('/coll/lockme.txt', l.token, 60).root).toBe('/coll');
  });

  it('refresh refuses unknown, expired, out-of-scope and foreign tokens', async () => {
    const l = m.lock('/rr', { ...EXCL0, principal: 'alice', timeoutSec: 5 });
    expect(tokenErrorOf(() => m.refresh('/rr', 'urn:uuid:bogus', 60, 'alice')).reason).toBe('unknown-token');
    expect(tokenErrorOf(() => m.refresh('/rr/child', l.token, 60, 'alice')).reason).toBe('out-of-scope');
    expect(tokenErrorOf(() => m.refresh('/rr', l.token, 60, 'bob')).reason).toBe('not-owner');
    await clock.advance(5_000);
    expect(tokenErrorOf(() => m.refresh('/rr', l.token, 60, 'alice')).reason).toBe('unknown-token');
  });
});

describe('unlock', () => {
  it('removes the lock when the token covers the path', () => {
    const l = m.lock('/u', EXCL0);
    expect(m.unlock('/u/', l.token).token).toBe(l.token);
    expect(m.locksCovering('/u')).toHaveLength(0);
  });

  it('accepts a Request-URI inside a depth-infinity lock', () => {
    const l = m.lock('/uc', EXCLINF);
    m.unlock('/uc/member', l.token);
    expect(m.locksCovering('/uc')).toHaveLength(0);
  });

  it('refuses a wrong token, a wrong path and another principal, keeping the lock', () => {
    const l = m.lock('/w', { ...EXCL0, principal: 'alice' });
    m.lock('/other', EXCL0);
    const e = tokenErrorOf(() => m.unlock('/w', 'opaquelocktoken:foobar', 'alice'));
    expect(e.code).toBe('LOCK_TOKEN_MISMATCH');
    expect(e.reason).toBe('unknown-token');
    expect(tokenErrorOf(() => m.unlock('/other', l.token, 'alice')).reason).toBe('out-of-scope');
    expect(tokenErrorOf(() => m.unlock('/w', l.token, 'bob')).reason).toBe('not-owner');
    expect(tokenErrorOf(() => m.unlock('/w', l.token)).reason).toBe('not-owner');
    expect(m.locksCovering('/w')).toHaveLength(1);
  });

  it('unlocking one shared lock leaves the other', () => {
    const a = m.lock('/sh', SHARED0);
    const b = m.lock('/sh', SHARED0);
    m.unlock('/sh', b.token);
    expect(m.locksCovering('/sh')).toEqual([a]);
  });
});

describe('checkWrite', () => {
  it('allows any write to an unlocked resource', () => {
    expect(m.checkWrite('/free', [])).toEqual({ ok: true });
  });

  it('needs a submitted token of a covering lock', () => {
    const l = m.lock('/cw', EXCL0);
    expect(m.checkWrite('/cw', [])).toEqual({ ok: false, lock: l });
    expect(m.checkWrite('/cw', ['urn:uuid:other'])).toEqual({ ok: false, lock: l });
    expect(m.checkWrite('/cw', ['urn:uuid:other', l.token])).toEqual({ ok: true });
  });

  it('honours depth-infinity locks on ancestors', () => {
    const l = m.lock('/lockcoll', EXCLINF);
    expect(m.checkWrite('/lockcoll/lockme.txt', [])).toEqual({ ok: false, lock: l });
    expect(m.checkWrite('/lockcoll/lockme.txt', [l.token]).ok).toBe(true);
    expect(m.checkWrite('/elsewhere', []).ok).toBe(true);
  });

  it('a depth-0 lock on a collection does not cover its members', () => {
    m.lock('/c0', EXCL0);
    expect(m.checkWrite('/c0/member', []).ok).toBe(true);
    expect(m.checkWrite('/c0', []).ok).toBe(false);
  });

  it('with shared locks, one usable token suffices', () => {
    const a = m.lock('/sw', SHARED0);
    m.lock('/sw', SHARED0);
    expect(m.checkWrite('/sw', [a.token]).ok).toBe(true);
    expect(m.checkWrite('/sw', []).ok).toBe(false);
  });

  it('refuses a token submitted by another principal when principals are known', () => {
    const l = m.lock('/own', { ...EXCL0, principal: 'alice' });
    expect(m.checkWrite('/own', [l.token], 'alice').ok).toBe(true);
    expect(m.checkWrite('/own', [l.token], 'bob')).toEqual({ ok: false, lock: l });
    expect(m.checkWrite('/own', [l.token]).ok).toBe(false);
  });

  it('an anonymous lock is usable by whoever holds its token', () => {
    const l = m.lock('/anon', EXCL0);
    expect(m.checkWrite('/anon', [l.token], 'bob').ok).toBe(true);
  });

  it("tree scope needs the tokens of every lock below (DELETE/MOVE of a collection)", () => {
    const deep = m.lock('/tree/a/file', EXCL0);
    const other = m.lock('/tree/b', EXCLINF);
    expect(m.checkWrite('/tree', [], undefined, 'resource').ok).toBe(true);
    expect(m.checkWrite('/tree', [deep.token], undefined, 'tree')).toEqual({ ok: false, lock: other });
    expect(m.checkWrite('/tree', [other.token], undefined, 'tree')).toEqual({ ok: false, lock: deep });
    expect(m.checkWrite('/tree', [deep.token, other.token], undefined, 'tree').ok).toBe(true);
  });

  it('tree scope: a depth-infinity lock on the collection covers itself and is enough', () => {
    const l = m.lock('/tc', EXCLINF);
    expect(m.checkWrite('/tc', [l.token], undefined, 'tree').ok).toBe(true);
    expect(m.checkWrite('/tc', [], undefined, 'tree').ok).toBe(false);
  });

  it('ignores expired locks', async () => {
    m.lock('/exp', { ...EXCL0, timeoutSec: 1 });
    await clock.advance(1_000);
    expect(m.checkWrite('/exp', []).ok).toBe(true);
  });
});

describe('locksBelow and dropLocks', () => {
  it('locksBelow lists locks at and under the path, not above or beside', () => {
    m.lock('/lb', EXCL0);
    m.lock('/lb/x/y', SHARED0);
    m.lock('/lbz', EXCL0);
    m.lock('/', SHARED0);
    expect(m.locksBelow('/lb').map((l) => l.root).sort()).toEqual(['/lb', '/lb/x/y']);
  });

  it('dropLocks removes locks at and under the path (a MOVE leaves the locks behind)', () => {
    m.lock('/d', EXCLINF);
    m.lock('/dd', EXCL0);
    const dropped = m.dropLocks('/d/');
    expect(dropped.map((l) => l.root)).toEqual(['/d']);
    expect(m.locksCovering('/d/child')).toHaveLength(0);
    expect(m.locksCovering('/dd')).toHaveLength(1);
    expect(m.lock('/d', EXCL0).root).toBe('/d');
  });
});

describe('Timeout header', () => {
  it.each([
    ['Second-100', 100],
    ['second-100', 100],
    ['Second-0', 1],
    ['Second-4100000000', 3600],
    ['Infinite', 3600],
    ['Infinite, Second-4100000000', 3600],
    ['Second-x, Second-42', 42],
    [' Second-7 ', 7],
  ])('parseTimeout(%j) = %d', (header, expected) => {
    expect(m.parseTimeout(header)).toBe(expected);
  });

  it.each([undefined, '', 'Seconds-5', 'Second-', 'Second--5', 'forever', 'Second-1.5'])(
    'parseTimeout(%j) is undefined',
    (header) => {
      expect(m.parseTimeout(header)).toBeUndefined();
    },
  );

  it('parseTimeoutValue reports Infinite uncapped', () => {
    expect(parseTimeoutValue('Infinite')).toBe(Infinity);
    expect(parseTimeoutValue('Second-99999')).toBe(99999);
  });
});

describe('XML', () => {
  it('lockDiscoveryXml renders each lock with a seconds timeout, verbatim owner and hrefs', async () => {
    const l = m.lock('/a b', { ...EXCLINF, owner: '<D:href>http://x/?a=1&amp;b</D:href>', timeoutSec: 3600 });
    await clock.advance(1_500);
    const xml = lockDiscoveryXml([l], (p) => `/base${p.replace(' ', '%20')}?q=1&r`, clock.now());
    expect(xml).toBe(
      '<D:activelock><D:locktype><D:write/></D:locktype><D:lockscope><D:exclusive/></D:lockscope>' +
        '<D:depth>infinity</D:depth><D:owner><D:href>http://x/?a=1&amp;b</D:href></D:owner>' +
        '<D:timeout>Second-3599</D:timeout>' +
        `<D:locktoken><D:href>${l.token}</D:href></D:locktoken>` +
        '<D:lockroot><D:href>/base/a%20b?q=1&amp;r</D:href></D:lockroot></D:activelock>',
    );
  });

  it('lockDiscoveryXml omits an absent owner, writes depth 0 and concatenates locks', () => {
    const a = m.lock('/s', SHARED0);
    const b = m.lock('/s', SHARED0);
    const xml = lockDiscoveryXml([a, b], (p) => p, clock.now());
    expect(xml.match(/<D:activelock>/g)).toHaveLength(2);
    expect(xml).toContain(
      '<D:lockscope><D:shared/></D:lockscope><D:depth>0</D:depth><D:timeout>Second-600</D:timeout>',
    );
    expect(xml).not.toContain('<D:owner>');
    expect(lockDiscoveryXml([], (p) => p, clock.now())).toBe('');
  });

  it('supportedLockXml lists exclusive and shared write locks', () => {
    expect(supportedLockXml()).toBe(
      '<D:lockentry><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>' +
        '<D:lockentry><D:lockscope><D:shared/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>',
    );
  });
});

describe('normalizeLockPath', () => {
  it.each([
    ['/', '/'],
    ['', '/'],
    ['a', '/a'],
    ['/a/', '/a'],
    ['//a//b//', '/a/b'],
    ['/Cafe\u0301/x', '/Caf\u00e9/x'],
  ])('%j -> %j', (input, expected) => {
    expect(normalizeLockPath(input)).toBe(expected);
  });

  it('a lock on a name spelled in NFD covers the same name spelled in NFC, and the other way round', () => {
    const nfd = m.lock('/Docs/Re\u0301sume\u0301.odt', { ...EXCL0, principal: 'mac' });
    expect(m.checkWrite('/Docs/R\u00e9sum\u00e9.odt', [], 'linux').ok).toBe(false);
    expect(m.checkWrite('/Docs/R\u00e9sum\u00e9.odt', [nfd.token], 'mac').ok).toBe(true);
    const tree = m.lock('/Caf\u00e9', { ...EXCLINF, principal: 'linux' });
    expect(m.locksCovering('/Cafe\u0301/menu.txt').map((l) => l.token)).toEqual([tree.token]);
    expect(m.dropLocks('/Cafe\u0301').map((l) => l.token)).toEqual([tree.token]);
  });
});

describe('with the If header: the litmus locks sequence', () => {
  const PATH = '/litmus/lockme';
  const ETAG = '"e1"';
  const resolveWith = (mgr: LockManager) => (key: string) => ({
    etag: key === PATH ? ETAG : undefined,
    lockTokens: mgr.locksCovering(key).map((l) => l.token),
  });
  /** What a PUT handler does: evaluate If (412 when false), then check locks (423 when unsatisfied). */
  const put = (ifHeader: string | undefined, principal = 'u'): 204 | 412 | 423 => {
    let tokens: string[] = [];
    if (ifHeader !== undefined) {
      const ctx = { requestUrl: PATH, normalize: normalizeLockPath, resolve: resolveWith(m) };
      const r = evaluateIf(parseIf(ifHeader), ctx);
      if (!r.ok) return 412;
      tokens = r.submittedTokens;
    }
    return m.checkWrite(PATH, tokens, principal).ok ? 204 : 423;
  };

  it('owner, non-owner, conditional PUTs, unlock', () => {
    const l = m.lock(PATH, { ...EXCL0, owner: 'litmus test suite', principal: 'u', timeoutSec: 3600 });
    expect(put(undefined)).toBe(423); // notowner_modify: the second session sends no token
    expect(put(`(<${l.token}>)`)).toBe(204); // owner_modify
    expect(put(`(<${l.token}>)`, 'intruder')).toBe(423); // token used by another principal
    expect(put(`(<${l.token}> [${ETAG}])`)).toBe(204); // cond_put
    expect(put(`(<DAV:no-lock> [${ETAG}])`)).toBe(412); // fail_cond_put
    expect(put(`(<${l.token}>) (Not <DAV:no-lock>)`)).toBe(204); // cond_put_with_not
    expect(put(`(<${l.token}x>) (Not <DAV:no-lock>)`)).toBe(423); // cond_put_corrupt_token
    expect(put(`(<${l.token}> [${ETAG}]) (Not <DAV:no-lock> [${ETAG}])`)).toBe(204); // complex_cond_put
    expect(put(`(<${l.token}> ["e2"]) (Not <DAV:no-lock> ["e2"])`)).toBe(412); // fail_complex_cond_put
    m.unlock(PATH, l.token, 'u');
    expect(put('(<DAV:no-lock>)')).toBe(412); // fail_cond_put_unlocked
    expect(put('(Not <urn:uuid:bogus>)')).toBe(204);
  });
});
