import { describe, expect, it } from 'vitest';
import { FakeClock } from '../util/clock.ts';
import type { VfsEntry } from '../vfs/types.ts';
import { createLockManager } from './locks.ts';
import type { LivePropContext } from './props.ts';
import { MS_NS, OC_NS, allProps, checksumsXml, isLiveProp, isQuotaProp, isoDate, liveProp, propNames } from './props.ts';
import { DAV_NS } from './xml.ts';

const file: VfsEntry = {
  path: 'a/f.txt',
  name: 'f.txt',
  kind: 'file',
  size: 42,
  modTime: Date.UTC(2024, 0, 2, 3, 4, 5, 678),
  id: 'id1',
  mimeType: 'text/plain',
  hashes: { md5: 'aa', sha1: 'bb', whirlpool: 'cc' },
  etag: '"e1"',
  local: false,
};
const dir: VfsEntry = { ...file, path: 'a', name: 'a', kind: 'dir', size: 0, mimeType: 'httpd/unix-directory', hashes: {} };

function ctx(over: Partial<LivePropContext> = {}): LivePropContext {
  return { locksCovering: () => [], hrefOf: (p, c) => `/${p}${c ? '/' : ''}`, now: 0, about: undefined, ...over };
}

describe('live properties', () => {
  it('values of a file', () => {
    const c = ctx();
    expect(liveProp(file, { ns: DAV_NS, name: 'getcontentlength' }, c)?.value).toBe('42');
    expect(liveProp(file, { ns: DAV_NS, name: 'getlastmodified' }, c)?.value).toBe('Tue, 02 Jan 2024 03:04:05 GMT');
    expect(liveProp(file, { ns: DAV_NS, name: 'creationdate' }, c)?.value).toBe('2024-01-02T03:04:05Z');
    expect(liveProp(file, { ns: DAV_NS, name: 'resourcetype' }, c)).toEqual({ ns: DAV_NS, name: 'resourcetype' });
    expect(liveProp(file, { ns: OC_NS, name: 'checksums' }, c)?.value).toEqual({ xml: `<oc:checksum xmlns:oc="${OC_NS}">MD5:aa SHA1:bb</oc:checksum>` });
    expect(liveProp(file, { ns: 'urn:x', name: 'getetag' }, c)).toBeUndefined();
  });

  it('a folder has no length, type or checksums, and is a collection', () => {
    const c = ctx();
    expect(liveProp(dir, { ns: DAV_NS, name: 'getcontentlength' }, c)).toBeUndefined();
    expect(liveProp(dir, { ns: DAV_NS, name: 'getcontenttype' }, c)).toBeUndefined();
    expect(liveProp(dir, { ns: OC_NS, name: 'checksums' }, c)).toBeUndefined();
    expect(liveProp(dir, { ns: DAV_NS, name: 'resourcetype' }, c)?.value).toEqual({ xml: '<D:collection/>' });
  });

  it('checksums only for known hashes', () => {
    expect(checksumsXml({ ...file, hashes: { whirlpool: 'cc' } })).toBeUndefined();
    expect(checksumsXml({ ...file, hashes: { sha1: 'bb' } })).toContain('>SHA1:bb<');
  });

  it('quota: free from total - used when free is unknown; unknown values are absent', () => {
    const q = { ns: DAV_NS, name: 'quota-available-bytes' };
    expect(liveProp(dir, q, ctx({ about: { total: 100, used: 30 } }))?.value).toBe('70');
    expect(liveProp(dir, q, ctx({ about: { used: 30 } }))).toBeUndefined();
    expect(liveProp(dir, q, ctx())).toBeUndefined();
    expect(liveProp(dir, { ns: DAV_NS, name: 'quota-used-bytes' }, ctx({ about: { used: 30 } }))?.value).toBe('30');
    expect(isQuotaProp(q)).toBe(true);
    expect(isLiveProp(q)).toBe(true);
    expect(isLiveProp({ ns: MS_NS, name: 'Win32FileAttributes' })).toBe(false);
  });

  it('lockdiscovery names the lock root, a collection for an inherited lock', () => {
    const clock = new FakeClock();
    const locks = createLockManager({ clock });
    locks.lock('a', { scope: 'shared', depth: 'infinity', timeoutSec: 60 });
    const c = ctx({ locksCovering: (p) => locks.locksCovering(p), now: clock.now() });
    const v = liveProp(file, { ns: DAV_NS, name: 'lockdiscovery' }, c)?.value;
    expect(typeof v === 'object' && v.xml).toContain('<D:lockroot><D:href>/a/</D:href></D:lockroot>');
    expect(typeof v === 'object' && v.xml).toContain('<D:timeout>Second-60</D:timeout>');
  });
});

describe('allprop and propname', () => {
  const dead = [
    { ns: MS_NS, name: 'Win32FileAttributes', value: '00000020' },
    { ns: 'urn:x', name: 'color', value: 'red' },
    { ns: OC_NS, name: 'checksums', value: 'SHA1:client' },
  ];
  const names = (ps: { ns: string; name: string }[]): string[] => ps.map((p) => `${p.ns === DAV_NS ? 'D' : p.ns} ${p.name}`);

  it('full allprop: every applicable live property but quota, then dead ones not shadowed', () => {
    expect(names(allProps(file, dead, ctx({ about: { used: 1, free: 2 } }), false))).toEqual([
      'D resourcetype',
      'D getcontentlength',
      'D getlastmodified',
      'D getetag',
      'D creationdate',
      'D getcontenttype',
      'D displayname',
      'D supportedlock',
      'D lockdiscovery',
      `${OC_NS} checksums`,
      `${MS_NS} Win32FileAttributes`,
      'urn:x color',
    ]);
  });

  it('a stored oc:checksums shows when ours is unknown', () => {
    const all = allProps({ ...file, hashes: {} }, dead, ctx(), false);
    expect(all.find((p) => p.ns === OC_NS)?.value).toEqual({ xml: 'SHA1:client' });
  });

  it('lean allprop: the four properties of an Explorer listing and Win32 dead ones', () => {
    expect(names(allProps(file, dead, ctx(), true))).toEqual([
      'D resourcetype',
      'D getcontentlength',
      'D getlastmodified',
      'D creationdate',
      `${MS_NS} Win32FileAttributes`,
    ]);
  });

  it('propname gives the allprop names', () => {
    expect(propNames(dir, [], ctx())).toHaveLength(7);
    expect(isoDate(0)).toBe('1970-01-01T00:00:00Z');
  });
});
