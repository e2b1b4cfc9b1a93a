import type { IncomingMessage, ServerResponse } from 'node:http';
import { ENDPOINT_PATHS, type EndpointPath, type ReqOf, type ResOf } from '../api/types.ts';
import { getUploadServer, userInfo } from './api-account.ts';
import { fileChattr, fileCp, fileInfo, fileLs, fileMv, fileRename, fileRm } from './api-files.ts';
import { folderLs, folderMkdir, folderMv, folderRm } from './api-folders.ts';
import { delay, type Core } from './core.ts';
import { getToken } from './download.ts';
import { KO, sendError, sendJson } from './errors.ts';
import { checkAuth, parseJsonObject, readBody } from './http.ts';
import { isListing } from './limits.ts';
import { remoteInfo, remoteLs, remoteRequest } from './remote-upload.ts';
import { folderShare } from './shared-folders.ts';

/**
 * The API host (/v1/<endpoint>): one typed handler per endpoint of `Endpoints` (a missing one is a
 * compile error) and the pipeline every call goes through:
 * stats -> auth (401 #247) -> method -> JSON body (400 #901) -> latency -> flood rules (403, see limits.ts) ->
 * injected faults -> handler -> 200 JSON (or the KO the handler threw).
 */

/** What a handler gets besides its body. */
export interface CallCtx {
  core: Core;
  /** HTTP method of the call (get_upload_server accepts GET and POST). */
  method: string;
}

type Handler<P extends EndpointPath> = (body: ReqOf<P>, ctx: CallCtx) => ResOf<P> | Promise<ResOf<P>>;

const api: { [P in EndpointPath]: Handler<P> } = {
  'user/info.cgi': userInfo,
  'folder/ls.cgi': folderLs,
  'file/ls.cgi': fileLs,
  'file/info.cgi': fileInfo,
  'folder/mkdir.cgi': folderMkdir,
  'folder/rm.cgi': folderRm,
  'folder/mv.cgi': folderMv,
  'file/mv.cgi': fileMv,
  'file/rename.cgi': fileRename,
  'file/cp.cgi': fileCp,
  'file/rm.cgi': fileRm,
  'file/chattr.cgi': fileChattr,
  'folder/share.cgi': folderShare,
  'download/get_token.cgi': getToken,
  'upload/get_upload_server.cgi': getUploadServer,
  'remote/request.cgi': remoteRequest,
  'remote/ls.cgi': remoteLs,
  'remote/info.cgi': remoteInfo,
};

const ANONYMOUS_OK: ReadonlySet<string> = new Set<EndpointPath>(['upload/get_upload_server.cgi']);

function isEndpoint(p: string): p is EndpointPath {
  return (ENDPOINT_PATHS as readonly string[]).includes(p);
}

function folderIdOf(body: Record<string, unknown>): number | undefined {
  const v = body.folder_id;
  return typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : undefined;
}

/** Answers one /v1 call; `endpoint` is the path after "/v1/". Never throws. */
export async function handleApi(core: Core, req: IncomingMessage, res: ServerResponse, endpoint: string): Promise<void> {
  const rec = core.stats.record(`/v1/${endpoint}`, core.clock.now(), true);
  res.on('finish', () => (rec.status = res.statusCode));
  try {
    const auth = checkAuth(req, core.apiKey);
    if (auth === 'wrong' || (auth === 'missing' && !ANONYMOUS_OK.has(endpoint))) throw KO.notAuthenticated();
    if (!isEndpoint(endpoint)) throw KO.unknownMethod();
    const method = req.method ?? 'GET';
    if (method !== 'POST' && !(method === 'GET' && endpoint === 'upload/get_upload_server.cgi')) throw KO.methodNotAllowed();
    const body = parseJsonObject(await readBody(req));
    await delay(core, core.config.latencyMs + core.faults.latency(endpoint));
    if (auth === 'ok') {
      const folderId = folderIdOf(body);
      if (isListing(endpoint)) rec.folder = folderId ?? 0;
      const refused = core.limiter.check(core.apiKey, { endpoint, folderId });
      if (refused) {
        rec.rule = refused.rule;
        core.stats.refused(refused.rule);
        throw refused.error;
      }
    }
    const fault = core.faults.takeFailure(endpoint);
    if (fault) throw fault;
    const handler = api[endpoint] as Handler<EndpointPath>;
    sendJson(res, 200, await handler(body as never, { core, method }), {}, body.pretty === 1 || body.pretty === '1');
  } catch (err) {
    sendError(res, err, core.logger);
  }
}
