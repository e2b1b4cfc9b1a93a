import { describe, expect, it } from 'vitest';
import type { RemoteEntry } from '../remote/types.ts';
import { openMetaStore } from '../store/index.ts';
import { createStoreDirIdIndex } from './dir-ids.ts';
import { DIR_MIME, localToVfs, makeEtag, remoteToVfs } from './entry.ts';

const file: RemoteEntry = { path: 'a/b.mp4', name: 'b.mp4', kind: 'file', size: 10, modTime: 1000, id: 'https://1fichier.com/?x', hashes: { whirlpool: 'w' } };

describe('entry', () => {
  it('applies the client modtime and stored digests, and derives mime type and etag', () => {
    const plain = remoteToVfs('a/b.mp4', 'b.mp4', file, undefined);
    expect(plain).toMatchObject({ modTime: 1000, mimeType: 'video/mp4', hashes: { whirlpool: 'w' }, local: false });
    const withMeta = remoteToVfs('a/b.mp4', 'b.mp4', file, { modTime: 5000, md5: 'm', sha1: 's' });
    expect(withMeta).toMatchObject({ modTime: 5000, hashes: { whirlpool: 'w', md5: 'm', sha1: 's' } });
    expect(withMeta.etag).not.toBe(plain.etag);
    expect(plain.etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(makeEtag('x', 1, 2)).toBe(makeEtag('x', 1, 2));
    expect(remoteToVfs('a', 'a', { ...file, kind: 'dir', path: 'a', name: 'a' }, undefined).mimeType).toBe(DIR_MIME);
  });

  it('describes local files with on-demand digests', () => {
    const e = localToVfs('x.unknownext', 'x.unknownext', { path: 'x.unknownext', id: 'local:1', content: Buffer.from('abc'), modTime: 7 });
    expect(e).toMatchObject({ size: 3, local: true, mimeType: 'application/octet-stream', hashes: { md5: '900150983cd24fb0d6963f7d28e17f72' } });
  });
});

describe('createStoreDirIdIndex', () => {
  it('keeps folder ids in the store and forgets a subtree', () => {
    const store = openMetaStore({ file: ':memory:' });
    const ids = createStoreDirIdIndex(store);
    ids.set('a', '1');
    ids.set('a/b', '2');
    ids.set('c', '3');
    expect(ids.get('a/b')).toBe('2');
    expect(store.getDirId('c')).toBe('3');
    ids.forget('a');
    expect(ids.get('a/b')).toBeUndefined();
    expect(ids.get('c')).toBe('3');
    store.close();
  });
});
