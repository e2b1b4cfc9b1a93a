/**
 * A Remote over a WebDAV server (ours: fichier-dav), spoken with undici. It exists to run the Remote contract
 * suite THROUGH the server (WebDAV → VFS → fichier remote → 1fichier), and works against any server that
 * answers like ours.
 *
 * Operations: list = PROPFIND Depth 1, stat = PROPFIND Depth 0, openRead = GET (+ Range), put = PUT with
 * Content-Length and `If-None-Match: *` (a taken name → 412 → EEXIST, never a silent replace), remove = DELETE
 * with `If-Match: <id>` (the file we mean, not whatever has its name now), mkdir = MKCOL, rmdir = PROPFIND
 * Depth 1 (ENOTEMPTY when it has members) then DELETE, move/dirMove = MOVE and copy = COPY with `Overwrite: F`,
 * about = PROPFIND of the RFC 4331 quota properties, publicLink = the file's URL after a PROPFIND Depth 0 proves
 * it is still the same file (WebDAV has no separate share links; the URL needs the server's credentials). Every write is followed by a PROPFIND Depth 0 of the result
 * (WebDAV answers 201 without an entry), which our server answers from the VFS's cache.
 *
 * Choices where the reference is silent:
 * - `id` is the ETag: WebDAV has no file id, and our ETags hash (remote id, size, modtime), which rename and move
 *   keep and a copy or a new upload changes.
 * - A GET that ignores Range (200 for a ranged request not starting at 0) is EIO, not silently sliced.
 * - hashes: MD5 and SHA-1 from `oc:checksums`, which our server reports for every file written through it.
 */
import { Readable } from 'node:stream';
import { FsError } from '../../../src/core/errors.ts';
import { baseName, joinPath, normPath } from '../../../src/core/path.ts';
import type { About, PutOptions, ReadRange, Remote, RemoteEntry, RemoteFacts } from '../../../src/remote/types.ts';
import { DavHttp } from './http.ts';
import type { DavHttpOptions } from './http.ts';
import { DAV_NS, propKey } from './multistatus.ts';
import type { DavResponse } from './multistatus.ts';

export interface WebdavRemoteOptions extends DavHttpOptions {
  /** Facts of the server behind, over the defaults (e.g. readOnly for a server serving a shared folder). */
  facts?: Partial<RemoteFacts>;
}

const OC_NS = 'http://owncloud.org/ns';

const ENTRY_PROPS =
  '<?xml version="1.0" encoding="utf-8"?>' +
  `<D:propfind xmlns:D="DAV:" xmlns:oc="${OC_NS}"><D:prop>` +
  '<D:resourcetype/><D:getcontentlength/><D:getlastmodified/><D:getetag/><D:getcontenttype/><oc:checksums/>' +
  '</D:prop></D:propfind>';

const QUOTA_PROPS =
  '<?xml version="1.0" encoding="utf-8"?>' +
  '<D:propfind xmlns:D="DAV:"><D:prop><D:quota-available-bytes/><D:quota-used-bytes/></D:prop></D:propfind>';

const FACTS: RemoteFacts = {
  duplicateNames: false,
  emptyFiles: true,
  emptyDirs: true,
  setModTime: false,
  hashes: ['md5', 'sha1'],
  cheapSeek: true,
  putFailsOnMissingParent: true,
  readOnly: false,
};

const prop = (r: DavResponse, ns: string, name: string): string | undefined => r.props.get(propKey(ns, name))?.text.trim();

/** MD5 and SHA-1 from an oc:checksums value (`MD5:<hex> SHA1:<hex>`). */
function checksums(value: string | undefined): RemoteEntry['hashes'] {
  const out: RemoteEntry['hashes'] = {};
  for (const item of (value ?? '').split(/\s+/)) {
    const m = /^(MD5|SHA1):([0-9a-f]+)$/i.exec(item);
    if (m) out[m[1]!.toLowerCase() === 'md5' ? 'md5' : 'sha1'] = m[2]!.toLowerCase();
  }
  return out;
}

/** A non-negative integer property, or undefined. */
function count(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

/** Creates the WebDAV remote. Requests start only when a method is called; `close()` releases the connections. */
export function createWebdavRemote(opts: WebdavRemoteOptions): Remote {
  const http = new DavHttp(opts);

  const entryOf = (r: DavResponse): RemoteEntry => {
    const path = http.pathOfHref(r.href);
    const isDir = r.props.get(propKey(DAV_NS, 'resourcetype'))?.inner.has(propKey(DAV_NS, 'collection')) ?? false;
    const etag = prop(r, DAV_NS, 'getetag');
    const modTime = Date.parse(prop(r, DAV_NS, 'getlastmodified') ?? '');
    if (etag === undefined || etag === '') throw new FsError('EIO', 'PROPFIND answer without an ETag', { path });
    const e: RemoteEntry = {
      path,
      name: baseName(path),
      kind: isDir ? 'dir' : 'file',
      size: isDir ? 0 : (count(prop(r, DAV_NS, 'getcontentlength')) ?? 0),
      modTime: Number.isNaN(modTime) ? 0 : modTime,
      id: etag,
      hashes: isDir ? {} : checksums(prop(r, OC_NS, 'checksums')),
    };
    const type = prop(r, DAV_NS, 'getcontenttype');
    if (!isDir && type) e.mimeType = type;
    return e;
  };

  /** The target and (Depth 1) its members. Throws ENOENT, ENOTDIR and the mapped errors. */
  const propfindEntries = async (path: string, depth: '0' | '1', signal?: AbortSignal): Promise<{ self: RemoteEntry; members: RemoteEntry[] }> => {
    const responses = (await http.propfind(path, depth, ENTRY_PROPS, signal)).filter((r) => r.status === undefined || r.status < 300);
    const entries = responses.map(entryOf);
    const self = entries.find((e) => e.path === path);
    if (!self) throw new FsError('EIO', 'PROPFIND answer without the requested resource', { path });
    return { self, members: entries.filter((e) => e !== self) };
  };

  const stat = async (path: string, signal?: AbortSignal): Promise<RemoteEntry> => (await propfindEntries(normPath(path), '0', signal)).self;

  /** Sends a COPY or MOVE of `src` to `name` in `parent` (Overwrite: F) and returns the entry there. */
  const transfer = async (method: 'COPY' | 'MOVE', src: RemoteEntry, parent: RemoteEntry, name: string, signal?: AbortSignal): Promise<RemoteEntry> => {
    const isDir = src.kind === 'dir';
    const dst = childOf(parent, name);
    await http.call(method, src.path, http.urlOf(src.path, isDir), {
      headers: { destination: http.urlOf(dst, isDir), overwrite: 'F', ...(isDir ? { depth: 'infinity' } : {}) },
      signal,
    });
    return stat(dst, signal);
  };

  const notForDirs = (e: RemoteEntry): void => {
    if (e.kind === 'dir') throw new FsError('EISDIR', 'a directory', { path: e.path });
  };

  /** The path of `name` in folder `parent`. Throws ENOTDIR when `parent` is a file. */
  const childOf = (parent: RemoteEntry, name: string): string => {
    if (parent.kind !== 'dir') throw new FsError('ENOTDIR', 'not a directory', { path: parent.path });
    return joinPath(parent.path, name);
  };

  return {
    name: `webdav:${opts.url}`,
    facts: { ...FACTS, ...opts.facts },

    async list(dir, signal) {
      const { self, members } = await propfindEntries(normPath(dir), '1', signal);
      if (self.kind !== 'dir') throw new FsError('ENOTDIR', 'not a directory', { path: self.path });
      return members;
    },

    stat,

    async openRead(file, range?: ReadRange, signal?: AbortSignal) {
      notForDirs(file);
      const headers: Record<string, string> = {};
      if (range) headers.range = `bytes=${range.start}-${range.end}`;
      const res = await http.send('GET', file.path, http.urlOf(file.path), { headers, signal, ok: [200, 206] });
      if (range && range.start > 0 && res.statusCode === 200) {
        await res.body.dump();
        throw new FsError('EIO', 'the server ignored the Range header', { path: file.path });
      }
      return res.body;
    },

    async put(parent: RemoteEntry, name: string, source: Readable, o: PutOptions) {
      const p = childOf(parent, name);
      let mismatch: FsError | undefined;
      async function* exact(): AsyncGenerator<Buffer> {
        let n = 0;
        for await (const chunk of source) {
          const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
          n += b.length;
          if (n > o.size) throw (mismatch = new FsError('EINVAL', `more than the declared ${o.size} bytes`, { path: p }));
          yield b;
        }
        if (n !== o.size) throw (mismatch = new FsError('EINVAL', `${n} bytes instead of the declared ${o.size}`, { path: p }));
      }
      try {
        await http.call('PUT', p, http.urlOf(p), {
          headers: { 'content-length': String(o.size), 'content-type': 'application/octet-stream', 'if-none-match': '*' },
          body: Readable.from(exact(), { objectMode: false }),
          signal: o.signal,
        });
      } catch (err) {
        throw mismatch ?? err;
      } finally {
        if (!source.readableEnded) source.destroy();
      }
      return stat(p, o.signal);
    },

    async remove(file, signal) {
      notForDirs(file);
      await http.call('DELETE', file.path, http.urlOf(file.path), { headers: { 'if-match': file.id }, signal });
    },

    async mkdir(parent, name, signal) {
      const p = childOf(parent, name);
      await http.call('MKCOL', p, http.urlOf(p, true), { signal });
      return stat(p, signal);
    },

    async rmdir(dir, signal) {
      const p = dir.path;
      if (dir.kind !== 'dir') throw new FsError('ENOTDIR', 'not a directory', { path: p });
      if (p === '') throw new FsError('EINVAL', 'cannot remove the root', { path: p });
      const { self, members } = await propfindEntries(p, '1', signal);
      if (self.kind !== 'dir') throw new FsError('ENOTDIR', 'not a directory', { path: p });
      if (members.length > 0) throw new FsError('ENOTEMPTY', 'directory not empty', { path: p });
      await http.call('DELETE', p, http.urlOf(p, true), { headers: { depth: 'infinity' }, signal });
    },

    async move(file, parent, name, signal) {
      notForDirs(file);
      return transfer('MOVE', file, parent, name, signal);
    },

    async dirMove(dir, parent, name, signal) {
      if (dir.kind !== 'dir') throw new FsError('ENOTDIR', 'not a directory', { path: dir.path });
      return transfer('MOVE', dir, parent, name, signal);
    },

    async copy(file, parent, name, signal) {
      notForDirs(file);
      return transfer('COPY', file, parent, name, signal);
    },

    async about(signal): Promise<About> {
      const [root] = await http.propfind('', '0', QUOTA_PROPS, signal);
      const free = root ? count(prop(root, DAV_NS, 'quota-available-bytes')) : undefined;
      const used = root ? count(prop(root, DAV_NS, 'quota-used-bytes')) : undefined;
      return {
        ...(free !== undefined ? { free } : {}),
        ...(used !== undefined ? { used } : {}),
        ...(free !== undefined && used !== undefined ? { total: free + used } : {}),
      };
    },

    async publicLink(file, signal) {
      notForDirs(file);
      const now = await stat(file.path, signal);
      if (now.kind !== 'file' || now.id !== file.id) throw new FsError('ENOENT', 'no longer there', { path: file.path });
      return http.urlOf(file.path);
    },

    close: () => http.close(),
  };
}
