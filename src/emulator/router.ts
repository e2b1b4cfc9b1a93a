import type { IncomingMessage, ServerResponse } from 'node:http';
import { END_UPLOAD_PATH, SHARED_DIR_PATH, UPLOAD_PATH } from '../api/types.ts';
import { adminHandler, type EmulatorControl } from './admin.ts';
import { handleApi } from './api.ts';
import type { Core } from './core.ts';
import { TOKEN_PATH_RE, serveDownload } from './download.ts';
import { KO, sendError } from './errors.ts';
import { urlOf } from './http.ts';
import { serveSharedFolder } from './shared-folders.ts';
import { handleEndPl, handleUpload } from './upload.ts';

/**
 * One request handler for every host (API, upload node, download host, the website's shared-folder pages, admin). Routes by path only;
 * the Host header is ignored, so proxy mode can send api.1fichier.com, up-N... and a-N... here alike.
 * Every answer but the admin ones is reported to the limiter (the error-answer ban rule counts them).
 */
export function createRouter(core: Core, control: EmulatorControl): (req: IncomingMessage, res: ServerResponse) => void {
  const admin = adminHandler(core, control);
  return (req, res) => {
    const path = urlOf(req).pathname;
    if (!path.startsWith('/_emulator/')) res.on('finish', () => core.limiter.noteAnswer(core.apiKey, res.statusCode));
    let work: Promise<void>;
    if (path.startsWith('/v1/')) work = handleApi(core, req, res, path.slice(4));
    else if (path === UPLOAD_PATH) work = handleUpload(core, req, res);
    else if (path === END_UPLOAD_PATH) work = handleEndPl(core, req, res);
    else if (path.startsWith('/_emulator/')) work = admin(req, res, path.slice('/_emulator/'.length));
    else if (path.startsWith(SHARED_DIR_PATH)) work = serveSharedFolder(core, req, res, path.slice(SHARED_DIR_PATH.length));
    else {
      const m = TOKEN_PATH_RE.exec(path);
      work = m ? serveDownload(core, req, res, m[1]!) : Promise.reject(KO.notFound());
    }
    work.catch((err: unknown) => sendError(res, err, core.logger));
  };
}
