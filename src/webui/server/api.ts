/**
 * The web UI's JSON endpoints, `<base>/?api=NAME` (see shared/api.ts for the shapes):
 *
 *   GET  about                 quota, plan, user, read-only, emulator
 *   GET  list&path=PATH        a folder's entries (the same as PROPFIND Depth 1, as compact JSON)
 *   GET  search&q=TEXT         names in the metadata the gateway holds (no API call)
 *   POST links                 {paths} -> NDJSON: files, then one link/failed/skipped line per file, then end
 *   POST refresh              {path} -> {}; re-lists that folder from the account (one listing call)
 *   POST remote-upload         {urls, folder} -> {id}; refused (403) on a read-only server
 *   GET  jobs                  the account's remote upload jobs
 *   GET  job&id=N              one job and the result of each URL
 *
 * Why a JSON listing beside PROPFIND: for a folder of 5,000 entries the multistatus XML is ~1.5 MB and costs a
 * browser about a second to parse; the same entries as JSON are a fifth of that and parse in milliseconds.
 * Changes to the account still go through WebDAV (PUT, MKCOL, MOVE, DELETE).
 *
 * Every request must come from the web UI's own page (guard.ts: the X-Fichier-Dav header and same-origin
 * checks), after the server's usual authentication. Failures are JSON `{"error": {"code", "message"}}` with the
 * status the WebDAV layer would give the same error (webdav/errors.ts), messages passed through redact().
 * Bad input is a 400 with the reason.
 */
import type { DavRequest, DavShared, Handler } from '../../webdav/context.ts';
import { DavError } from '../../webdav/context.ts';
import { errorAnswer } from '../../webdav/errors.ts';
import { FsError } from '../../core/errors.ts';
import { normPath } from '../../core/path.ts';
import { redact } from '../../util/secret.ts';
import {
  LINKS_MAX_PATHS,
  REMOTE_MAX_URLS,
  SEARCH_LIMIT,
  type AboutJson,
  type ErrorJson,
  type JobListJson,
  type ListJson,
  type LinkEventJson,
  type RemoteUploadJson,
  type SearchJson,
} from '../shared/api.ts';
import type { WebUiBackend } from './backend.ts';
import { requireOwnPage, setSecurityHeaders } from './guard.ts';

interface Endpoint {
  method: 'GET' | 'POST';
  run(ctx: ApiContext): Promise<void>;
}

interface ApiContext {
  s: DavShared;
  r: DavRequest;
  query: URLSearchParams;
  backend: WebUiBackend;
  version: string;
}

/** The code and message of `err` for a JSON answer. */
export function errorFields(err: unknown): { code: string; message: string } {
  if (err instanceof FsError) return { code: err.code, message: redact(err.message) };
  if (err instanceof DavError) return { code: `HTTP${err.status}`, message: redact(err.message) };
  return { code: 'EIO', message: 'internal error' };
}

function sendJson(r: DavRequest, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const payload = Buffer.from(JSON.stringify(body), 'utf8');
  r.res.statusCode = status;
  setSecurityHeaders(r.res);
  for (const [k, v] of Object.entries(extra)) r.res.setHeader(k, v);
  r.res.setHeader('Content-Type', 'application/json; charset=utf-8');
  r.res.setHeader('Cache-Control', 'no-store');
  r.res.setHeader('Content-Length', String(payload.length));
  // A body left unread (a request refused before reading it) cannot be skipped safely on a kept-alive connection.
  if (!r.req.complete) r.res.setHeader('Connection', 'close');
  r.res.end(r.method === 'HEAD' ? undefined : payload);
}

/** The request body as JSON; DavError 400 when it is not, 413 when too large. */
async function jsonBody(r: DavRequest): Promise<Record<string, unknown>> {
  const type = r.header('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) throw new DavError(415, 'the body must be application/json');
  let v: unknown;
  try {
    v = JSON.parse((await r.body()).toString('utf8'));
  } catch {
    throw new DavError(400, 'the body is not valid JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new DavError(400, 'the body must be a JSON object');
  return v as Record<string, unknown>;
}

/** A list of strings from `v` (field `name`), 1 to `max` of them; DavError 400 otherwise. */
function stringList(v: unknown, name: string, max: number): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new DavError(400, `"${name}" must be a list of strings`);
  if (v.length === 0) throw new DavError(400, `"${name}" is empty`);
  if (v.length > max) throw new DavError(400, `"${name}" has ${v.length} items; at most ${max} at once`);
  return v as string[];
}

/** An account path from the client: normalised; DavError 400 for '.', '..', NUL or a non-string. */
function accountPath(v: unknown, name: string): string {
  if (typeof v !== 'string') throw new DavError(400, `"${name}" must be a string`);
  try {
    return normPath(v);
  } catch (err) {
    throw new DavError(400, `"${name}" is not a valid path`, { cause: err });
  }
}

const ENDPOINTS: Readonly<Record<string, Endpoint>> = {
  about: {
    method: 'GET',
    async run({ s, r, backend, version }) {
      const a = await backend.about(r.signal);
      const body: AboutJson = {
        user: r.user ?? null,
        readOnly: s.opts.readOnly,
        emulator: a.emulator,
        quota: { total: a.quota.total ?? null, used: a.quota.used ?? null, free: a.quota.free ?? null },
        plan: a.plan ?? null,
        version,
      };
      sendJson(r, 200, body);
    },
  },

  list: {
    method: 'GET',
    async run({ r, query, backend }) {
      const path = accountPath(query.get('path') ?? '', 'path');
      const body: ListJson = { path, entries: await backend.list(path, r.signal) };
      sendJson(r, 200, body);
    },
  },

  search: {
    method: 'GET',
    async run({ r, query, backend }) {
      const q = (query.get('q') ?? '').trim();
      if (q === '') throw new DavError(400, 'the search text (q) is empty');
      if (q.length > 256) throw new DavError(400, 'the search text is longer than 256 characters');
      const { hits, coverage } = backend.search(q, SEARCH_LIMIT + 1);
      const body: SearchJson = { query: q, hits: hits.slice(0, SEARCH_LIMIT), truncated: hits.length > SEARCH_LIMIT, coverage };
      sendJson(r, 200, body);
    },
  },

  links: {
    method: 'POST',
    async run({ s, r, backend }) {
      const body = await jsonBody(r);
      const paths = stringList(body.paths, 'paths', LINKS_MAX_PATHS).map((p, i) => accountPath(p, `paths[${i}]`));
      r.res.statusCode = 200;
      setSecurityHeaders(r.res);
      r.res.setHeader('Content-Type', 'application/x-ndjson; charset=utf-8');
      r.res.setHeader('Cache-Control', 'no-store');
      const line = (e: LinkEventJson) => r.res.write(JSON.stringify(e) + '\n');
      // The head goes out at once, so the page can show that the work started even before the first link.
      r.res.flushHeaders();
      try {
        const sum = await backend.links(
          paths,
          (e) => line(e.type === 'failed' ? { type: 'failed', path: e.path, ...errorFields(e.error) } : e),
          r.signal,
        );
        line({ type: 'end', ...sum });
      } catch (err) {
        if (r.signal.aborted) {
          s.logger.debug({}, 'web UI: links request abandoned by the client');
          return;
        }
        s.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'web UI: links request failed');
        line({ type: 'error', ...errorFields(err) });
      } finally {
        if (!r.res.writableEnded && !r.res.destroyed) r.res.end();
      }
    },
  },

  refresh: {
    method: 'POST',
    async run({ r, backend }) {
      const body = await jsonBody(r);
      await backend.refresh(accountPath(body.path ?? '', 'path'), r.signal);
      sendJson(r, 200, {});
    },
  },

  'remote-upload': {
    method: 'POST',
    async run({ s, r, backend }) {
      if (s.opts.readOnly) throw new DavError(403, 'read-only server');
      const body = await jsonBody(r);
      const urls = stringList(body.urls, 'urls', REMOTE_MAX_URLS).map((u) => u.trim());
      const folder = accountPath(body.folder ?? '', 'folder');
      const id = await backend.remoteUpload(urls, folder, r.signal);
      const out: RemoteUploadJson = { id };
      sendJson(r, 200, out);
    },
  },

  jobs: {
    method: 'GET',
    async run({ r, backend }) {
      const out: JobListJson = { jobs: await backend.jobs(r.signal) };
      sendJson(r, 200, out);
    },
  },

  job: {
    method: 'GET',
    async run({ r, query, backend }) {
      const id = query.get('id') ?? '';
      if (!/^\d{1,15}$/.test(id)) throw new DavError(400, 'the job id (id) must be a number');
      sendJson(r, 200, await backend.job(Number(id), r.signal));
    },
  },
};

/** The handler of API endpoint `name` (unknown names answer 404). */
export function apiHandler(name: string, query: URLSearchParams, backend: WebUiBackend, version: string): Handler {
  return async (s, r) => {
    try {
      requireOwnPage(r);
      const ep = Object.hasOwn(ENDPOINTS, name) ? ENDPOINTS[name] : undefined;
      if (!ep) throw new DavError(404, `no such endpoint: ${name}`);
      if (r.method !== ep.method && !(ep.method === 'GET' && r.method === 'HEAD')) {
        throw new DavError(405, `${name} takes ${ep.method}`, { headers: { Allow: ep.method === 'GET' ? 'GET, HEAD' : ep.method } });
      }
      await ep.run({ s, r, query, backend, version });
    } catch (err) {
      if (r.res.headersSent) {
        if (!r.res.writableEnded) r.res.destroy();
        return;
      }
      const a = errorAnswer(r.method, err);
      if (a.internal) s.logger.error({ err, api: name }, 'web UI: request failed');
      const body: ErrorJson = { error: errorFields(err) };
      sendJson(r, a.status, body, a.headers);
    }
  };
}
