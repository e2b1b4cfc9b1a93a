import { describe, it, expect } from 'vitest';
import { DAV_NS, XML_NS, XmlError, child, children, parseXml } from './xml.ts';
import type { XmlElement, XmlErrorCode } from './xml.ts';

const LITMUS_NS = 'http://example.com/neon/litmus/';

function codeOf(fn: () => unknown): XmlErrorCode | 'none' | 'other' {
  try {
    fn();
    return 'none';
  } catch (err) {
    return err instanceof XmlError ? err.code : 'other';
  }
}

function names(el: XmlElement): string[] {
  return el.children.map((c) => `{${c.ns}}${c.name}`);
}

describe('parseXml: RFC 4918 request bodies', () => {
  it('reads a PROPFIND prop request with two namespaces (RFC 4918 9.1.3)', () => {
    const root = parseXml(`<?xml version="1.0" encoding="utf-8" ?>
<D:propfind xmlns:D="DAV:">
  <D:prop xmlns:R="http://ns.example.com/boxschema/">
    <R:bigbox/>
    <R:author/>
    <R:DingALing/>
    <R:Random/>
  </D:prop>
</D:propfind>`);
    expect(root.ns).toBe(DAV_NS);
    expect(root.name).toBe('propfind');
    const prop = child(root, DAV_NS, 'prop')!;
    expect(names(prop)).toEqual(['bigbox', 'author', 'DingALing', 'Random'].map((n) => `{http://ns.example.com/boxschema/}${n}`));
    expect(prop.text).toBe('');
  });

  it('reads allprop with include and propname in the default namespace', () => {
    const all = parseXml(`<D:propfind xmlns:D="DAV:"><D:allprop/><D:include>
      <D:supported-live-property-set/><D:supported-report-set/></D:include></D:propfind>`);
    expect(child(all, DAV_NS, 'allprop')).toBeDefined();
    expect(names(child(all, DAV_NS, 'include')!)).toEqual(['{DAV:}supported-live-property-set', '{DAV:}supported-report-set']);
    const pn = parseXml('<propfind xmlns="DAV:"><propname/></propfind>');
    expect(names(pn)).toEqual(['{DAV:}propname']);
    expect(child(pn, DAV_NS, 'allprop')).toBeUndefined();
  });

  it('reads PROPPATCH set/remove blocks in document order (RFC 4918 9.2.2 and litmus)', () => {
    const root = parseXml(`<?xml version="1.0" encoding="utf-8" ?>
<D:propertyupdate xmlns:D="DAV:" xmlns:Z="http://ns.example.com/standards/z39.50/">
  <D:set><D:prop><Z:Authors><Z:Author>Jim Whitehead</Z:Author><Z:Author>Roy Fielding</Z:Author></Z:Authors></D:prop></D:set>
  <D:remove><D:prop><Z:Copyright-Owner/></D:prop></D:remove>
  <D:set><D:prop><Z:Copyright-Owner>x</Z:Copyright-Owner></D:prop></D:set>
</D:propertyupdate>`);
    expect(root.children.map((c) => c.name)).toEqual(['set', 'remove', 'set']);
    const authors = child(child(root.children[0]!, DAV_NS, 'prop')!, 'http://ns.example.com/standards/z39.50/', 'Authors')!;
    expect(children(authors, 'http://ns.example.com/standards/z39.50/', 'Author').map((a) => a.text)).toEqual(['Jim Whitehead', 'Roy Fielding']);
    expect(child(root.children[2]!, DAV_NS, 'prop')!.children[0]!.text).toBe('x');
  });

  it('reads a LOCK body with an owner href and keeps the owner replayable (RFC 4918 9.10.7)', () => {
    const root = parseXml(`<?xml version="1.0" encoding="utf-8" ?>
<D:lockinfo xmlns:D='DAV:'>
  <D:lockscope><D:exclusive/></D:lockscope>
  <D:locktype><D:write/></D:locktype>
  <D:owner>
    <D:href>http://example.org/~ejw/contact.html</D:href>
  </D:owner>
</D:lockinfo>`);
    expect(names(child(root, DAV_NS, 'lockscope')!)).toEqual(['{DAV:}exclusive']);
    const owner = child(root, DAV_NS, 'owner')!;
    expect(child(owner, DAV_NS, 'href')!.text).toBe('http://example.org/~ejw/contact.html');
    const inner = owner.innerXml();
    expect(inner).toContain('xmlns:D="DAV:"');
    const replay = parseXml(`<x:owner xmlns:x="urn:elsewhere" xmlns:D="urn:not-dav">${inner}</x:owner>`);
    expect(replay.children).toEqual(owner.children);
  });
});

describe('parseXml: namespaces', () => {
  it('resolves the default namespace, xmlns="" and prefix redefinition', () => {
    const root = parseXml(`<propertyupdate xmlns="DAV:"><set><prop>
      <foo xmlns="http://x.example/"><bar/></foo><nons xmlns="">v</nons>
      <a:p xmlns:a="urn:one"><a:q xmlns:a="urn:two"/><a:r/></a:p></prop></set></propertyupdate>`);
    const prop = root.children[0]!.children[0]!;
    expect(names(prop)).toEqual(['{http://x.example/}foo', '{}nons', '{urn:one}p']);
    expect(names(prop.children[0]!)).toEqual(['{http://x.example/}bar']);
    expect(prop.children[1]!.text).toBe('v');
    expect(names(prop.children[2]!)).toEqual(['{urn:two}q', '{urn:one}r']);
  });

  it('keeps a namespace ending in "/" exactly and supports litmus propnullns', () => {
    const root = parseXml(`<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop>
      <prop0 xmlns="${LITMUS_NS}">value0</prop0><nonamespace xmlns="">randomvalue</nonamespace>
      </D:prop></D:set></D:propertyupdate>`);
    const prop = root.children[0]!.children[0]!;
    expect(prop.children.map((c) => [c.ns, c.name, c.text])).toEqual([
      [LITMUS_NS, 'prop0', 'value0'],
      ['', 'nonamespace', 'randomvalue'],
    ]);
  });

  it('gives attributes their namespace, leaves unprefixed ones in none, and omits xmlns declarations', () => {
    const root = parseXml('<a:x xmlns:a="urn:a" xmlns="urn:d" a:one="1" two="2" xml:lang="en"/>');
    expect(root.attrs).toEqual([
      { ns: 'urn:a', name: 'one', value: '1' },
      { ns: '', name: 'two', value: '2' },
      { ns: XML_NS, name: 'lang', value: 'en' },
    ]);
  });

  it('accepts the xml prefix declared to its own namespace', () => {
    const root = parseXml(`<a xmlns:xml="${XML_NS}"><b xml:lang="de">t</b></a>`);
    expect(root.children[0]!.attrs).toEqual([{ ns: XML_NS, name: 'lang', value: 'de' }]);
    expect(parseXml(`<w>${root.innerXml()}</w>`).children).toEqual(root.children);
  });

  it('refuses an unbound prefix, undeclaring a prefix and a duplicate expanded attribute', () => {
    expect(codeOf(() => parseXml('<D:propfind/>'))).toBe('malformed');
    expect(codeOf(() => parseXml('<a xmlns:p=""/>'))).toBe('malformed');
    expect(codeOf(() => parseXml('<a xmlns:p="urn:x" xmlns:q="urn:x" p:b="1" q:b="2"/>'))).toBe('malformed');
  });
});

describe('parseXml: text', () => {
  it('drops white space between elements and keeps other text verbatim', () => {
    const root = parseXml('<a>\n  <b>  spaced  </b>\n  tail <c/>\n</a>');
    expect(root.text).toBe('\n  tail ');
    expect(root.children[0]!.text).toBe('  spaced  ');
    expect(parseXml('<a>   </a>').text).toBe('   ');
  });

  it('decodes only the predefined entities, character references and CDATA', () => {
    const root = parseXml('<a>&lt;&amp;&gt;&quot;&apos;&#65;&#x42;<![CDATA[<raw&>]]></a>');
    expect(root.text).toBe('<&>"\'AB<raw&>');
    expect(codeOf(() => parseXml('<a>&nbsp;</a>'))).toBe('malformed');
    expect(codeOf(() => parseXml('<a>&#1;</a>'))).toBe('malformed');
  });

  it('keeps high Unicode (litmus prophighunicode) from raw UTF-8 and from a character reference', () => {
    const bytes = Buffer.concat([Buffer.from('<a>'), Buffer.from([0xf0, 0x90, 0x80, 0x80]), Buffer.from('&#x10FFFD;</a>')]);
    expect(parseXml(bytes).text).toBe('\u{10000}\u{10FFFD}');
  });
});

describe('parseXml: innerXml', () => {
  const body = `<D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z" xmlns="${LITMUS_NS}"><D:set><D:prop>
    <Z:Authors Z:kind="list" plain="a&quot;b&#9;c"><Z:Author>Jim &amp; &lt;Roy&gt;</Z:Author><!-- note --><?pi data?>
      <prop1>in default <inner xmlns="">none</inner></prop1><![CDATA[c<d]]><a:b xmlns:a="urn:a" xml:lang="fr"/></Z:Authors>
    <nonamespace xmlns="">v</nonamespace><empty xmlns:q="urn:q"/>
  </D:prop></D:set></D:propertyupdate>`;

  it('round-trips: parse -> innerXml -> parse gives the same tree, even in a hostile context', () => {
    const prop = parseXml(body).children[0]!.children[0]!;
    const inner = prop.innerXml();
    for (const ctx of ['<w>', `<w xmlns="urn:other" xmlns:Z="urn:wrong" xmlns:D="urn:also-wrong">`]) {
      const again = parseXml(`${ctx}${inner}</w>`);
      expect(again.children).toEqual(prop.children);
      expect(again.children[0]!.innerXml()).toBe(prop.children[0]!.innerXml());
    }
  });

  it('keeps comments, PIs, CDATA and white space in innerXml and declares the default namespace explicitly', () => {
    const authors = parseXml(body).children[0]!.children[0]!.children[0]!;
    const inner = authors.innerXml();
    expect(inner).toContain('<!-- note -->');
    expect(inner).toContain('<?pi data?>');
    expect(inner).toContain('<![CDATA[c<d]]>');
    expect(inner).toContain(`<prop1 xmlns="${LITMUS_NS}">`);
    expect(inner).toContain('Jim &amp; &lt;Roy&gt;');
    expect(parseXml(`<w>${inner}</w>`).text).toBe('c<d');
    expect(parseXml('<a/>').innerXml()).toBe('');
  });
});

describe('parseXml: security and limits', () => {
  it('refuses billion laughs with code doctype, at the declaration, before any entity is expanded', () => {
    const lol = ['<!ENTITY lol "lol">'];
    for (let i = 1; i <= 9; i++) lol.push(`<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`);
    const doctype = `<?xml version="1.0"?><!DOCTYPE lolz [${lol.join('')}]>`;
    expect(codeOf(() => parseXml(`${doctype}<lolz>&lol9;</lolz>`))).toBe('doctype');
    // The same declaration before a body that could never parse: the refusal comes first, so nothing after
    // the DOCTYPE (the expansion of &lol9; included) was ever read.
    expect(codeOf(() => parseXml(`${doctype}<lolz>&lol9;<unclosed`))).toBe('doctype');
  });

  it('refuses XXE (internal subset or external DTD) with code doctype', () => {
    expect(codeOf(() => parseXml('<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>'))).toBe('doctype');
    expect(codeOf(() => parseXml('<!DOCTYPE foo SYSTEM "http://127.0.0.1:1/evil.dtd"><foo/>'))).toBe('doctype');
    expect(codeOf(() => parseXml('<!DOCTYPE D:propfind><D:propfind xmlns:D="DAV:"/>'))).toBe('doctype');
  });

  it('refuses 10,000-deep nesting with too-deep, without a stack overflow', () => {
    const deep = '<a>'.repeat(10_000) + '</a>'.repeat(10_000);
    expect(codeOf(() => parseXml(deep))).toBe('too-deep');
    expect(codeOf(() => parseXml('<a><b><c/></b></a>', { maxDepth: 2 }))).toBe('too-deep');
    expect(parseXml('<a><b/></a>', { maxDepth: 2 }).children).toHaveLength(1);
  });

  it('refuses a 2 MiB body with too-large, as Buffer or string', () => {
    const big = `<a>${'x'.repeat(2 * 1024 * 1024)}</a>`;
    expect(codeOf(() => parseXml(big))).toBe('too-large');
    expect(codeOf(() => parseXml(Buffer.from(big)))).toBe('too-large');
    expect(codeOf(() => parseXml('<a>éé</a>', { maxBytes: 10 }))).toBe('too-large');
  });

  it('refuses too many nodes', () => {
    expect(codeOf(() => parseXml(`<a>${'<b/>'.repeat(101)}</a>`, { maxNodes: 100 }))).toBe('too-many-nodes');
    expect(codeOf(() => parseXml('<a x="1" y="2"/>', { maxNodes: 2 }))).toBe('too-many-nodes');
  });

  it('accepts only UTF-8', () => {
    expect(parseXml('<?xml version="1.0" encoding="UTF-8"?><a/>').name).toBe('a');
    expect(parseXml(Buffer.from('\uFEFF<a>é</a>')).text).toBe('é');
    expect(codeOf(() => parseXml('<?xml version="1.0" encoding="ISO-8859-1"?><a/>'))).toBe('encoding');
    expect(codeOf(() => parseXml(Buffer.from([0x3c, 0x61, 0x3e, 0xc3, 0x28, 0x3c, 0x2f, 0x61, 0x3e])))).toBe('encoding');
    expect(codeOf(() => parseXml(Buffer.from('\uFEFF<a/>', 'utf16le')))).toBe('encoding');
  });

  it.each([
    ['empty', ''],
    ['white space only', '  \n'],
    ['truncated', '<D:propfind xmlns:D="DAV:"><D:prop>'],
    ['mismatched tags', '<a><b></a></b>'],
    ['two roots', '<a/><b/>'],
    ['text after the root', '<a/>junk'],
    ['bad attribute', '<a b=1/>'],
    ['garbage', 'not xml at all'],
  ])('refuses %s as malformed', (_label, body) => {
    expect(codeOf(() => parseXml(body))).toBe('malformed');
  });
});
