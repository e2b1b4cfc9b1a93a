import { createEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.ts';

/**
 * Shared helpers for the emulator's own tests: an emulator on 127.0.0.1:<random port> (no proxy mode)
 * and small typed wrappers around fetch. Not used by production code.
 */
export const KEY = 'UnitKey_0123456789abcdefghijklmn';

export interface Started {
  emu: Emulator;
  url: string;
  /** POST /v1/<path> with a JSON body (or raw text); returns status and parsed JSON. */
  api<T = Record<string, unknown>>(path: string, body?: unknown, opts?: { key?: string | null; raw?: string; method?: string }): Promise<{ status: number; json: T }>;
  /** The three-step upload of one or more files; returns the end.pl JSON links. */
  upload(files: { name: string; data: Buffer | string }[], did?: number | string): Promise<EndLink[]>;
  /** get_token then GET the bytes. */
  download(fileUrl: string, headers?: Record<string, string>): Promise<Response>;
  admin<T = unknown>(path: string, body?: unknown): Promise<{ status: number; json: T }>;
  stop(): Promise<void>;
}

export interface EndLink {
  download: string;
  filename: string;
  size: string;
  whirlpool: string;
  remove: string;
}

/**
 * The three-step upload (get_upload_server, multipart upload.cgi, end.pl as JSON) of `files` into folder `did`
 * of the emulator at `url` (no /v1), authenticated with `key`. Returns end.pl's links, polling it while it answers
 * the "please wait" page or no links yet (the realistic profile does both for a moment); throws when upload.cgi
 * does not redirect or end.pl gives no links within 5 s.
 */
export async function uploadFiles(url: string, key: string, files: { name: string; data: Buffer | string }[], did: number | string = 0): Promise<EndLink[]> {
  const auth = { authorization: `Bearer ${key}` };
  const srv = (await (await fetch(`${url}/v1/upload/get_upload_server.cgi`, { headers: auth })).json()) as { id: string };
  const form = new FormData();
  form.append('did', String(did));
  for (const f of files) form.append('file[]', new Blob([Buffer.from(f.data)]), f.name);
  const up = await fetch(`${url}/upload.cgi?id=${srv.id}`, { method: 'POST', headers: auth, body: form, redirect: 'manual' });
  await up.arrayBuffer();
  if (up.status !== 302) throw new Error(`upload.cgi answered ${up.status}`);
  const endUrl = `${url}${up.headers.get('location')!}`;
  for (const started = Date.now(); Date.now() - started < 5000; await new Promise((r) => setTimeout(r, 20))) {
    const end = await fetch(endUrl, { headers: { ...auth, JSON: '1' } });
    const text = await end.text();
    if (!text.startsWith('{')) continue;
    const links = (JSON.parse(text) as { links?: EndLink[] }).links ?? [];
    if (links.length > 0) return links;
  }
  throw new Error('end.pl gave no links within 5 s');
}

/** An emulator with the lenient profile unless `opts.profile` says otherwise. */
export async function start(opts: Partial<EmulatorOptions> = {}): Promise<Started> {
  const emu = await createEmulator({ apiKey: KEY, profile: 'lenient', ...opts });
  const { url } = await emu.listen({ host: '127.0.0.1', port: 0, proxy: false });
  const auth = (key: string | null | undefined): Record<string, string> => (key === null ? {} : { authorization: `Bearer ${key ?? KEY}` });
  const api: Started['api'] = async (path, body, o = {}) => {
    const res = await fetch(`${url}/v1/${path}`, {
      method: o.method ?? 'POST',
      headers: { ...auth(o.key), 'content-type': 'application/json' },
      body: o.method === 'GET' ? undefined : (o.raw ?? (body === undefined ? '' : JSON.stringify(body))),
    });
    return { status: res.status, json: (await res.json()) as never };
  };
  const upload: Started['upload'] = (files, did = 0) => uploadFiles(url, KEY, files, did);
  const download: Started['download'] = async (fileUrl, headers = {}) => {
    const t = await api<{ url: string }>('download/get_token.cgi', { url: fileUrl });
    return fetch(`${url}${new URL(t.json.url).pathname}`, { headers });
  };
  const admin: Started['admin'] = async (path, body) => {
    const res = await fetch(`${url}/_emulator/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as never };
  };
  return { emu, url, api, upload, download, admin, stop: () => emu.close() };
}
