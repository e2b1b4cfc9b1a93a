import { describe, expect, it } from 'vitest';
import { baseName, crumbs, encodeName, hrefOf, isWithin, joinPath, nameProblem, parentOf, pathOfHref } from './paths.ts';

describe('hrefOf and pathOfHref', () => {
  const names = ['a b', 'é€😀', "it's (1)!*", '100%', '#hash?q=1', '<b>&"x"', 'a+b=c;d,e'];

  it('percent-encodes every name like the server and reads it back, with and without a base URL', () => {
    for (const base of ['', '/dav', '/my%20dav']) {
      for (const n of names) {
        const path = joinPath('dir', n);
        const href = hrefOf(base, path, false);
        expect(href.startsWith(`${base}/dir/`)).toBe(true);
        expect(href).not.toMatch(/[ #?'()!*"<>&]/);
        expect(pathOfHref(base, href)).toBe(path);
        expect(pathOfHref(base, `http://127.0.0.1:8080${hrefOf(base, path, true)}`)).toBe(path);
      }
    }
    expect(encodeName("it's (1)!*")).toBe('it%27s%20%281%29%21%2A');
    expect(hrefOf('/dav', '', true)).toBe('/dav/');
    expect(hrefOf('/dav', 'a/b c', true)).toBe('/dav/a/b%20c/');
  });

  it('refuses what is outside the base or malformed', () => {
    expect(pathOfHref('/dav', '/other/a')).toBeUndefined();
    expect(pathOfHref('/dav', '/dav/%E0%A4%A')).toBeUndefined();
    expect(pathOfHref('/dav', '/dav/a/%2F/b')).toBeUndefined();
    expect(pathOfHref('/dav', '/dav/a/%2e%2e/b')).toBeUndefined();
    expect(pathOfHref('', '/a/?asset=x')).toBe('a');
    expect(pathOfHref('/dav', '/dav')).toBe('');
  });
});

describe('path helpers', () => {
  it('join, parent, name, within, crumbs', () => {
    expect(joinPath('', 'a')).toBe('a');
    expect(parentOf('a/b/c')).toBe('a/b');
    expect(parentOf('a')).toBe('');
    expect(baseName('a/b/c.txt')).toBe('c.txt');
    expect(isWithin('a/b', 'a')).toBe(true);
    expect(isWithin('ab', 'a')).toBe(false);
    expect(isWithin('x', '')).toBe(true);
    expect(crumbs('a/b c')).toEqual([
      { name: 'Home', path: '' },
      { name: 'a', path: 'a' },
      { name: 'b c', path: 'a/b c' },
    ]);
  });

  it('says why a name cannot be used', () => {
    expect(nameProblem('ok name.txt')).toBeUndefined();
    expect(nameProblem(`<img src=x onerror=alert(1)> "q" 'x' &amp;`)).toBeUndefined();
    for (const bad of ['', '  ', '.', '..', 'a/b', 'a\nb', 'x'.repeat(251)]) expect(nameProblem(bad)).toBeDefined();
  });
});
