import { describe, expect, it } from 'vitest';
import { codeForStatus } from './errors.ts';
import { DAV_NS, MultistatusReader, propKey } from './multistatus.ts';

const BODY = `<?xml version="1.0" encoding="utf-8"?>
<x:multistatus xmlns:x="DAV:" xmlns:o="http://owncloud.org/ns">
  <x:response><x:href>/d%C3%A9j%C3%A0/</x:href>
    <x:propstat><x:prop><x:resourcetype><x:collection/></x:resourcetype><x:getetag>"e1"</x:getetag></x:prop><x:status>HTTP/1.1 200 OK</x:status></x:propstat>
    <x:propstat><x:prop><x:getcontentlength/></x:prop><x:status>HTTP/1.1 404 Not Found</x:status></x:propstat>
  </x:response>
  <x:response><x:href>/d%C3%A9j%C3%A0/f.txt</x:href>
    <x:propstat><x:prop><x:resourcetype/><x:getcontentlength>12</x:getcontentlength>
      <o:checksums><o:checksum>MD5:ab SHA1:cd</o:checksum></o:checksums></x:prop><x:status>HTTP/1.1 200 OK</x:status></x:propstat>
  </x:response>
  <x:response><x:href>/gone</x:href><x:status>HTTP/1.1 404 Not Found</x:status></x:response>
</x:multistatus>`;

function readInPieces(body: string, size: number) {
  const bytes = Buffer.from(body, 'utf8');
  const r = new MultistatusReader();
  for (let i = 0; i < bytes.length; i += size) r.write(bytes.subarray(i, i + size));
  return r.end();
}

describe('MultistatusReader', () => {
  it('reads hrefs, 2xx properties by namespace (any prefix), nested names and response statuses, in any chunking', () => {
    for (const size of [1, 7, 1 << 20]) {
      const [dir, file, gone] = readInPieces(BODY, size);
      expect(dir?.href).toBe('/d%C3%A9j%C3%A0/');
      expect(dir?.props.get(propKey(DAV_NS, 'resourcetype'))?.inner.has(propKey(DAV_NS, 'collection'))).toBe(true);
      expect(dir?.props.get(propKey(DAV_NS, 'getetag'))?.text).toBe('"e1"');
      expect(dir?.props.has(propKey(DAV_NS, 'getcontentlength'))).toBe(false);
      expect(file?.props.get(propKey(DAV_NS, 'getcontentlength'))?.text).toBe('12');
      expect(file?.props.get(propKey('http://owncloud.org/ns', 'checksums'))?.text).toBe('MD5:ab SHA1:cd');
      expect(file?.props.get(propKey(DAV_NS, 'resourcetype'))?.inner.size).toBe(0);
      expect({ href: gone?.href, status: gone?.status, props: gone?.props.size }).toEqual({ href: '/gone', status: 404, props: 0 });
    }
  });
  it('throws on malformed or truncated XML and on a DOCTYPE', () => {
    expect(() => readInPieces('<D:multistatus xmlns:D="DAV:"><D:response>', 5)).toThrow();
    expect(() => readInPieces('<D:multistatus xmlns:D="DAV:"></D:response>', 5)).toThrow();
    expect(() => readInPieces('<!DOCTYPE x [<!ENTITY a "b">]><D:multistatus xmlns:D="DAV:"/>', 5)).toThrow();
  });
});

describe('codeForStatus', () => {
  it('maps statuses (and the 409 reason) to FsError codes', () => {
    const cases: [string, number, string, string][] = [
      ['PROPFIND', 404, '', 'ENOENT'],
      ['MKCOL', 405, '', 'EEXIST'],
      ['PUT', 409, '409 parent collection does not exist', 'ENOENT'],
      ['PUT', 409, '409 parent is not a collection', 'ENOTDIR'],
      ['PROPFIND', 409, '409 not a collection', 'ENOTDIR'],
      ['DELETE', 409, '409 collection not empty', 'ENOTEMPTY'],
      ['MOVE', 412, '', 'EEXIST'],
      ['DELETE', 412, '', 'ENOENT'],
      ['MOVE', 403, '', 'EINVAL'],
      ['PUT', 403, '403 read-only server', 'EROFS'],
      ['MOVE', 403, '403 read-only server', 'EROFS'],
      ['PROPFIND', 401, '', 'EACCES'],
      ['LOCK', 423, '', 'EAGAIN'],
      ['PUT', 507, '', 'ENOSPC'],
      ['GET', 503, '', 'EAGAIN'],
      ['PUT', 400, '', 'EINVAL'],
      ['GET', 416, '', 'ERANGE'],
      ['GET', 502, '', 'EIO'],
      ['GET', 500, '', 'EIO'],
    ];
    expect(cases.map(([m, s, b]) => codeForStatus(m, s, b))).toEqual(cases.map((c) => c[3]));
  });
});
