/**
 * Hostile input: a seeded, reproducible battery of malformed, oversized and malicious requests
 * sent over raw sockets to the full stack (emulator -> client -> VFS -> WebDAV, users configured).
 *
 * Asserted: no crash (a health PROPFIND answers 207 after every batch), no hang (every request gets an answer or a
 * deliberate close within REQUEST_TIMEOUT_MS), no 500 at all and every 4xx/5xx answer carries a reason (a body, or
 * for the answers Node's parser gives before our code runs, an explicit status text), every request classified
 * invalid is refused (4xx/5xx or a close), no traversal target with a dot segment is ever served, the content of
 * /etc/passwd appears in no answer, heapUsed grows less than 100 MB, and slow clients trickling headers do not stop
 * the battery from being served.
 *
 * Seed: HOSTILE_SEED (default 20240607, printed). SOAK=1 multiplies the request count by 20. HOSTILE_DEBUG=1 logs
 * progress per batch and longer excerpts of failing requests.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../src/util/random.ts';
import { startDavStack } from './support/stack.ts';
import type { DavStack } from './support/stack.ts';

const SOAK = process.env.SOAK === '1';
const SEED = Number(process.env.HOSTILE_SEED ?? 20240607);
const TOTAL = 5000 * (SOAK ? 20 : 1);
const BATCH = 250;
const CONCURRENCY = 24;
const REQUEST_TIMEOUT_MS = 10_000;
const SLOW_CLIENTS = 12;
/** The server's headersTimeout (src/webdav/index.ts): header tricklers may get 408 after it. */
const HEADERS_TIMEOUT_MS = 60_000;
const BODY_CAP = 1024 * 1024;

/**
 * A full GC when the runtime allows one (vitest hides `global.gc`; the flag set at run time exposes it in a new
 * context), so heapUsed compares live data rather than garbage. Resolves after the collection.
 */
async function collect(): Promise<void> {
  try {
    setFlagsFromString('--expose_gc');
    const gc = runInNewContext('gc') as (() => void) | undefined;
    await new Promise((r) => setTimeout(r, 100));
    gc?.();
    gc?.();
  } catch {
    // no GC available: the bound below is generous enough for garbage
  }
}

/** What the server must do with a request. */
type Expect =
  /** Well-formed: any status but 500 (2xx allowed). */
  | 'valid'
  /** Invalid input: a 4xx/5xx or a deliberate close. */
  | 'invalid'
  /** Malformed where the RFCs say "ignore" (Range, Timeout): any status but 500. */
  | 'lenient';

interface Probe {
  kind: string;
  bytes: Buffer;
  expect: Expect;
  head: boolean;
  /** The target contains a `..` segment in some spelling: must never be served (2xx). */
  traversal: boolean;
  /**
   * Half-close after sending. Only for a body shorter than its framing says: Node (httpAllowHalfOpen false)
   * aborts a request whose client half-closes, and otherwise would rightly wait for the rest of the body.
   */
  halfClose: boolean;
}

interface Outcome {
  status?: number;
  statusText?: string;
  body?: Buffer;
  closed: boolean;
  hang: boolean;
}

/** The answer to one raw request: parses the first response, then closes the socket. */
function send(port: number, bytes: Buffer, head: boolean, endAfter = false): Promise<Outcome> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let settled = false;
    const timer = setTimeout(() => done({ closed: false, hang: true }), REQUEST_TIMEOUT_MS);
    const done = (o: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(o);
    };
    const tryParse = (final: boolean): void => {
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) break;
        const headText = buf.subarray(0, end).toString('latin1');
        const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?/.exec(headText);
        if (!m) {
          done({ closed: true, hang: false });
          return;
        }
        const status = Number(m[1]);
        if (status >= 100 && status < 200) {
          buf = buf.subarray(end + 4);
          continue;
        }
        const rest = buf.subarray(end + 4);
        const cl = /\r\ncontent-length:\s*(\d+)/i.exec(headText);
        const chunked = /\r\ntransfer-encoding:\s*chunked/i.test(headText);
        const base = { status, statusText: m[2] ?? '', closed: false, hang: false };
        if (head || status === 204 || status === 304) return done({ ...base, body: Buffer.alloc(0) });
        if (cl) {
          const n = Number(cl[1]);
          if (rest.length >= n) return done({ ...base, body: rest.subarray(0, n) });
        } else if (chunked) {
          if (rest.includes('0\r\n\r\n') || final) return done({ ...base, body: rest });
        } else if (final) {
          return done({ ...base, body: rest });
        }
        if (final) return done({ ...base, body: rest });
        return;
      }
      if (final) done({ closed: true, hang: false });
    };
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      tryParse(false);
    });
    sock.on('error', () => tryParse(true));
    sock.on('close', () => tryParse(true));
    sock.write(bytes, () => {
      if (endAfter && !sock.destroyed) sock.end();
    });
  });
}

describe('hostile input battery', () => {
  let stack: DavStack;
  let port: number;
  let auth: string;
  const passwd = (() => {
    try {
      return readFileSync('/etc/passwd', 'utf8').split('\n')[0] ?? '';
    } catch {
      return '';
    }
  })();
  const passwdMarker = passwd.length > 8 ? passwd : 'root:x:0:0:';

  beforeAll(async () => {
    stack = await startDavStack();
    port = Number(new URL(stack.url).port);
    auth = `Basic ${Buffer.from(`${stack.user}:${stack.pass}`, 'utf8').toString('base64')}`;
    const seed = async (method: string, path: string, body = '') => {
      const o = await send(port, Buffer.from(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: ${auth}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`), false);
      expect(o.status, `${method} ${path}`).toBeLessThan(300);
    };
    await seed('MKCOL', '/dir/');
    await seed('MKCOL', '/keep/');
    await seed('PUT', '/a.txt', 'hello a');
    await seed('PUT', '/dir/b.txt', 'hello b');
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it(`survives ${TOTAL} generated hostile requests (seed printed)`, async () => {
    console.log(`hostile battery: seed=${SEED} requests=${TOTAL} (HOSTILE_SEED=${SEED} reproduces)`);
    const rnd = seededRandom(SEED);
    const gen = makeGenerator(rnd, port, auth);
    await collect();
    const heapBefore = process.memoryUsage().heapUsed;

    const slow = startSlowClients(port, SLOW_CLIENTS, auth);
    const stats = new Map<string, Map<string, number>>();
    const failures: string[] = [];
    let hangs = 0;
    let closes = 0;
    const bump = (kind: string, key: string) => {
      const k = stats.get(kind) ?? new Map<string, number>();
      k.set(key, (k.get(key) ?? 0) + 1);
      stats.set(kind, k);
    };

    const check = (p: Probe, o: Outcome): void => {
      const key = o.hang ? 'hang' : o.closed ? 'close' : String(o.status);
      bump(p.expect, key);
      bump(`kind:${p.kind}`, key);
      const what = `${p.kind} ${JSON.stringify(p.bytes.subarray(0, process.env.HOSTILE_DEBUG ? 600 : 120).toString('latin1'))}`;
      if (o.hang) {
        hangs++;
        failures.push(`hang: ${what}`);
        return;
      }
      if (o.closed) {
        closes++;
        if (p.expect === 'valid') failures.push(`valid request closed: ${what}`);
        return;
      }
      const status = o.status ?? 0;
      const body = o.body ?? Buffer.alloc(0);
      if (status === 500) failures.push(`500: ${what} -> ${body.toString('utf8').slice(0, 100)}`);
      if (status >= 400 && !p.head && body.length === 0 && (o.statusText ?? '').trim() === '') failures.push(`bare ${status}: ${what}`);
      if (status >= 500 && !p.head && body.length === 0) failures.push(`5xx without body: ${what}`);
      if (p.expect === 'invalid' && status < 400) failures.push(`invalid accepted (${status}): ${what}`);
      if (p.traversal && status >= 200 && status < 300) failures.push(`traversal served (${status}): ${what}`);
      if (body.includes(passwdMarker)) failures.push(`passwd content leaked: ${what}`);
    };

    const health = async (batch: number) => {
      const o = await send(port, Buffer.from(`PROPFIND / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: ${auth}\r\nDepth: 0\r\nContent-Length: 0\r\n\r\n`), false);
      expect(o.status, `health after batch ${batch}`).toBe(207);
    };

    // A crash of the in-process server is an exception nobody catches: count them (the runner reports them too).
    const crashes: string[] = [];
    const onCrash = (err: unknown) => crashes.push(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
    const started = Date.now();
    let slowAlive = 0;
    let slowTimedOut = 0;
    try {
      for (let b = 0; b * BATCH < TOTAL; b++) {
        const probes: Probe[] = [];
        for (let i = 0; i < BATCH && b * BATCH + i < TOTAL; i++) probes.push(gen());
        let next = 0;
        const worker = async () => {
          for (let p = probes[next++]; p !== undefined; p = probes[next++]) check(p, await send(port, p.bytes, p.head, p.halfClose));
        };
        await Promise.all(Array.from({ length: CONCURRENCY }, worker));
        await health(b);
        if (process.env.HOSTILE_DEBUG) console.log(`batch ${b} at ${Date.now() - started} ms, hangs=${hangs}`, failures.slice(-5));
        expect(slow.alive(), 'slow clients still connected').toBeGreaterThan(0);
      }
    } finally {
      process.off('uncaughtException', onCrash);
      process.off('unhandledRejection', onCrash);
      slowAlive = slow.alive();
      slowTimedOut = slow.timedOut();
      slow.stop();
    }
    const ms = Date.now() - started;
    await collect();
    const heapAfter = process.memoryUsage().heapUsed;
    const growthMb = (heapAfter - heapBefore) / 1024 / 1024;

    const cols = ['2xx', '3xx', '4xx', '5xx', 'close', 'hang'];
    const bucket = (key: string) => (/^\d/.test(key) ? `${key[0]}xx` : key);
    const lines: string[] = [];
    const summary = (name: string, m: Map<string, number>) => {
      const byCol = new Map<string, number>();
      for (const [k, n] of m) byCol.set(bucket(k), (byCol.get(bucket(k)) ?? 0) + n);
      const detail = [...m.entries()].sort((x, y) => x[0].localeCompare(y[0])).map(([k, n]) => `${k}:${n}`).join(' ');
      lines.push(`${name.padEnd(26)} ${cols.map((c) => String(byCol.get(c) ?? 0).padStart(6)).join('')}  ${detail}`);
    };
    lines.push(`${'class/kind'.padEnd(26)} ${cols.map((c) => c.padStart(6)).join('')}  statuses`);
    for (const e of ['valid', 'invalid', 'lenient']) summary(e, stats.get(e) ?? new Map());
    for (const [k, m] of [...stats.entries()].filter(([k]) => k.startsWith('kind:')).sort((x, y) => x[0].localeCompare(y[0]))) summary(k.slice(5), m);
    console.log(
      `hostile battery: ${TOTAL} requests in ${ms} ms, crashes=${crashes.length} hangs=${hangs} closes=${closes}, heapUsed growth ${growthMb.toFixed(1)} MB, slow clients still connected ${slowAlive}/${SLOW_CLIENTS} (408: ${slowTimedOut})\n${lines.join('\n')}`,
    );
    if (failures.length > 0) console.log(`failures (${failures.length}):\n${failures.slice(0, 40).join('\n')}`);

    expect(crashes).toEqual([]);
    expect(failures).toEqual([]);
    expect(hangs).toBe(0);
    // A run that outlasts Node's headersTimeout (60 s, checked every 30 s) may see header tricklers ended with 408
    // (bodies stay): a soak always does, and the short battery does on a slow or loaded machine.
    if (SOAK || ms >= HEADERS_TIMEOUT_MS) {
      expect(slowAlive).toBeGreaterThanOrEqual(SLOW_CLIENTS / 2);
      expect(slowTimedOut).toBe(SLOW_CLIENTS - slowAlive);
    } else expect(slowAlive, 'the slow clients held their connections throughout').toBe(SLOW_CLIENTS);
    expect(growthMb).toBeLessThan(100);
  }, SOAK ? 1_800_000 : 120_000);
});

/**
 * Connections that trickle forever: even ones send header lines, odd ones a PUT body byte by byte. `alive()`
 * counts those still connected, `timedOut()` those the server ended with 408 (Node's headersTimeout).
 */
function startSlowClients(port: number, n: number, auth: string): { alive(): number; timedOut(): number; stop(): void } {
  const socks: Socket[] = [];
  const timers: NodeJS.Timeout[] = [];
  let closed = 0;
  let timedOut = 0;
  for (let i = 0; i < n; i++) {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    let first = true;
    s.on('data', (d: Buffer) => {
      if (first && d.toString('latin1').startsWith('HTTP/1.1 408')) timedOut++;
      first = false;
    });
    s.once('close', () => closed++);
    socks.push(s);
    s.write(
      i % 2 === 0
        ? `PROPFIND / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: ${auth}\r\n`
        : `PUT /slow${i}.bin HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: ${auth}\r\nContent-Length: 1000000\r\n\r\n`,
    );
    let j = 0;
    timers.push(
      setInterval(() => {
        if (!s.destroyed) s.write(i % 2 === 0 ? `X-Slow-${j++}: ${'a'.repeat(5)}\r\n` : 'z');
      }, 500),
    );
  }
  return {
    alive: () => n - closed,
    timedOut: () => timedOut,
    stop: () => {
      for (const t of timers) clearInterval(t);
      for (const s of socks) s.destroy();
    },
  };
}

/** Builds the seeded generator of probes. */
function makeGenerator(rnd: () => number, port: number, auth: string): () => Probe {
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const chance = (p: number) => rnd() < p;
  const host = `127.0.0.1:${port}`;

  const DAV_METHODS = ['OPTIONS', 'GET', 'HEAD', 'PUT', 'DELETE', 'MKCOL', 'PROPFIND', 'PROPPATCH', 'COPY', 'MOVE', 'LOCK', 'UNLOCK'];
  /** Methods Node's parser knows but we do not implement (405), then ones it refuses (400 from the parser). */
  const OTHER_METHODS = ['POST', 'PATCH', 'TRACE', 'SEARCH', 'REPORT', 'ACL', 'BIND', 'PURGE', 'MKCALENDAR'];
  const BAD_METHODS = ['get', 'propfind', 'FOO', 'constructor', '__proto__', 'X'.repeat(300), 'GET\u0000', 'PROP FIND', 'GËT', ''];

  const validPaths = () => pick(['/', '/a.txt', '/dir/', '/dir/b.txt', `/n${int(50)}.txt`, `/dir/n${int(50)}`, `/c${int(20)}/`, '/missing/x', '/%C3%A9t%C3%A9.txt']);
  /** Hostile-looking but well-formed targets: they resolve inside the served root (no dot segment once decoded). */
  const oddPaths = ['//a.txt', '/a.txt?x=../../etc/passwd', '/dir/..%5c..%5cetc%5cpasswd', '/..\\..\\etc\\passwd', '/....//etc/passwd', '/.../a.txt', 'file:///etc/passwd', `http://${host}//dir//b.txt`, '/%20..', '/..%20/a.txt'];
  const traversalPaths = [
    '/../etc/passwd',
    '/dir/../../etc/passwd',
    '/%2e%2e/etc/passwd',
    '/%2E%2E/%2E%2E/etc/passwd',
    '/dir/%2e%2e/a.txt',
    '/dir/.%2e/.%2e/etc/passwd',
    '/./a.txt',
    '/dir/./b.txt',
    `http://${host}/../etc/passwd`,
    `http://${host}/dir/%2e%2e/%2e%2e/etc/passwd`,
  ];
  const badPaths = [
    '/a%2fb',
    '/..%2f..%2fetc%2fpasswd',
    '/%2F%2Fetc%2Fpasswd',
    '/a%00b',
    '/a%00.txt',
    '/%ff',
    '/%c0%af',
    '/%c0%ae%c0%ae/etc/passwd',
    '/%e0%80%af',
    '/%',
    '/%zz',
    '/a.txt#frag',
    'a.txt',
    'etc/passwd',
    `http://${host}/%ff`,
  ];
  const overlong = () => pick(['/' + 'x'.repeat(300 + int(400)), '/' + '%C3%A9'.repeat(160 + int(100)), '/dir/' + 'y'.repeat(1000 + int(6000)), '/' + Array.from({ length: 200 }, () => 'd').join('/')]);

  const xmlDecl = '<?xml version="1.0" encoding="utf-8"?>';
  const validXml = (method: string) => {
    const all = [
      `${xmlDecl}<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>`,
      `${xmlDecl}<D:propfind xmlns:D="DAV:"><D:propname/></D:propfind>`,
      `<propfind xmlns="DAV:"><prop><getcontentlength/><resourcetype/><x:y xmlns:x="urn:x"/></prop></propfind>`,
      `${xmlDecl}<D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z"><D:set><D:prop><Z:k>v${int(1000)}</Z:k></D:prop></D:set></D:propertyupdate>`,
      `${xmlDecl}<D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z"><D:remove><D:prop><Z:k/></D:prop></D:remove></D:propertyupdate>`,
      `${xmlDecl}<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>o</D:owner></D:lockinfo>`,
      `${xmlDecl}<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:shared/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>`,
    ];
    const root = method === 'PROPPATCH' ? 'propertyupdate' : method === 'LOCK' ? 'lockinfo' : 'propfind';
    return pick(all.filter((x) => x.includes(`:${root} `) || x.startsWith(`<${root} `)));
  };
  /** Odd but well-formed bodies: empty (PROPFIND = allprop), a namespace-declaration bomb, deep but under the limit. */
  const oddXml = (): Buffer =>
    Buffer.from(
      pick([
        '',
        `<D:propfind xmlns:D="DAV:" ${Array.from({ length: 3000 }, (_, i) => `xmlns:n${i}="urn:${i}"`).join(' ')}><D:allprop/></D:propfind>`,
        `<D:propfind xmlns:D="DAV:"><D:prop>${'<D:x>'.repeat(60)}${'</D:x>'.repeat(60)}</D:prop></D:propfind>`,
      ]),
    );
  const badXml = (): Buffer => {
    const k = int(15);
    switch (k) {
      case 0:
        return Buffer.from(`${xmlDecl}<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;"><!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;"><!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;"><!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;"><!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;"><!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]><D:propfind xmlns:D="DAV:"><D:prop><D:x>&lol9;</D:x></D:prop></D:propfind>`);
      case 1:
        return Buffer.from(`${xmlDecl}<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z"><D:set><D:prop><Z:k>&xxe;</Z:k></D:prop></D:set></D:propertyupdate>`);
      case 2:
        return Buffer.from(`<!DOCTYPE foo [<!ENTITY % xxe SYSTEM "file:///etc/passwd"> %xxe;]><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>`);
      case 3:
        return Buffer.from(`<!DOCTYPE D:lockinfo SYSTEM "file:///etc/passwd"><D:lockinfo xmlns:D="DAV:"><D:owner>&xxe;</D:owner></D:lockinfo>`);
      case 4:
        return Buffer.from(`<D:propfind xmlns:D="DAV:"><D:allprop>`);
      case 5:
        return Buffer.from(`<D:propfind xmlns:D="DAV:"><D:prop></D:propfind></D:prop>`);
      case 6:
        return Buffer.from(`<X:propfind><X:allprop/></X:propfind>`);
      case 7:
        return Buffer.concat([Buffer.from('<D:propfind xmlns:D="DAV:"><D:prop><D:'), Buffer.from([0xff, 0xfe, 0xc0]), Buffer.from('/></D:prop></D:propfind>')]);
      case 8:
        return Buffer.from('\ufeff<propfind xmlns="DAV:"/>', 'utf16le');
      case 9:
        return Buffer.from(`<?xml version="1.0" encoding="ISO-8859-1"?><propfind xmlns="DAV:"><allprop/></propfind>`);
      case 10:
        return Buffer.from('<a>'.repeat(2000 + int(20000)) + '</a>'.repeat(100));
      case 11:
        return Buffer.from(`<D:propfind xmlns:D="DAV:"><D:prop>${'<D:x/>'.repeat(110_000)}</D:prop></D:propfind>`);
      case 13:
        return Buffer.from(`<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><Z:k xmlns:Z="urn:z">&undefined;&#0;&#xD800;</Z:k></D:prop></D:set></D:propertyupdate>`);
      default:
        return Buffer.from(Array.from({ length: 64 + int(2000) }, () => int(256)));
    }
  };
  const hugeBody = () => Buffer.alloc(BODY_CAP + 1 + int(200_000), 0x3c);

  /** Header values WebDAV reads, each malformed in several ways. */
  const badHeaders: Record<string, () => string> = {
    If: () => pick(['(', '(<urn:x>', '<http://x/a> (Not)', '([W/"x"] <opaquelocktoken:', '()', '(Not Not <urn:x>)', '<>', `(${'<urn:a> '.repeat(5000)})`, '(["unterminated)', 'garbage', '(<opaquelocktoken:%ff>)', `<http://${host}/%ff> (<urn:x>)`, `<http://${host}/../etc/passwd> (<urn:x>)`]),
    Depth: () => pick(['2', '-1', 'one', '0,1', 'infinity,0', '1'.repeat(1000), 'Infinity0', '0x0']),
    Destination: () => pick(['', 'relative/path', `http://${host}/../etc/passwd`, `http://${host}/%2e%2e/x`, `http://${host}/a%2fb`, `http://${host}/%ff`, 'http://evil.example/a.txt', `http://${host}:1/a.txt`, 'file:///etc/passwd', '/dir/../../x', `http://${host}/a.txt#x`, 'http://[::1', '%']),
    Overwrite: () => pick(['Y', 'yes', 't f', '1', 'TRUE', 'F F', '\u00ff']),
    'Lock-Token': () => pick(['urn:x', '<', '<>', '<opaquelocktoken:nope>', 'opaquelocktoken:x', '<' + 'x'.repeat(9000) + '>', '<urn:uuid:00000000-0000-0000-0000-000000000000']),
  };
  const lenientHeaders: Record<string, () => string> = {
    Range: () => pick(['bytes=', 'bytes=-', 'bytes=5-1', 'bytes=abc', 'bytes=0-0,1-1,2-2,3-3,' + '4-4,'.repeat(2000), 'bytes=99999999999999999999-', 'items=0-1', 'bytes=-0', 'bytes=0-18446744073709551616', 'bytes=1-2, 0-']),
    Timeout: () => pick(['Second-', 'Second--1', 'Infinite, Second-x', 'Second-99999999999999999999', 'x'.repeat(2000), 'Minute-5']),
    'If-Modified-Since': () => pick(['yesterday', 'Mon, 99 Foo 9999 99:99:99 GMT', '']),
    'If-Match': () => pick(['"', 'W/', '*, "a"', '"a" "b"']),
    'If-Range': () => pick(['"x', 'not a date', 'W/"weak"']),
    'Content-Type': () => pick(['text/xml; charset=iso-8859-1', '\u00ff', 'application/xml; charset=']),
  };

  const authHeader = (): { line: string | undefined; ok: boolean } => {
    const r = rnd();
    if (r < 0.9) return { line: auth, ok: true };
    if (r < 0.93) return { line: undefined, ok: false };
    if (r < 0.95) return { line: `Basic ${Buffer.from('davuser:wrong').toString('base64')}`, ok: false };
    return { line: pick(['Basic', 'Basic !!!!', 'Bearer abc', `Basic ${Buffer.from('nocolon').toString('base64')}`, `Basic ${'A'.repeat(8000)}`, 'Digest username="x"', 'basic']), ok: false };
  };

  const build = (method: string, target: string, headers: [string, string][], body: Buffer | undefined, framing: 'cl' | 'none' | 'chunked' = 'cl'): Buffer => {
    let head = `${method} ${target} HTTP/1.1\r\nHost: ${host}\r\n`;
    for (const [k, v] of headers) head += `${k}: ${v}\r\n`;
    let payload = body ?? Buffer.alloc(0);
    if (framing === 'cl' && body !== undefined) head += `Content-Length: ${body.length}\r\n`;
    if (framing === 'chunked') {
      head += 'Transfer-Encoding: chunked\r\n';
      payload = Buffer.concat([Buffer.from(`${payload.length.toString(16)}\r\n`), payload, Buffer.from('\r\n0\r\n\r\n')]);
    }
    return Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), payload]);
  };

  return (): Probe => {
    const a = authHeader();
    const authLines: [string, string][] = a.line === undefined ? [] : [['Authorization', a.line]];
    const method = pick(DAV_METHODS);
    const withAuth = (expect: Expect, m = method): Expect => (!a.ok && m !== 'OPTIONS' ? 'invalid' : expect);
    const xmlMethod = pick(['PROPFIND', 'PROPPATCH', 'LOCK']);
    const k = int(100);
    let probe: Omit<Probe, 'head' | 'halfClose'> & { method: string };
    if (k < 20) {
      // Well-formed random requests.
      const body = ['PROPFIND', 'PROPPATCH', 'LOCK'].includes(method) && chance(0.7) ? Buffer.from(validXml(method)) : method === 'PUT' ? Buffer.from(`data ${int(1e6)}`) : undefined;
      const headers: [string, string][] = [...authLines];
      if (method === 'COPY' || method === 'MOVE') headers.push(['Destination', `http://${host}${pick(['/a.txt', '/dir/', `/m${int(30)}.txt`, '/dir/c.txt'])}`], ['Overwrite', pick(['T', 'F'])]);
      if (method === 'PROPFIND') headers.push(['Depth', pick(['0', '1'])]);
      if (method === 'GET' && chance(0.5)) headers.push(['Range', pick(['bytes=0-3', 'bytes=-2', 'bytes=2-'])]);
      // Locks go to their own names (Depth 0) so that they do not turn every later write into a 423.
      if (method === 'LOCK') headers.push(['Depth', '0']);
      const target = method === 'LOCK' ? `/lk${int(10)}.txt` : validPaths();
      probe = { method, kind: 'valid', bytes: build(method, target, headers, body), expect: withAuth('valid'), traversal: false };
    } else if (k < 27) {
      const m = pick([...OTHER_METHODS, ...BAD_METHODS]);
      const known = OTHER_METHODS.includes(m);
      probe = { method: m, kind: known ? 'method-unimplemented' : 'method-garbage', bytes: build(m, validPaths(), authLines, chance(0.3) ? Buffer.from('x') : undefined), expect: 'invalid', traversal: false };
    } else if (k < 37) {
      probe = { method, kind: 'path-traversal', bytes: build(method, pick(traversalPaths), authLines, undefined), expect: 'invalid', traversal: true };
    } else if (k < 45) {
      probe = { method, kind: 'path-malformed', bytes: build(method, pick(badPaths), authLines, undefined), expect: 'invalid', traversal: false };
    } else if (k < 47) {
      probe = { method, kind: 'path-overlong', bytes: build(method, overlong(), authLines, method === 'PUT' ? Buffer.from('x') : undefined), expect: withAuth('valid'), traversal: false };
    } else if (k < 49) {
      const odd = chance(0.5);
      const m = odd ? method : pick(['COPY', 'MOVE']);
      const headers: [string, string][] = odd ? authLines : [...authLines, ['Destination', pick([`http://${host}/${'x'.repeat(300 + int(5000))}`, `/dir/${'y'.repeat(400)}`, `http://${host}/a.txt?q=../../etc/passwd`])]];
      probe = { method: m, kind: odd ? 'path-odd' : 'destination-odd', bytes: build(m, odd ? pick(oddPaths) : `/w${int(20)}.txt`, headers, m === 'PUT' ? Buffer.from('x') : undefined), expect: withAuth('valid', m), traversal: false };
    } else if (k < 61) {
      probe = { method: xmlMethod, kind: 'xml-bad', bytes: build(xmlMethod, pick(['/', '/a.txt', '/dir/', `/x${int(20)}.txt`]), [...authLines, ['Depth', '0']], badXml(), chance(0.2) ? 'chunked' : 'cl'), expect: 'invalid', traversal: false };
    } else if (k < 63) {
      probe = { method: 'PROPFIND', kind: 'xml-odd', bytes: build('PROPFIND', pick(['/', '/a.txt', '/dir/']), [...authLines, ['Depth', pick(['0', '1'])]], oddXml(), chance(0.2) ? 'chunked' : 'cl'), expect: withAuth('valid', 'PROPFIND'), traversal: false };
    } else if (k < 65) {
      probe = { method: xmlMethod, kind: 'xml-huge', bytes: build(xmlMethod, '/', authLines, hugeBody(), chance(0.5) ? 'chunked' : 'cl'), expect: 'invalid', traversal: false };
    } else if (k < 76) {
      const [name, gen] = pick(Object.entries(badHeaders));
      const m = name === 'Destination' || name === 'Overwrite' ? pick(['COPY', 'MOVE']) : name === 'Depth' ? pick(['PROPFIND', 'COPY', 'DELETE', 'LOCK']) : name === 'Lock-Token' ? 'UNLOCK' : pick(['PUT', 'DELETE', 'PROPPATCH', 'LOCK', 'MKCOL', 'MOVE']);
      const headers: [string, string][] = [...authLines, [name, gen()]];
      if ((m === 'COPY' || m === 'MOVE') && name !== 'Destination') headers.push(['Destination', `http://${host}/m${int(30)}.txt`]);
      const body = m === 'PUT' ? Buffer.from('body') : m === 'LOCK' && name === 'Depth' ? Buffer.from(validXml(m)) : undefined;
      // A Depth on DELETE is only read for a collection: /keep/ is one no other probe touches.
      const target = name === 'Depth' && m === 'DELETE' ? '/keep/' : pick(['/a.txt', '/dir/', '/dir/b.txt', `/h${int(20)}.txt`]);
      probe = { method: m, kind: `header-${name}`, bytes: build(m, target, headers, body), expect: 'invalid', traversal: false };
    } else if (k < 83) {
      const [name, gen] = pick(Object.entries(lenientHeaders));
      const m = name === 'Timeout' ? 'LOCK' : name === 'Content-Type' ? 'PROPFIND' : pick(['GET', 'HEAD', 'PUT']);
      const body = m === 'LOCK' || m === 'PROPFIND' ? Buffer.from(validXml(m)) : m === 'PUT' ? Buffer.from('x') : undefined;
      const target = m === 'LOCK' ? `/lk${int(10)}.txt` : pick(['/a.txt', '/dir/b.txt', `/l${int(20)}.txt`]);
      probe = { method: m, kind: `header-${name}`, bytes: build(m, target, [...authLines, [name, gen()], ['Depth', m === 'PROPFIND' ? '1' : '0']], body), expect: withAuth('lenient', m), traversal: false };
    } else if (k < 93) {
      // Framing: Content-Length and Transfer-Encoding abuse.
      const m = pick(['PUT', 'PROPFIND', 'PROPPATCH', 'GET']);
      const t = int(9);
      const target = pick(['/a.txt', `/f${int(20)}.txt`, '/']);
      const head = `${m} ${target} HTTP/1.1\r\nHost: ${host}\r\n${a.line === undefined ? '' : `Authorization: ${a.line}\r\n`}`;
      let tail: string;
      let expect: Expect = 'invalid';
      switch (t) {
        case 0:
          tail = 'Content-Length: -5\r\n\r\nabc';
          break;
        case 1:
          tail = `Content-Length: ${pick(['99999999999999999999999', '1e9', '0x10', '１'])}\r\n\r\nabc`;
          break;
        case 2:
          tail = 'Content-Length: 3\r\nContent-Length: 5\r\n\r\nabcde';
          break;
        case 3:
          // Declares more than is sent; the client half-closes: the server sees a truncated body.
          tail = `Content-Length: ${1000 + int(1e6)}\r\n\r\nshort`;
          break;
        case 4:
          tail = 'Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n';
          break;
        case 5:
          tail = `Transfer-Encoding: chunked\r\n\r\n${pick(['zz\r\nabc\r\n0\r\n\r\n', '3\r\nabcdef\r\n0\r\n\r\n', 'fffffffffffffffff\r\nab', '-1\r\n\r\n', '3;ext=\u0000\r\nabc\r\n0\r\n\r\n', '5\r\nab'])}`;
          break;
        case 6:
          tail = `Transfer-Encoding: ${pick(['gzip', 'chunked, gzip', 'identity', 'chunked\r\nTransfer-Encoding: chunked'])}\r\n\r\nabc`;
          break;
        case 7:
          tail = `X-Big: ${'h'.repeat(200 * 1024)}\r\n\r\n`;
          break;
        default:
          tail = `${Array.from({ length: 3000 }, (_, i) => `X-H${i}: v`).join('\r\n')}\r\n\r\n`;
      }
      // GET never reads a body: it may be answered before the broken framing is noticed.
      if (m === 'GET' && (t === 3 || t === 5)) expect = 'lenient';
      probe = { method: m, kind: `framing-${t}`, bytes: Buffer.from(head + tail, 'latin1'), expect, traversal: false };
    } else {
      // Garbage request lines and protocol abuse.
      const g = pick([
        'GET / HTTP/1.1\r\n\r\n',
        'GET / HTTP/9.9\r\nHost: x\r\n\r\n',
        'GET /\r\n\r\n',
        'GET / HTTP/1.1\nHost: x\n\n',
        'GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n',
        'GET / HTTP/1.1\r\nHost: x\r\n: novalue\r\n\r\n',
        'GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n',
        'GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n',
        `GET / HTTP/1.1\r\nHost: ${'h'.repeat(3000)}\r\n\r\n`,
        '\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003',
        'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
        `GET ${'/'.repeat(20000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      ]);
      probe = { method: 'GET', kind: 'protocol-garbage', bytes: Buffer.from(g, 'latin1'), expect: 'invalid', traversal: false };
    }
    return { kind: probe.kind, bytes: probe.bytes, expect: probe.expect, traversal: probe.traversal, head: probe.method === 'HEAD', halfClose: probe.kind === 'framing-3' || probe.kind === 'framing-5' };
  };
}
