import { afterEach, describe, expect, it } from 'vitest';
import { httpDate } from '../conditional.ts';
import { MS_NS } from '../props.ts';
import { DAV_NS } from '../xml.ts';
import { propsOf, responsesOf, startPropServer } from '../../../test/support/prop-kit.ts';
import type { PropServer } from '../../../test/support/prop-kit.ts';

const UPDATE = (inner: string, ns = ''): string => `<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:"${ns}>${inner}</D:propertyupdate>`;
const SET = (props: string): string => `<D:set><D:prop>${props}</D:prop></D:set>`;
const REMOVE = (props: string): string => `<D:remove><D:prop>${props}</D:prop></D:remove>`;

let srv: PropServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

async function start(): Promise<PropServer> {
  srv = await startPropServer();
  await srv.kit.vfs.writeFile('r.txt', Buffer.from('resource'));
  return srv;
}

async function patch(s: PropServer, body: string, path = '/r.txt'): Promise<Map<string, { status: number }>> {
  const res = await s.send('PROPPATCH', path, { body });
  expect(res.status).toBe(207);
  const resp = responsesOf(res.body);
  expect(resp.size).toBe(1);
  return propsOf([...resp.values()][0]!);
}

/** The value (inner XML of the property element as served) of each requested property, 'ns name' keyed. */
async function fetchProps(s: PropServer, names: string, ns = '', path = '/r.txt'): Promise<Map<string, { status: number; xml: string }>> {
  const body = `<D:propfind xmlns:D="DAV:"${ns}><D:prop>${names}</D:prop></D:propfind>`;
  const res = await s.send('PROPFIND', path, { headers: { Depth: '0' }, body });
  expect(res.status).toBe(207);
  const out = new Map<string, { status: number; xml: string }>();
  for (const [k, v] of propsOf([...responsesOf(res.body).values()][0]!)) out.set(k, { status: v.status, xml: v.el.innerXml() });
  return out;
}

describe('PROPPATCH dead properties', () => {
  it('applies several set/remove blocks in document order', async () => {
    const s = await start();
    const ns = ' xmlns:z="http://example.com/z"';
    const body = UPDATE(SET('<z:a>1</z:a><z:b>1</z:b>') + REMOVE('<z:a/>') + SET('<z:a>2</z:a>') + REMOVE('<z:b/>') + SET('<z:c>3</z:c>'), ns);
    const props = await patch(s, body);
    expect([...props.values()].map((p) => p.status)).toEqual([200, 200, 200]);
    const got = await fetchProps(s, '<z:a/><z:b/><z:c/>', ns);
    expect(got.get('http://example.com/z a')).toEqual({ status: 200, xml: '2' });
    expect(got.get('http://example.com/z b')?.status).toBe(404);
    expect(got.get('http://example.com/z c')).toEqual({ status: 200, xml: '3' });
  });

  it('round-trips namespaces ending in "/", the null namespace, nested XML and high Unicode', async () => {
    const s = await start();
    const ns = ' xmlns:L="http://webdav.org/neon/litmus/"';
    const high = '\u{10000}\u{10FFFF}é€';
    const nested = '<foo xmlns="http://bar">bar</foo>';
    const body = UPDATE(SET(`<L:prop0>value0</L:prop0><L:high>${high}</L:high><nons xmlns="">plain</nons><L:nested>${nested}</L:nested>`), ns);
    await patch(s, body);
    const got = await fetchProps(s, '<L:prop0/><L:high/><nons xmlns=""/><L:nested/>', ns);
    expect(got.get('http://webdav.org/neon/litmus/ prop0')).toEqual({ status: 200, xml: 'value0' });
    expect(got.get('http://webdav.org/neon/litmus/ high')).toEqual({ status: 200, xml: high });
    expect(got.get(' nons')).toEqual({ status: 200, xml: 'plain' });
    expect(got.get('http://webdav.org/neon/litmus/ nested')).toEqual({ status: 200, xml: nested });
    const all = await s.send('PROPFIND', '/r.txt', { headers: { Depth: '0' } });
    expect(all.body).toContain('xmlns:ns0="http://webdav.org/neon/litmus/"');
  });

  it('dead properties survive MOVE and COPY', async () => {
    const s = await start();
    const ns = ' xmlns:z="urn:z"';
    await patch(s, UPDATE(SET('<z:keep>kept</z:keep>'), ns));
    expect((await s.send('COPY', '/r.txt', { headers: { Destination: '/copy.txt' } })).status).toBe(201);
    expect((await s.send('MOVE', '/r.txt', { headers: { Destination: '/moved.txt' } })).status).toBe(201);
    for (const path of ['/copy.txt', '/moved.txt']) {
      expect((await fetchProps(s, '<z:keep/>', ns, path)).get('urn:z keep')).toEqual({ status: 200, xml: 'kept' });
    }
  });

  it('a missing target is a 404; a malformed or foreign body a 400', async () => {
    const s = await start();
    expect((await s.send('PROPPATCH', '/missing', { body: UPDATE(SET('<x:a xmlns:x="urn:x">1</x:a>')) })).status).toBe(404);
    expect((await s.send('PROPPATCH', '/r.txt', { body: '<D:propertyupdate xmlns:D="DAV:"><D:set>' })).status).toBe(400);
    expect((await s.send('PROPPATCH', '/r.txt', { body: '<D:propfind xmlns:D="DAV:"/>' })).status).toBe(400);
    expect((await s.send('PROPPATCH', '/r.txt', { body: UPDATE('') })).status).toBe(400);
  });
});

describe('PROPPATCH live properties', () => {
  it('DAV:lastmodified (unix seconds) sets the modtime seen in getlastmodified', async () => {
    const s = await start();
    const props = await patch(s, UPDATE(SET('<D:lastmodified>1600000000</D:lastmodified>')));
    expect(props.get(`${DAV_NS} lastmodified`)?.status).toBe(200);
    expect((await s.kit.vfs.stat('r.txt')).modTime).toBe(1_600_000_000_000);
    const got = await fetchProps(s, '<D:getlastmodified/>');
    expect(got.get(`${DAV_NS} getlastmodified`)?.xml).toBe(httpDate(1_600_000_000_000));
  });

  it('a protected property is 403 and the others 424, with nothing applied', async () => {
    const s = await start();
    const before = await s.kit.vfs.stat('r.txt');
    const ns = ' xmlns:z="urn:z"';
    const body = UPDATE(SET('<z:a>1</z:a><D:getetag>"x"</D:getetag>') + SET('<D:lastmodified>1600000000</D:lastmodified>') + REMOVE('<z:b/>'), ns);
    const res = await s.send('PROPPATCH', '/r.txt', { body });
    expect(res.status).toBe(207);
    expect(res.body).toContain('cannot-modify-protected-property');
    const props = propsOf([...responsesOf(res.body).values()][0]!);
    expect(props.get(`${DAV_NS} getetag`)?.status).toBe(403);
    expect(props.get('urn:z a')?.status).toBe(424);
    expect(props.get('urn:z b')?.status).toBe(424);
    expect(props.get(`${DAV_NS} lastmodified`)?.status).toBe(424);
    expect(await s.kit.vfs.getProps('r.txt')).toEqual([]);
    expect((await s.kit.vfs.stat('r.txt')).modTime).toBe(before.modTime);
  });

  it('getlastmodified is protected; a non-numeric lastmodified is a 409', async () => {
    const s = await start();
    const a = await patch(s, UPDATE(SET(`<D:getlastmodified>${httpDate(0)}</D:getlastmodified>`)));
    expect(a.get(`${DAV_NS} getlastmodified`)?.status).toBe(403);
    const b = await patch(s, UPDATE(SET('<D:lastmodified>yesterday</D:lastmodified>')));
    expect(b.get(`${DAV_NS} lastmodified`)?.status).toBe(409);
  });

  it('Windows Win32 properties are answered 200, stored, and Win32LastModifiedTime sets the modtime', async () => {
    const s = await start();
    const ns = ` xmlns:Z="${MS_NS}"`;
    const date = 'Wed, 02 Oct 2024 10:20:30 GMT';
    const body = UPDATE(
      SET(
        `<Z:Win32CreationTime>${date}</Z:Win32CreationTime><Z:Win32LastAccessTime>${date}</Z:Win32LastAccessTime>` +
          `<Z:Win32LastModifiedTime>${date}</Z:Win32LastModifiedTime><Z:Win32FileAttributes>00000020</Z:Win32FileAttributes>`,
      ),
      ns,
    );
    const props = await patch(s, body);
    expect([...props.values()].map((p) => p.status)).toEqual([200, 200, 200, 200]);
    expect((await s.kit.vfs.stat('r.txt')).modTime).toBe(Date.parse(date));
    const got = await fetchProps(s, '<Z:Win32FileAttributes/><Z:Win32LastModifiedTime/>', ns);
    expect(got.get(`${MS_NS} Win32FileAttributes`)).toEqual({ status: 200, xml: '00000020' });
    expect(got.get(`${MS_NS} Win32LastModifiedTime`)).toEqual({ status: 200, xml: date });
  });
});
