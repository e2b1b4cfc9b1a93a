/**
 * Test support for the PROPFIND/PROPPATCH tests (not used by production code): the real server
 * (createDavServer, anonymous on 127.0.0.1:0) over a Vfs on the memory remote, an in-memory store and a
 * FakeClock (vfs-kit.ts).
 */
import { request } from 'undici';
import { makeKit } from './vfs-kit.ts';
import type { VfsKit } from './vfs-kit.ts';
import type { Vfs } from '../../src/vfs/types.ts';
import type { DavShared } from '../../src/webdav/context.ts';
import { createDavServer } from '../../src/webdav/index.ts';
import { parseXml } from '../../src/webdav/xml.ts';
import type { XmlElement } from '../../src/webdav/xml.ts';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface PropServer {
  kit: VfsKit;
  shared: DavShared;
  /** Sends one request to the server and returns the whole reply. */
  send(method: string, path: string, opts?: { headers?: Record<string, string>; body?: string }): Promise<Reply>;
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1:0; `wrapVfs` may decorate the kit's Vfs (e.g. to count calls). */
export async function startPropServer(wrapVfs: (v: Vfs) => Vfs = (v) => v): Promise<PropServer> {
  const kit = makeKit();
  const dav = createDavServer({ vfs: wrapVfs(kit.vfs), clock: kit.clock });
  const { port } = await dav.listen('127.0.0.1', 0);
  return {
    kit,
    shared: dav.shared,
    async send(method, path, opts = {}) {
      const res = await request(`http://127.0.0.1:${port}${path}`, { method, headers: opts.headers ?? {}, body: opts.body });
      return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
    },
    close: () => dav.close(),
  };
}

/** The `<D:response>` elements of a multistatus body, keyed by href. */
export function responsesOf(body: string): Map<string, XmlElement> {
  const root = parseXml(body, { maxBytes: 64 * 1024 * 1024, maxNodes: 10_000_000 });
  const out = new Map<string, XmlElement>();
  for (const resp of root.children) {
    const href = resp.children.find((c) => c.name === 'href')?.text ?? '';
    out.set(href, resp);
  }
  return out;
}

/** The status code of each property of one `<D:response>`, keyed `ns name`, with its element. */
export function propsOf(resp: XmlElement): Map<string, { status: number; el: XmlElement }> {
  const out = new Map<string, { status: number; el: XmlElement }>();
  for (const ps of resp.children.filter((c) => c.name === 'propstat')) {
    const status = Number(/HTTP\/1\.1 (\d+)/.exec(ps.children.find((c) => c.name === 'status')?.text ?? '')?.[1]);
    for (const p of ps.children.find((c) => c.name === 'prop')?.children ?? []) out.set(`${p.ns} ${p.name}`, { status, el: p });
  }
  return out;
}
