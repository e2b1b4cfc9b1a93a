/** The page's client of the web UI endpoints (`<base>/?api=NAME`, see shared/api.ts). */
import { API_HEADER, API_PARAM, type AboutJson, type JobJson, type JobListJson, type LinkEventJson, type ListJson, type RemoteUploadJson, type SearchJson } from '../shared/api.ts';
import type { Entry } from './dav.ts';
import { RequestFailed } from './messages.ts';
import { LineSplitter } from './ndjson.ts';
import { joinPath } from './paths.ts';

export class Api {
  constructor(readonly base: string) {}

  #url(name: string, params: Record<string, string> = {}): string {
    const q = new URLSearchParams({ [API_PARAM]: name, ...params });
    return `${this.base}/?${q.toString()}`;
  }

  async #fetch(name: string, init: RequestInit & { params?: Record<string, string> } = {}): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(this.#url(name, init.params), { ...init, headers: { [API_HEADER]: '1', ...(init.body ? { 'Content-Type': 'application/json' } : {}) }, credentials: 'same-origin', cache: 'no-store' });
    } catch (err) {
      if (init.signal?.aborted) throw err;
      throw new RequestFailed(0, '');
    }
    if (!res.ok) throw new RequestFailed(res.status, await res.text().catch(() => ''));
    return res;
  }

  async #json<T>(name: string, init: RequestInit & { params?: Record<string, string> } = {}): Promise<T> {
    return (await (await this.#fetch(name, init)).json()) as T;
  }

  about(): Promise<AboutJson> {
    return this.#json('about');
  }

  /** The entries of folder `path`. Throws RequestFailed (404: no such folder), or the abort reason. */
  async list(path: string, signal?: AbortSignal): Promise<Entry[]> {
    const res = await this.#json<ListJson>('list', { params: { path }, ...(signal ? { signal } : {}) });
    return res.entries.map((e) => ({ path: joinPath(path, e.name), name: e.name, isDir: e.kind === 'dir', size: e.size, modTime: e.modTime }));
  }

  search(q: string, signal?: AbortSignal): Promise<SearchJson> {
    return this.#json('search', { params: { q }, ...(signal ? { signal } : {}) });
  }

  /** Streams the links of `paths`, calling `on` for each NDJSON line as it arrives. Throws RequestFailed, or the abort reason. */
  async links(paths: string[], on: (e: LinkEventJson) => void, signal: AbortSignal): Promise<void> {
    const res = await this.#fetch('links', { method: 'POST', body: JSON.stringify({ paths }), signal });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    const lines = new LineSplitter();
    for (;;) {
      const { value, done } = await reader.read();
      for (const line of done ? lines.end() : lines.push(value)) on(JSON.parse(line) as LinkEventJson);
      if (done) return;
    }
  }

  async refresh(path: string): Promise<void> {
    await this.#fetch('refresh', { method: 'POST', body: JSON.stringify({ path }) });
  }

  remoteUpload(urls: string[], folder: string): Promise<RemoteUploadJson> {
    return this.#json('remote-upload', { method: 'POST', body: JSON.stringify({ urls, folder }) });
  }

  jobs(): Promise<JobListJson> {
    return this.#json('jobs');
  }

  job(id: number): Promise<JobJson> {
    return this.#json('job', { params: { id: String(id) } });
  }
}
