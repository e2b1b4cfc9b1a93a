import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { Vfs, VfsEntry, VfsNode } from '../../vfs/types.ts';
import { httpDate } from '../conditional.ts';
import { MS_NS, OC_NS } from '../props.ts';
import { DAV_NS, parseXml } from '../xml.ts';
import { propsOf, responsesOf, startPropServer } from '../../../test/support/prop-kit.ts';
import type { PropServer } from '../../../test/support/prop-kit.ts';

const D = (name: string): string => `${DAV_NS} ${name}`;
const PROPS = (inner: string, ns = ''): string => `<?xml version="1.0"?><D:propfind xmlns:D="DAV:"${ns}><D:prop>${inner}</D:prop></D:propfind>`;

let srv: PropServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

async function start(wrap?: (v: Vfs) => Vfs): Promise<PropServer> {
  srv = await startPropServer(wrap);
  return srv;
}

/**
 * A Vfs whose listings are counted: `n` listings asked for, `built` of them whose entries were built (optionally a
 * synthetic listing, whose token is the same while `fake` answers).
 */
function countingReaddir(counter: { n: number; built?: number }, fake?: (path: string) => VfsEntry[]): (v: Vfs) => Vfs {
  const fakeToken = {};
  return (v) =>
    new Proxy(v, {
      get(target, prop, receiver) {
        if (prop === 'readdirVersioned') {
          return async (dir: string | VfsNode, signal?: AbortSignal) => {
            counter.n++;
            const real = fake ? { token: fakeToken, entries: () => fake(typeof dir === 'string' ? dir : dir.entry.path) } : await target.readdirVersioned(dir, signal);
            const built = (): VfsEntry[] => {
              counter.built = (counter.built ?? 0) + 1;
              return real.entries();
            };
            return {
              token: real.token,
              entries: built,
              lazyEntries: () => {
                const entries = built();
                return { ids: entries.map((e) => e.id), entries };
              },
            };
          };
        }
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
}

describe('PROPFIND depth', () => {
  it('Depth 0 on a file gives its live properties', async () => {
    const s = await start();
    const content = Buffer.from('hello world');
    await s.kit.vfs.mkdir('docs');
    const e = await s.kit.vfs.writeFile('docs/a b.txt', content, { modTime: 1_700_000_000_000 });
    const res = await s.send('PROPFIND', '/docs/a%20b.txt', { headers: { Depth: '0' } });
    expect(res.status).toBe(207);
    expect(res.headers['content-type']).toMatch(/application\/xml/);
    const resp = responsesOf(res.body);
    expect([...resp.keys()]).toEqual(['/docs/a%20b.txt']);
    const props = propsOf(resp.get('/docs/a%20b.txt')!);
    expect(props.get(D('getcontentlength'))).toMatchObject({ status: 200, el: { text: '11' } });
    expect(props.get(D('getlastmodified'))?.el.text).toBe(httpDate(1_700_000_000_000));
    expect(props.get(D('creationdate'))?.el.text).toBe('2023-11-14T22:13:20Z');
    expect(props.get(D('getetag'))?.el.text).toBe(e.etag);
    expect(props.get(D('displayname'))?.el.text).toBe('a b.txt');
    expect(props.get(D('getcontenttype'))?.el.text).toBe('text/plain');
    expect(props.get(D('resourcetype'))?.el.children).toEqual([]);
    expect(props.get(D('supportedlock'))?.el.children.length).toBe(2);
    expect(props.has(D('lockdiscovery'))).toBe(true);
    expect(props.has(D('quota-available-bytes'))).toBe(false);
    expect(props.has(D('quota-used-bytes'))).toBe(false);
  });

  it('Depth 1 on a folder lists it and its members', async () => {
    const s = await start();
    await s.kit.vfs.mkdir('dir');
    await s.kit.vfs.mkdir('dir/sub');
    await s.kit.vfs.writeFile('dir/f.bin', Buffer.from('x'));
    const res = await s.send('PROPFIND', '/dir/', { headers: { Depth: '1' } });
    expect(res.status).toBe(207);
    const resp = responsesOf(res.body);
    expect([...resp.keys()].sort()).toEqual(['/dir/', '/dir/f.bin', '/dir/sub/']);
    const dir = propsOf(resp.get('/dir/sub/')!);
    expect(dir.get(D('resourcetype'))?.el.children.map((c) => c.name)).toEqual(['collection']);
    expect(dir.has(D('getcontentlength'))).toBe(false);
    expect(dir.has(D('getcontenttype'))).toBe(false);
  });

  it('the root has an empty displayname', async () => {
    const s = await start();
    const res = await s.send('PROPFIND', '/', { headers: { Depth: '0' }, body: PROPS('<D:displayname/>') });
    const props = propsOf(responsesOf(res.body).get('/')!);
    expect(props.get(D('displayname'))).toMatchObject({ status: 200, el: { text: '' } });
  });

  it('Depth infinity, and a missing Depth, answer 403 propfind-finite-depth', async () => {
    const s = await start();
    for (const headers of [{ Depth: 'infinity' }, {}] as Record<string, string>[]) {
      const res = await s.send('PROPFIND', '/', { headers });
      expect(res.status).toBe(403);
      const err = parseXml(res.body);
      expect(err.name).toBe('error');
      expect(err.children.map((c) => `${c.ns} ${c.name}`)).toEqual([D('propfind-finite-depth')]);
    }
  });

  it('a malformed Depth is a 400', async () => {
    const s = await start();
    expect((await s.send('PROPFIND', '/', { headers: { Depth: '2' } })).status).toBe(400);
  });

  it('a missing target is a 404', async () => {
    const s = await start();
    expect((await s.send('PROPFIND', '/nope', { headers: { Depth: '0' } })).status).toBe(404);
    expect((await s.send('PROPFIND', '/nope/', { headers: { Depth: '1' } })).status).toBe(404);
  });

  it('a missing Finder probe is answered as an empty file', async () => {
    const s = await start();
    const res = await s.send('PROPFIND', '/.metadata_never_index', { headers: { Depth: '0' } });
    expect(res.status).toBe(207);
    const props = propsOf(responsesOf(res.body).get('/.metadata_never_index')!);
    expect(props.get(D('getcontentlength'))?.el.text).toBe('0');
  });
});

describe('PROPFIND bodies', () => {
  it('malformed XML and a non-propfind root are 400', async () => {
    const s = await start();
    const h = { Depth: '0' };
    expect((await s.send('PROPFIND', '/', { headers: h, body: '<D:propfind xmlns:D="DAV:"><D:prop>' })).status).toBe(400);
    expect((await s.send('PROPFIND', '/', { headers: h, body: '<foo xmlns="DAV:"/>' })).status).toBe(400);
    expect((await s.send('PROPFIND', '/', { headers: h, body: '<D:propfind xmlns:D="DAV:"/>' })).status).toBe(400);
    const emptyNs = '<D:propfind xmlns:D="DAV:"><D:prop><bar:foo xmlns:bar=""/></D:prop></D:propfind>';
    expect((await s.send('PROPFIND', '/', { headers: h, body: emptyNs })).status).toBe(400);
  });

  it('quota only when asked by name, and unknown names in a 404 propstat', async () => {
    const s = await start();
    await s.kit.vfs.writeFile('f', Buffer.from('12345'));
    const body = PROPS('<D:quota-available-bytes/><D:quota-used-bytes/><x:nope/><D:getetag/>', ' xmlns:x="urn:x"');
    const res = await s.send('PROPFIND', '/', { headers: { Depth: '0' }, body });
    const props = propsOf(responsesOf(res.body).get('/')!);
    expect(props.get(D('quota-used-bytes'))).toMatchObject({ status: 200, el: { text: '5' } });
    expect(props.get(D('quota-available-bytes'))).toMatchObject({ status: 200, el: { text: String(2 ** 40 - 5) } });
    expect(props.get('urn:x nope')?.status).toBe(404);
    expect(props.get(D('getetag'))?.status).toBe(200);
    const all = await s.send('PROPFIND', '/', { headers: { Depth: '0' }, body: '<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>' });
    expect(all.body).not.toContain('quota');
    const incl = '<D:propfind xmlns:D="DAV:"><D:allprop/><D:include><D:quota-used-bytes/></D:include></D:propfind>';
    const withIncl = await s.send('PROPFIND', '/', { headers: { Depth: '0' }, body: incl });
    expect(propsOf(responsesOf(withIncl.body).get('/')!).get(D('quota-used-bytes'))?.status).toBe(200);
  });

  it('oc:checksums after a write carries MD5 and SHA1, by name and in allprop', async () => {
    const s = await start();
    const data = Buffer.from('checksum me');
    await s.kit.vfs.writeFile('c.txt', data);
    const md5 = createHash('md5').update(data).digest('hex');
    const sha1 = createHash('sha1').update(data).digest('hex');
    for (const body of [PROPS('<oc:checksums/>', ` xmlns:oc="${OC_NS}"`), '']) {
      const res = await s.send('PROPFIND', '/c.txt', { headers: { Depth: '0' }, body });
      const p = propsOf(responsesOf(res.body).get('/c.txt')!).get(`${OC_NS} checksums`);
      expect(p?.status).toBe(200);
      const sum = p!.el.children[0]!;
      expect(`${sum.ns} ${sum.name}`).toBe(`${OC_NS} checksum`);
      expect(sum.text.toLowerCase()).toBe(`md5:${md5} sha1:${sha1}`);
    }
  });

  it('propname lists names without values', async () => {
    const s = await start();
    await s.kit.vfs.writeFile('n.txt', Buffer.from('abc'));
    await s.kit.vfs.patchProps('n.txt', [{ op: 'set', prop: { ns: 'urn:y', name: 'color', value: 'red' } }]);
    const res = await s.send('PROPFIND', '/n.txt', { headers: { Depth: '0' }, body: '<D:propfind xmlns:D="DAV:"><D:propname/></D:propfind>' });
    const props = propsOf(responsesOf(res.body).get('/n.txt')!);
    expect(props.has(D('getetag'))).toBe(true);
    expect(props.get('urn:y color')).toMatchObject({ status: 200, el: { text: '', children: [] } });
    for (const p of props.values()) expect(p.el.text).toBe('');
  });

  it('lockdiscovery shows an active lock', async () => {
    const s = await start();
    await s.kit.vfs.writeFile('l.txt', Buffer.from('abc'));
    const lock = s.shared.locks.lock('l.txt', { scope: 'exclusive', depth: 0, timeoutSec: 100 });
    const res = await s.send('PROPFIND', '/l.txt', { headers: { Depth: '0' }, body: PROPS('<D:lockdiscovery/>') });
    expect(res.body).toContain(lock.token);
    expect(res.body).toContain('<D:lockroot><D:href>/l.txt</D:href></D:lockroot>');
  });
});

describe('PROPFIND large folders', () => {
  it('a 2,000-entry folder costs ONE readdir and streams a parsable 207', async () => {
    const counter = { n: 0 };
    const s = await start(countingReaddir(counter));
    await s.kit.vfs.mkdir('big');
    const big = await s.kit.backend.stat('big');
    for (let i = 0; i < 2000; i++) {
      const data = Buffer.from(String(i));
      await s.kit.backend.put(big, `f${i}.dat`, Readable.from([data]), { size: data.length });
    }
    s.kit.vfs.forget('big');
    s.kit.remote.reset();
    const cold = await s.send('PROPFIND', '/big/', { headers: { Depth: '1' } });
    expect(cold.status).toBe(207);
    expect(counter.n).toBe(1);
    expect(s.kit.remote.total()).toBeLessThanOrEqual(2);
    expect(s.kit.remote.calls.list ?? 0).toBeLessThanOrEqual(1);
    s.kit.remote.reset();
    counter.n = 0;
    const res = await s.send('PROPFIND', '/big/', { headers: { Depth: '1' } });
    expect(res.status).toBe(207);
    expect(res.headers['content-length']).toBeUndefined();
    expect(counter.n).toBe(1);
    expect(s.kit.remote.total()).toBe(0);
    expect(res.body).toBe(cold.body);
    const resp = responsesOf(res.body);
    expect(resp.size).toBe(2001);
    expect(propsOf(resp.get('/big/f1999.dat')!).get(D('getcontentlength'))?.el.text).toBe('4');
  }, 60_000);

  it('Microsoft agents get a lean allprop: 5,000 entries in a bounded size, Win32 props kept', async () => {
    const counter = { n: 0 };
    const fake = (dir: string): VfsEntry[] =>
      Array.from({ length: 5000 }, (_, i) => ({
        path: `${dir}/f${i}.txt`,
        name: `f${i}.txt`,
        kind: 'file' as const,
        size: 123456,
        modTime: 1_700_000_000_000,
        id: `id${i}`,
        mimeType: 'text/plain',
        hashes: { md5: 'd41d8cd98f00b204e9800998ecf8427e', sha1: 'da39a3ee5e6b4b0d3255bfef95601890afd80709' },
        etag: `"${i.toString(16).padStart(16, '0')}"`,
        local: false,
      }));
    const s = await start(countingReaddir(counter, fake));
    await s.kit.vfs.mkdir('w');
    await s.kit.vfs.patchProps('w', [{ op: 'set', prop: { ns: MS_NS, name: 'Win32FileAttributes', value: '00000010' } }]);
    const ua = { Depth: '1', 'User-Agent': 'Microsoft-WebDAV-MiniRedir/10.0.19045' };
    const lean = await s.send('PROPFIND', '/w/', { headers: ua });
    const full = await s.send('PROPFIND', '/w/', { headers: { Depth: '1' } });
    expect(lean.status).toBe(207);
    expect(responsesOf(lean.body).size).toBe(5001);
    const leanBytes = Buffer.byteLength(lean.body);
    // The four live properties Explorer's listing needs (type, size, modified, created) cost 318 bytes per
    // entry here: a 1 MB cap fits ~3,100 entries. 5,000 entries under 1 MB would need < 200 bytes each, less
    // than href + status + getlastmodified alone.
    expect(leanBytes / 5001).toBeLessThan(330);
    expect(leanBytes).toBeLessThan(Buffer.byteLength(full.body) * 0.6);
    expect(lean.body).not.toContain('supportedlock');
    expect(lean.body).not.toContain('checksums');
    const root = propsOf(responsesOf(lean.body).get('/w/')!);
    expect(root.get(`${MS_NS} Win32FileAttributes`)?.el.text).toBe('00000010');
  }, 60_000);
});

describe('PROPFIND answers of hot folders (kept serialised)', () => {
  /** A folder `hot` with three files and a PROPFIND of it asked three times: the third answer is the kept one. */
  async function hot(counter: { n: number; built?: number }) {
    const s = await start(countingReaddir(counter));
    await s.kit.vfs.mkdir('hot');
    for (const n of ['a.txt', 'b.txt', 'c.txt']) await s.kit.vfs.writeFile(`hot/${n}`, Buffer.from(n), { modTime: 1_700_000_000_000 });
    const ask = () => s.send('PROPFIND', '/hot/', { headers: { Depth: '1' } });
    return { s, ask };
  }

  it('answers an unchanged folder with the same bytes, built once and then sent whole', async () => {
    const counter = { n: 0, built: 0 };
    const { ask } = await hot(counter);
    const first = await ask();
    const second = await ask();
    const third = await ask();
    const fourth = await ask();
    expect([first.status, second.status, third.status, fourth.status]).toEqual([207, 207, 207, 207]);
    expect(second.body).toBe(first.body);
    expect(third.body).toBe(first.body);
    expect(fourth.body).toBe(first.body);
    // First: streamed (chunked) and marked; second: built whole and kept; then answered from memory.
    expect(first.headers['content-length']).toBeUndefined();
    expect(fourth.headers['content-length']).toBe(String(Buffer.byteLength(first.body)));
    expect(counter.n).toBe(4);
    expect(counter.built).toBe(2);
  });

  it('sees a PROPPATCH of a member, a new file, a removed file and a new modtime', async () => {
    const { s, ask } = await hot({ n: 0 });
    await ask();
    await ask();
    const kept = (await ask()).body;
    const patch = `<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:x"><D:set><D:prop><Z:tag>blue</Z:tag></D:prop></D:set></D:propertyupdate>`;
    expect((await s.send('PROPPATCH', '/hot/a.txt', { body: patch })).status).toBe(207);
    const patched = (await ask()).body;
    expect(patched).not.toBe(kept);
    expect(propsOf(responsesOf(patched).get('/hot/a.txt')!).get('urn:x tag')?.el.text).toBe('blue');
    expect((await s.send('PUT', '/hot/d.txt', { body: 'dddd' })).status).toBe(201);
    expect(responsesOf((await ask()).body).has('/hot/d.txt')).toBe(true);
    expect((await s.send('DELETE', '/hot/b.txt')).status).toBe(204);
    expect(responsesOf((await ask()).body).has('/hot/b.txt')).toBe(false);
    await s.kit.vfs.setModTime('hot/c.txt', 1_600_000_000_000);
    const c = propsOf(responsesOf((await ask()).body).get('/hot/c.txt')!);
    expect(c.get(D('getlastmodified'))?.el.text).toBe(httpDate(1_600_000_000_000));
    // The folder's own dead properties are part of its answer too.
    await s.send('PROPPATCH', '/hot/', { body: patch });
    await ask();
    const own = propsOf(responsesOf((await ask()).body).get('/hot/')!);
    expect(own.get('urn:x tag')?.el.text).toBe('blue');
  });

  it('never keeps an answer that carries a lock (its timeout counts down) or the account quota', async () => {
    const counter = { n: 0, built: 0 };
    const { s, ask } = await hot(counter);
    const lock = s.shared.locks.lock('hot/a.txt', { scope: 'exclusive', depth: 0, timeoutSec: 100 });
    for (let i = 0; i < 3; i++) expect((await ask()).body).toContain(lock.token);
    expect(counter.built).toBe(3);
    s.shared.locks.unlock('hot/a.txt', lock.token);
    const quota = PROPS('<D:quota-used-bytes/><D:getetag/>');
    for (let i = 0; i < 3; i++) await s.send('PROPFIND', '/hot/', { headers: { Depth: '1' }, body: quota });
    expect(counter.built).toBe(6);
  });
});
