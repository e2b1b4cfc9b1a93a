import { describe, it, expect } from 'vitest';
import { DAV_NS, XmlError, child, children, createMultistatusWriter, el, errorDocument, parseXml, statusLine, xmlDocument } from './xml.ts';
import type { PropValue, Propstat, XmlElement } from './xml.ts';

const LITMUS_NS = 'http://example.com/neon/litmus/';

function collect(namespaces?: Record<string, string>): { chunks: string[]; body: () => string; w: ReturnType<typeof createMultistatusWriter> } {
  const chunks: string[] = [];
  return { chunks, body: () => chunks.join(''), w: createMultistatusWriter((c) => chunks.push(c), namespaces) };
}

/** Returns the props of each propstat of a parsed response as [status, [{ns}name=text]]. */
function propstats(response: XmlElement): [string, string[]][] {
  return children(response, DAV_NS, 'propstat').map((ps) => [
    child(ps, DAV_NS, 'status')!.text,
    child(ps, DAV_NS, 'prop')!.children.map((p) => `{${p.ns}}${p.name}=${p.text}`),
  ]);
}

describe('createMultistatusWriter', () => {
  it('writes a multistatus that parses back with exactly the props given, any namespace included', () => {
    const { w, body } = collect();
    const ok: PropValue[] = [
      { ns: DAV_NS, name: 'getcontentlength', value: '42' },
      { ns: DAV_NS, name: 'resourcetype', value: { xml: '<D:collection xmlns:D="DAV:"/>' } },
      { ns: LITMUS_NS, name: 'prop0', value: 'value0' },
      { ns: '', name: 'nonamespace', value: 'randomvalue' },
      { ns: 'urn:x', name: 'high', value: 'a\u{10000}b' },
      { ns: 'http://owncloud.org/ns', name: 'checksums' },
    ];
    const missing: PropValue[] = [{ ns: 'http://ns.example.com/boxschema/', name: 'bigbox' }];
    w.response('/dav/a%20b.txt', [{ status: 200, props: ok }, { status: 404, props: missing }]);
    w.end();
    const root = parseXml(body());
    expect([root.ns, root.name]).toEqual([DAV_NS, 'multistatus']);
    const [resp] = children(root, DAV_NS, 'response');
    expect(child(resp!, DAV_NS, 'href')!.text).toBe('/dav/a%20b.txt');
    expect(propstats(resp!)).toEqual([
      ['HTTP/1.1 200 OK', [
        '{DAV:}getcontentlength=42', '{DAV:}resourcetype=', `{${LITMUS_NS}}prop0=value0`, '{}nonamespace=randomvalue',
        '{urn:x}high=a\u{10000}b', '{http://owncloud.org/ns}checksums=',
      ]],
      ['HTTP/1.1 404 Not Found', ['{http://ns.example.com/boxschema/}bigbox=']],
    ]);
    const rt = child(child(child(resp!, DAV_NS, 'propstat')!, DAV_NS, 'prop')!, DAV_NS, 'resourcetype')!;
    expect(rt.children.map((c) => [c.ns, c.name])).toEqual([[DAV_NS, 'collection']]);
  });

  it('escapes text and hrefs, keeps CR, and replaces characters XML 1.0 cannot carry', () => {
    const { w, body } = collect();
    const nasty = `a&b<c>d"e'f\r\ng\u0001h\uFFFEi\uD800j`;
    w.response(`/x&y<z>`, [{ status: 200, props: [{ ns: DAV_NS, name: 'displayname', value: nasty }] }]);
    w.end();
    const resp = parseXml(body()).children[0]!;
    expect(child(resp, DAV_NS, 'href')!.text).toBe('/x&y<z>');
    expect(propstats(resp)[0]![1]).toEqual([`{DAV:}displayname=a&b<c>d"e'f\r\ng\uFFFDh\uFFFDi\uFFFDj`]);
  });

  it('replays a dead property from innerXml so the stored tree comes back unchanged', () => {
    const req = parseXml(`<D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z"><D:set><D:prop>
      <Z:Authors><Z:Author>Jim</Z:Author><Z:Author xml:lang="en">Roy &amp; co</Z:Author></Z:Authors>
      </D:prop></D:set></D:propertyupdate>`);
    const stored = req.children[0]!.children[0]!.children[0]!;
    const { w, body } = collect({ Z: 'urn:other' });
    w.response('/f', [{ status: 200, props: [{ ns: stored.ns, name: stored.name, value: { xml: stored.innerXml() } }] }]);
    w.end();
    const back = child(child(parseXml(body()).children[0]!, DAV_NS, 'propstat')!, DAV_NS, 'prop')!.children[0]!;
    expect(back).toEqual(stored);
  });

  it('uses the caller prefixes, generates stable ones for the rest and refuses bad prefixes', () => {
    const { w, body } = collect({ d: DAV_NS, oc: 'http://owncloud.org/ns' });
    for (const href of ['/1', '/2']) {
      w.response(href, [{ status: 200, props: [{ ns: 'http://owncloud.org/ns', name: 'id', value: '1' }, { ns: 'urn:u', name: 'p' }] }]);
    }
    w.end();
    const text = body();
    expect(text).toContain('<d:multistatus xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns">');
    expect(text).toContain('<oc:id>1</oc:id>');
    expect(text.match(/<d:response xmlns:ns0="urn:u">/g)).toHaveLength(2);
    expect(text.match(/<ns0:p\/>/g)).toHaveLength(2);
    const responses = parseXml(text).children;
    expect(responses.map((r) => child(child(r, DAV_NS, 'propstat')!, DAV_NS, 'prop')!.children.map((c) => `${c.ns} ${c.name}`))).toEqual([
      ['http://owncloud.org/ns id', 'urn:u p'],
      ['http://owncloud.org/ns id', 'urn:u p'],
    ]);
    expect(() => createMultistatusWriter(() => undefined, { 'bad prefix': 'urn:x' })).toThrow(XmlError);
    expect(() => createMultistatusWriter(() => undefined, { xmlns: 'urn:x' })).toThrow(XmlError);
  });

  it('writes the status form, error and responsedescription elements', () => {
    const { w, body } = collect();
    const ps: Propstat = { status: 403, props: [{ ns: DAV_NS, name: 'getetag' }], error: 'cannot-modify-protected-property' };
    w.response('/a', [ps, { status: 424, props: [{ ns: 'urn:z', name: 'p' }] }], { responseDescription: 'partly' });
    w.responseStatus(['/b', '/c'], 423, { error: el(DAV_NS, 'lock-token-submitted', el(DAV_NS, 'href', '/b')) });
    w.end({ responseDescription: 'done' });
    const root = parseXml(body());
    const [a, b] = children(root, DAV_NS, 'response');
    expect(propstats(a!).map(([s]) => s)).toEqual(['HTTP/1.1 403 Forbidden', 'HTTP/1.1 424 Failed Dependency']);
    expect(child(child(child(a!, DAV_NS, 'propstat')!, DAV_NS, 'error')!, DAV_NS, 'cannot-modify-protected-property')).toBeDefined();
    expect(child(a!, DAV_NS, 'responsedescription')!.text).toBe('partly');
    expect(children(b!, DAV_NS, 'href').map((h) => h.text)).toEqual(['/b', '/c']);
    expect(child(b!, DAV_NS, 'status')!.text).toBe('HTTP/1.1 423 Locked');
    expect(child(child(child(b!, DAV_NS, 'error')!, DAV_NS, 'lock-token-submitted')!, DAV_NS, 'href')!.text).toBe('/b');
    expect(child(root, DAV_NS, 'responsedescription')!.text).toBe('done');
  });

  it('streams: nothing before the first call, one chunk per response, valid at the end', () => {
    const { w, chunks, body } = collect();
    expect(chunks).toHaveLength(0);
    const n = 5000;
    for (let i = 0; i < n; i++) {
      w.response(`/dir/f${i}`, [{ status: 200, props: [{ ns: DAV_NS, name: 'getcontentlength', value: String(i) }] }]);
      expect(chunks).toHaveLength(i + 2);
    }
    w.end();
    expect(chunks).toHaveLength(n + 2);
    const root = parseXml(body(), { maxNodes: 1_000_000, maxBytes: 16 * 1024 * 1024 });
    expect(root.children).toHaveLength(n);
    expect(propstats(root.children[n - 1]!)[0]![1]).toEqual([`{DAV:}getcontentlength=${n - 1}`]);
  });

  it('writes nothing for a response with an invalid name and refuses use after end', () => {
    const { w, chunks, body } = collect();
    w.response('/ok', [{ status: 200, props: [] }]);
    const before = chunks.length;
    expect(() => w.response('/bad', [{ status: 200, props: [{ ns: 'urn:x', name: '1bad name' }] }])).toThrow(XmlError);
    expect(chunks).toHaveLength(before);
    w.end();
    expect(parseXml(body()).children).toHaveLength(1);
    expect(() => w.response('/late', [])).toThrow(Error);
    expect(() => w.end()).toThrow(Error);
  });

  it('writes a valid empty multistatus when ended at once', () => {
    const { w, body } = collect();
    w.end();
    const root = parseXml(body());
    expect([root.name, root.children.length]).toEqual(['multistatus', 0]);
  });
});

describe('el / xmlDocument / errorDocument', () => {
  it('builds a LOCK reply (lockdiscovery) that parses back, owner replayed from the request', () => {
    const lockinfo = parseXml(`<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype>
      <D:owner><D:href>http://example.org/~ejw/contact.html</D:href></D:owner></D:lockinfo>`);
    const owner = child(lockinfo, DAV_NS, 'owner')!;
    const doc = xmlDocument(el(DAV_NS, 'prop', el(DAV_NS, 'lockdiscovery', el(DAV_NS, 'activelock', [
      el(DAV_NS, 'locktype', el(DAV_NS, 'write')),
      el(DAV_NS, 'lockscope', el(DAV_NS, 'exclusive')),
      el(DAV_NS, 'depth', 'infinity'),
      el(DAV_NS, 'owner', { xml: owner.innerXml() }),
      el(DAV_NS, 'timeout', 'Second-3600'),
      el(DAV_NS, 'locktoken', el(DAV_NS, 'href', 'urn:uuid:e71d4fae-5dec-22d6-fea5-00a0c91e6be4')),
      el(DAV_NS, 'lockroot', el(DAV_NS, 'href', '/workspace/webdav/proposal.doc')),
    ]))));
    expect(doc.startsWith('<?xml version="1.0" encoding="utf-8"?>')).toBe(true);
    const active = parseXml(doc).children[0]!.children[0]!;
    expect(active.children.map((c) => c.name)).toEqual(['locktype', 'lockscope', 'depth', 'owner', 'timeout', 'locktoken', 'lockroot']);
    expect(child(active, DAV_NS, 'owner')!.children).toEqual(owner.children);
    expect(child(child(active, DAV_NS, 'locktoken')!, DAV_NS, 'href')!.text).toBe('urn:uuid:e71d4fae-5dec-22d6-fea5-00a0c91e6be4');
  });

  it('builds <D:error><D:propfind-finite-depth/></D:error>', () => {
    const root = parseXml(errorDocument('propfind-finite-depth'));
    expect([root.ns, root.name]).toEqual([DAV_NS, 'error']);
    expect(root.children.map((c) => [c.ns, c.name])).toEqual([[DAV_NS, 'propfind-finite-depth']]);
  });

  it('escapes attributes so values survive normalisation, and declares generated prefixes once per subtree', () => {
    const value = 'a"b\'c<d>&e\tf\ng\rh';
    const doc = xmlDocument(el('urn:a', 'root', [{ ns: 'urn:b', name: 'x', value }, { name: 'y', value: '1' }], [
      el('urn:a', 'kid'),
      el('', 'plain', 'text'),
    ]));
    const root = parseXml(doc);
    expect(root.attrs).toEqual([{ ns: 'urn:b', name: 'x', value }, { ns: '', name: 'y', value: '1' }]);
    expect(root.children.map((c) => [c.ns, c.name, c.text])).toEqual([['urn:a', 'kid', ''], ['', 'plain', 'text']]);
    expect(doc.match(/xmlns:ns\d="urn:a"/g)).toHaveLength(1);
  });

  it('formats status lines', () => {
    expect(statusLine(207)).toBe('HTTP/1.1 207 Multi-Status');
    expect(statusLine(507)).toBe('HTTP/1.1 507 Insufficient Storage');
  });
});
