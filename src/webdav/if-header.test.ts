import { describe, it, expect } from 'vitest';
import {
  IfHeaderError,
  evaluateIf,
  parseCodedUrl,
  parseIf,
  referencedResources,
  submittedTokens,
  type IfEvalContext,
  type IfResourceState,
} from './if-header.ts';

const TOKEN = 'urn:uuid:6a3d1f0e-4b7c-4c8e-9f10-2b3c4d5e6f70';
const ETAG = '"abc-123"';

/** Strips scheme and host, as the real caller does, so tagged absolute URIs and paths compare equal. */
const normalize = (uri: string): string => {
  const path = /^[a-z][a-z0-9+.-]*:\/\//i.test(uri) ? new URL(uri).pathname : uri;
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
};

function ctx(resources: Record<string, IfResourceState>, requestUrl = '/dir/lockme'): IfEvalContext {
  return { requestUrl, normalize, resolve: (key) => resources[key] };
}

const locked = { '/dir/lockme': { etag: ETAG, lockTokens: [TOKEN] } };
const unlocked = { '/dir/lockme': { etag: ETAG, lockTokens: [] } };

const evalIf = (value: string, resources: Record<string, IfResourceState>, requestUrl?: string) =>
  evaluateIf(parseIf(value), ctx(resources, requestUrl));

describe('parseIf: grammar', () => {
  it('parses a single untagged state token', () => {
    expect(parseIf(`(<${TOKEN}>)`)).toEqual({
      tagged: false,
      lists: [{ resource: undefined, conditions: [{ kind: 'token', not: false, token: TOKEN }] }],
    });
  });

  it('parses strong and weak entity tags', () => {
    const h = parseIf('(["x"] [W/"y"])');
    expect(h.lists[0]!.conditions).toEqual([
      { kind: 'etag', not: false, etag: '"x"' },
      { kind: 'etag', not: false, etag: 'W/"y"' },
    ]);
  });

  it('parses Not in any case, with or without whitespace before the operand', () => {
    const h = parseIf('(Not <DAV:no-lock>) (not ["x"]) (NOT<urn:a>)');
    expect(h.lists.map((l) => l.conditions[0]!.not)).toEqual([true, true, true]);
    expect(h.lists[2]!.conditions[0]).toEqual({ kind: 'token', not: true, token: 'urn:a' });
  });

  it('parses several untagged lists (OR) of several conditions (AND)', () => {
    const h = parseIf(`(<${TOKEN}> [${ETAG}]) (Not <DAV:no-lock> [${ETAG}])`);
    expect(h.tagged).toBe(false);
    expect(h.lists).toHaveLength(2);
    expect(h.lists.map((l) => l.conditions.length)).toEqual([2, 2]);
  });

  it('parses tagged lists, a tag applying to every list up to the next tag', () => {
    const h = parseIf(`<http://h/a> (<urn:1>) (<urn:2>) </b/c> (["e"])`);
    expect(h.tagged).toBe(true);
    expect(h.lists.map((l) => l.resource)).toEqual(['http://h/a', 'http://h/a', '/b/c']);
  });

  it('accepts arbitrary whitespace between elements and none where unambiguous', () => {
    const a = parseIf(` \t( <urn:1>\t[ "e" ] )\t(<urn:2>)  `);
    const b = parseIf('(<urn:1>["e"])(<urn:2>)');
    expect(a).toEqual(b);
  });

  it('skips commas between lists (repeated If headers joined by Node)', () => {
    expect(parseIf('(<urn:1>), (<urn:2>)').lists).toHaveLength(2);
    expect(parseIf('<http://h/a> (<urn:1>), <http://h/b> (<urn:2>)').lists).toHaveLength(2);
  });

  it('keeps any Coded-URL as a state token, including DAV:no-lock and opaquelocktoken', () => {
    const h = parseIf('(<DAV:no-lock> <opaquelocktoken:foobar> <urn:uuid:x>)');
    expect(submittedTokens(h)).toEqual(['DAV:no-lock', 'opaquelocktoken:foobar', 'urn:uuid:x']);
  });

  it.each([
    ['empty', ''],
    ['whitespace only', '   '],
    ['empty list', '()'],
    ['unterminated list', '(<urn:1>'],
    ['unterminated coded url', '(<urn:1)'],
    ['empty coded url', '(<>)'],
    ['space inside coded url', '(<urn: 1>)'],
    ['bare word', '(urn:1)'],
    ['Not without operand', '(Not)'],
    ['double Not', '(Not Not <urn:1>)'],
    ['unquoted etag', '([abc])'],
    ['unterminated etag', '(["abc)'],
    ['missing ]', '(["abc" <urn:1>)'],
    ['tag without list', '<http://h/a>'],
    ['tag followed by tag', '<http://h/a> <http://h/b> (<urn:1>)'],
    ['trailing tag', '<http://h/a> (<urn:1>) <http://h/b>'],
    ['untagged then tagged', '(<urn:1>) <http://h/a> (<urn:2>)'],
    ['trailing junk after a tagged list', '<http://h/a> (<urn:1>) x'],
    ['garbage', 'hello'],
    ['stray )', ')'],
  ])('rejects malformed input: %s', (_name, value) => {
    expect(() => parseIf(value)).toThrow(IfHeaderError);
  });

  it('reports the offset of the error', () => {
    try {
      parseIf('(<urn:1>) x');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(IfHeaderError);
      expect((e as IfHeaderError).position).toBe(10);
      expect((e as IfHeaderError).code).toBe('IF_HEADER_MALFORMED');
    }
  });
});

describe('evaluateIf: litmus locks group headers', () => {
  it('cond_put: (<token> [etag]) succeeds on the locked resource', () => {
    expect(evalIf(`(<${TOKEN}> [${ETAG}])`, locked)).toEqual({ ok: true, submittedTokens: [TOKEN] });
  });

  it('fail_cond_put: (<DAV:no-lock> [etag]) fails', () => {
    expect(evalIf(`(<DAV:no-lock> [${ETAG}])`, locked).ok).toBe(false);
  });

  it('fail_cond_put_unlocked: (<DAV:no-lock>) fails on an unlocked resource', () => {
    expect(evalIf('(<DAV:no-lock>)', unlocked).ok).toBe(false);
  });

  it('cond_put_with_not: (<token>) (Not <DAV:no-lock>) succeeds and submits the token', () => {
    expect(evalIf(`(<${TOKEN}>) (Not <DAV:no-lock>)`, locked)).toEqual({
      ok: true,
      submittedTokens: [TOKEN, 'DAV:no-lock'],
    });
  });

  it('(Not <bogus>) alone succeeds on an unlocked resource and submits the bogus token', () => {
    expect(evalIf('(Not <urn:uuid:bogus>)', unlocked)).toEqual({ ok: true, submittedTokens: ['urn:uuid:bogus'] });
  });

  it('cond_put_corrupt_token: header holds via the Not list, but the real token is not submitted', () => {
    const r = evalIf(`(<${TOKEN}x>) (Not <DAV:no-lock>)`, locked);
    expect(r.ok).toBe(true);
    expect(r.submittedTokens).not.toContain(TOKEN);
  });

  it('complex_cond_put: (<token> [etag]) (Not <DAV:no-lock> [etag]) succeeds', () => {
    expect(evalIf(`(<${TOKEN}> [${ETAG}]) (Not <DAV:no-lock> [${ETAG}])`, locked).ok).toBe(true);
  });

  it('fail_complex_cond_put: the same with a corrupted etag fails', () => {
    const bad = '"abc-1x3"';
    expect(evalIf(`(<${TOKEN}> [${bad}]) (Not <DAV:no-lock> [${bad}])`, locked).ok).toBe(false);
  });

  it('a lock token of a depth-infinity ancestor lock matches (indirect refresh), as supplied by the resolver', () => {
    const res = { '/coll/lockme.txt': { etag: ETAG, lockTokens: [TOKEN] } };
    expect(evalIf(`(<${TOKEN}>)`, res, '/coll/lockme.txt').ok).toBe(true);
  });
});

describe('evaluateIf: semantics', () => {
  it('Not negates a state token and an entity tag', () => {
    expect(evalIf(`(Not <${TOKEN}>)`, locked).ok).toBe(false);
    expect(evalIf(`(Not [${ETAG}])`, locked).ok).toBe(false);
    expect(evalIf('(Not ["other"])', locked).ok).toBe(true);
  });

  it('a list is the AND of its conditions, the header the OR of its lists', () => {
    expect(evalIf(`(<${TOKEN}> ["other"])`, locked).ok).toBe(false);
    expect(evalIf(`(<${TOKEN}> ["other"]) ([${ETAG}])`, locked).ok).toBe(true);
  });

  it('uses the strong comparison: weak tags never match', () => {
    expect(evalIf('([W/"abc-123"])', locked).ok).toBe(false);
    const weak = { '/dir/lockme': { etag: 'W/"abc-123"', lockTokens: [] } };
    expect(evalIf('([W/"abc-123"])', weak).ok).toBe(false);
    expect(evalIf('(["abc-123"])', weak).ok).toBe(false);
    expect(evalIf('(Not [W/"abc-123"])', weak).ok).toBe(true);
  });

  it('treats an unmapped URL as a resource without the described state', () => {
    expect(evalIf(`([${ETAG}])`, {}).ok).toBe(false);
    expect(evalIf(`(<${TOKEN}>)`, {}).ok).toBe(false);
    expect(evalIf(`(Not [${ETAG}])`, {}).ok).toBe(true);
    expect(evalIf(`(Not <${TOKEN}>)`, {}).ok).toBe(true);
  });

  it('a resource without an etag fails etag conditions', () => {
    expect(evalIf(`([${ETAG}])`, { '/dir/lockme': { lockTokens: [] } }).ok).toBe(false);
  });

  it('evaluates a tagged list against its own resource, absolute URI or path, after normalize', () => {
    const res = { '/dir/lockme': { etag: ETAG, lockTokens: [] }, '/other': { etag: '"o"', lockTokens: [TOKEN] } };
    expect(evalIf(`<http://host:8080/other/> (<${TOKEN}>)`, res).ok).toBe(true);
    expect(evalIf(`</other> (["o"])`, res).ok).toBe(true);
    expect(evalIf(`</dir/lockme> (<${TOKEN}>)`, res).ok).toBe(false);
    expect(evalIf(`</dir/lockme> (<${TOKEN}>) </other> (<${TOKEN}>)`, res).ok).toBe(true);
  });

  it('applies untagged lists to the request URI and submits tokens of every list, tagged for others too', () => {
    const r = evalIf(`</elsewhere> (<urn:a>) </dir/lockme> ([${ETAG}] Not <urn:b>)`, locked);
    expect(r).toEqual({ ok: true, submittedTokens: ['urn:a', 'urn:b'] });
  });

  it('resolves each distinct resource once', () => {
    const calls: string[] = [];
    const c: IfEvalContext = {
      requestUrl: '/dir/lockme',
      normalize,
      resolve: (k) => {
        calls.push(k);
        return undefined;
      },
    };
    evaluateIf(parseIf('(<urn:1>) (<urn:2>) (<urn:3>)'), c);
    expect(calls).toEqual(['/dir/lockme']);
  });
});

describe('helpers', () => {
  it('referencedResources lists the normalized resources, the request URI for untagged lists', () => {
    expect(referencedResources(parseIf('(<urn:1>) (<urn:2>)'), '/r/', normalize)).toEqual(['/r']);
    const h = parseIf('<http://h/a/> (<urn:1>) </b> (<urn:2>) </a> (<urn:3>)');
    expect(referencedResources(h, '/r', normalize)).toEqual(['/a', '/b']);
  });

  it('submittedTokens deduplicates and ignores entity tags', () => {
    expect(submittedTokens(parseIf('(<urn:1> ["e"]) (Not <urn:1>) (<urn:2>)'))).toEqual(['urn:1', 'urn:2']);
  });

  it('parseCodedUrl reads a Lock-Token header', () => {
    expect(parseCodedUrl(` <${TOKEN}> `)).toBe(TOKEN);
    for (const bad of ['', TOKEN, `<${TOKEN}> <x>`, '<>', `<${TOKEN}`]) {
      expect(() => parseCodedUrl(bad)).toThrow(IfHeaderError);
    }
  });
});
