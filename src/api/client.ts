/**
 * The typed 1fichier API client. One generic `call()` owns pacing, retries and error decoding; every
 * endpoint method is a line or two on top of it. Results are the wire types of ./types.ts (user/info
 * normalized so its declared types hold whatever the server sends).
 *
 * The API key lives in a Secret inside the HTTP transport and is read only where the Authorization
 * header is built; `util.inspect(client)` and `JSON.stringify(client)` show only the base URL.
 */
import type { Readable } from 'node:stream';
import { inspect } from 'node:util';
import type { Clock } from '../util/clock.ts';
import { systemClock } from '../util/clock.ts';
import type { Logger } from '../util/log.ts';
import { silentLogger } from '../util/log.ts';
import type { Secret } from '../util/secret.ts';
import { decodeOutcome, FichierApiError, localError } from './errors.ts';
import { HttpTransport } from './http.ts';
import type { ApiObserver } from './observer.ts';
import { mapHost } from './hosts.ts';
import { createPacer, sharedPacer, type Pacer } from './pacer.ts';
import { createSlots, type Slots } from './slots.ts';
import { uploadFile, type UploadedFile, type UploadOptions } from './upload.ts';
import { downloadFile, type DownloadOptions, type DownloadResult } from './download.ts';
import { listSharedFolder, type SharedFolderOptions } from './shared-folder.ts';
import { normalizeUserInfo } from './userinfo.ts';
import { REAL_API_BASE } from './types.ts';
import type {
  EndpointPath,
  FileChattrRequest,
  FileChattrResponse,
  FileCpResponse,
  FileInfoResponse,
  FileLsResponse,
  FileMvResponse,
  FileRenameResponse,
  FileRmResponse,
  FolderLsResponse,
  FolderMkdirResponse,
  FolderMvRequest,
  FolderMvResponse,
  FolderRmResponse,
  GetTokenResponse,
  GetUploadServerResponse,
  RemoteInfoResponse,
  RemoteLsResponse,
  RemoteRequestResponse,
  ReqOf,
  ResOf,
  SharedFolderEntry,
  UserInfoResponse,
} from './types.ts';

export interface FichierClientOptions {
  /** The account's API key (https://1fichier.com/console/params.pl). */
  apiKey: Secret;
  /** API base, default `process.env.FICHIER_API_URL ?? 'https://api.1fichier.com/v1'`. Any other origin (the
   * emulator) also receives the uploads and downloads (see hosts.ts). */
  baseUrl?: string;
  /** The pacer; default the process-wide `sharedPacer()`, or a private one when `clock` is given. */
  pacer?: Pacer;
  clock?: Clock;
  logger?: Logger;
  userAgent?: string;
  /** Simultaneous download connections of this client. Default 8. */
  downloadConcurrency?: number;
  /** Longest time spent polling end.pl after an upload, in ms. Default 120 000. */
  endPollMaxMs?: number;
  /** Told of every attempt (endpoint, outcome, duration) and of transfer bytes: metrics (see observer.ts). */
  observer?: ApiObserver;
}

export interface CallOptions {
  /** Default POST. GET sends no body. */
  method?: 'GET' | 'POST';
  /** false: one attempt only. */
  retry?: boolean;
  /** The call lists this folder: every attempt passes the pacer's listing budget (3 s apart, one folder per 30 s). */
  listing?: { folderId: number; background?: boolean };
  signal?: AbortSignal;
}

/** Options of the listing calls. */
export interface ListingOptions {
  /** Nobody waits for this listing (revalidation, warm-up): it goes after every foreground listing. */
  background?: boolean;
  signal?: AbortSignal;
}

const UPLOAD_ID_RE = /^[A-Za-z0-9]{1,10}$/;

export class FichierClient {
  /** The API base URL, without a trailing slash. */
  readonly baseUrl: string;
  readonly #http: HttpTransport;
  readonly #pacer: Pacer;
  readonly #clock: Clock;
  readonly #downloadSlots: Slots;
  readonly #endPollMaxMs: number;

  constructor(opts: FichierClientOptions) {
    this.baseUrl = (opts.baseUrl ?? process.env['FICHIER_API_URL'] ?? REAL_API_BASE).replace(/\/+$/, '');
    const logger = opts.logger ?? silentLogger;
    this.#clock = opts.clock ?? systemClock;
    this.#pacer = opts.pacer ?? (opts.clock ? createPacer({ clock: opts.clock, logger }) : sharedPacer());
    this.#http = new HttpTransport({
      apiKey: opts.apiKey,
      userAgent: opts.userAgent ?? 'fichier-dav/0.1',
      logger,
      ...(opts.observer ? { observer: opts.observer } : {}),
    });
    this.#downloadSlots = createSlots(opts.downloadConcurrency ?? 8);
    this.#endPollMaxMs = opts.endPollMaxMs ?? 120_000;
  }

  /**
   * Calls one API endpoint (POST + JSON body, or GET without body) through the pacer and returns the
   * decoded answer. An empty request object is sent as an empty body (as rclone does for user/info).
   * Throws FichierApiError (see errors.ts): KO bodies and non-2xx answers by kind, 'protocol' for non-JSON,
   * 'transport' when no answer; retryable ones are retried first. Rejects with the signal's reason on abort.
   */
  call<P extends EndpointPath>(path: P, body: ReqOf<P>, opts: CallOptions = {}): Promise<ResOf<P>> {
    const method = opts.method ?? 'POST';
    const payload = method === 'POST' && Object.keys(body).length > 0 ? JSON.stringify(body) : '';
    const url = `${this.baseUrl}/${path}`;
    return this.#pacer.run(
      () =>
        this.#http.attempt(path, opts.signal, async () => {
          const res = await this.#http.exchange({
            endpoint: path,
            url,
            method,
            headers: { 'content-type': 'application/json' },
            ...(method === 'POST' ? { body: payload } : {}),
            signal: opts.signal,
          });
          return decodeOutcome({ endpoint: path, ...res, nowMs: this.#clock.now() }) as ResOf<P>;
        }),
      { retry: opts.retry, signal: opts.signal, label: path, ...(opts.listing ? { listing: opts.listing } : {}) },
    );
  }

  /** Account info, numeric and string fields normalized to their declared types. Throws as `call`. */
  async userInfo(signal?: AbortSignal): Promise<UserInfoResponse> {
    return normalizeUserInfo(await this.call('user/info.cgi', {}, { signal }));
  }

  /**
   * Sub-folders of `folderId` (0 = root), plus its files with `files: true`. A listing: it waits for the listing
   * budget. Throws as `call`.
   */
  folderLs(folderId: number, opts: ListingOptions & { files?: boolean } = {}): Promise<FolderLsResponse> {
    const listing = { folderId, ...(opts.background ? { background: true } : {}) };
    return this.call('folder/ls.cgi', { folder_id: folderId, ...(opts.files ? { files: 1 as const } : {}) }, { signal: opts.signal, listing });
  }

  /**
   * Files of `folderId` (-1 = every file of the account), only those uploaded at or before `sentBefore` / at or
   * after `sentAfter` when given (wire dates, Paris time). A listing, as folderLs. Throws as `call`.
   */
  fileLs(folderId: number, opts: ListingOptions & { sentBefore?: string; sentAfter?: string } = {}): Promise<FileLsResponse> {
    const body = {
      folder_id: folderId,
      ...(opts.sentBefore !== undefined ? { sent_before: opts.sentBefore } : {}),
      ...(opts.sentAfter !== undefined ? { sent_after: opts.sentAfter } : {}),
    };
    return this.call('file/ls.cgi', body, { signal: opts.signal, listing: { folderId, ...(opts.background ? { background: true } : {}) } });
  }

  /** One file's entry. Throws as `call` ('not-found' for #469, 'forbidden' for #631). */
  fileInfo(url: string, signal?: AbortSignal): Promise<FileInfoResponse> {
    return this.call('file/info.cgi', { url }, { signal });
  }

  /**
   * Creates folder `name` under `parentId`; returns its id. `retry: false` sends it once (a retry after a lost
   * answer could make a second folder of the name). Throws as `call`, 'protocol' without a folder id.
   */
  async folderMkdir(parentId: number, name: string, signal?: AbortSignal, opts: { retry?: boolean } = {}): Promise<FolderMkdirResponse> {
    const res = await this.call('folder/mkdir.cgi', { name, folder_id: parentId }, { signal, ...(opts.retry === false ? { retry: false } : {}) });
    if (typeof res.folder_id !== 'number') throw localError('folder/mkdir.cgi', 'protocol', 'answer without folder_id');
    return res;
  }

  /** Removes an empty folder. Throws as `call` ('refused' when not empty). */
  folderRm(id: number, signal?: AbortSignal): Promise<FolderRmResponse> {
    return this.call('folder/rm.cgi', { folder_id: id }, { signal });
  }

  /**
   * Moves and/or renames folder `id` in ONE call: `destination_folder_id` sent whenever given (0 for the root:
   * a server reading an absent field as "stay" must not be left to guess), `destination_user: ""` always.
   * Whether the service applies a destination together with `rename` is unknown: callers that change both send
   * two calls (remote/fichier). Throws as `call`.
   */
  folderMv(id: number, to: { destinationFolderId?: number; rename?: string }, signal?: AbortSignal): Promise<FolderMvResponse> {
    const body: FolderMvRequest = { folder_id: id, destination_user: '' };
    if (to.destinationFolderId !== undefined) body.destination_folder_id = to.destinationFolderId;
    if (to.rename !== undefined) body.rename = to.rename;
    return this.call('folder/mv.cgi', body, { signal });
  }

  /** Moves files (URLs unchanged) to `destFolderId`, renaming a single file with `rename`. Throws as `call`. */
  fileMv(urls: string[], destFolderId: number, rename?: string, signal?: AbortSignal): Promise<FileMvResponse> {
    return this.call('file/mv.cgi', { urls, destination_folder_id: destFolderId, ...(rename !== undefined ? { rename } : {}) }, { signal });
  }

  /** Renames a file in place (URL unchanged). Throws as `call` ('refused' for #312). */
  fileRename(url: string, filename: string, signal?: AbortSignal): Promise<FileRenameResponse> {
    return this.call('file/rename.cgi', { urls: [{ url, filename }], pretty: 0 }, { signal });
  }

  /** Copies files into `folderId` (new URLs in `urls[].to_url`). Throws as `call`. */
  fileCp(urls: string[], folderId: number, rename?: string, signal?: AbortSignal): Promise<FileCpResponse> {
    return this.call('file/cp.cgi', { urls, folder_id: folderId, ...(rename !== undefined ? { rename } : {}) }, { signal });
  }

  /** Deletes files. Throws as `call`. */
  fileRm(urls: string[], signal?: AbortSignal): Promise<FileRmResponse> {
    return this.call('file/rm.cgi', { files: urls.map((url) => ({ url })) }, { signal });
  }

  /** Changes file attributes (name of a single file, description, password, flags, ACL). Throws as `call`. */
  fileChattr(urls: string[], attrs: Omit<FileChattrRequest, 'urls'>, signal?: AbortSignal): Promise<FileChattrResponse> {
    return this.call('file/chattr.cgi', { ...attrs, urls }, { signal });
  }

  /**
   * A temporary download URL for file `url` (one-shot unless `single: false`), host-mapped for the emulator.
   * Throws as `call` ('not-found' #469, 'forbidden' #631/#887...), 'protocol' when the answer has no URL.
   */
  async getToken(
    url: string,
    opts: { single?: boolean; pass?: string; cdn?: boolean; signal?: AbortSignal } = {},
  ): Promise<GetTokenResponse> {
    const body = { url, single: opts.single === false ? (0 as const) : (1 as const), ...(opts.pass !== undefined ? { pass: opts.pass } : {}), ...(opts.cdn ? { cdn: 1 as const } : {}) };
    const res = await this.call('download/get_token.cgi', body, { signal: opts.signal });
    if (typeof res.url !== 'string' || !/^https?:\/\//.test(res.url)) {
      throw localError('download/get_token.cgi', 'protocol', 'answer without a download URL');
    }
    return { ...res, url: mapHost(res.url, this.baseUrl) };
  }

  /**
   * An upload node and upload id: GET (as rclone), falling back to POST when the server answers 405/501.
   * Throws as `call`, 'protocol' when the id is not 1-10 alphanumerics or the node is missing.
   */
  async getUploadServer(signal?: AbortSignal): Promise<GetUploadServerResponse> {
    const path = 'upload/get_upload_server.cgi';
    const res = await this.call(path, {}, { method: 'GET', signal }).catch((err: unknown) => {
      const unsupported = err instanceof FichierApiError && (err.httpStatus === 405 || err.httpStatus === 501);
      if (unsupported) return this.call(path, {}, { method: 'POST', signal });
      throw err;
    });
    if (typeof res.url !== 'string' || res.url === '' || typeof res.id !== 'string' || !UPLOAD_ID_RE.test(res.id)) {
      throw localError(path, 'protocol', 'invalid upload server answer (node or UploadID)');
    }
    return res;
  }

  /** Asks 1fichier to fetch `urls` into `folderId` (remote upload). Throws as `call`. */
  remoteRequest(urls: string[], folderId: number, signal?: AbortSignal): Promise<RemoteRequestResponse> {
    return this.call('remote/request.cgi', { urls, folder_id: folderId }, { signal });
  }

  /** Remote upload requests of the account. Throws as `call`. */
  remoteLs(signal?: AbortSignal): Promise<RemoteLsResponse> {
    return this.call('remote/ls.cgi', {}, { signal });
  }

  /** One remote upload request. Throws as `call`. */
  remoteInfo(id: number, signal?: AbortSignal): Promise<RemoteInfoResponse> {
    return this.call('remote/info.cgi', { id }, { signal });
  }

  /** Uploads a stream of exactly `opts.size` bytes; see upload.ts `uploadFile` for results and errors. */
  upload(source: Readable | AsyncIterable<Uint8Array>, opts: UploadOptions): Promise<UploadedFile> {
    const ctx = {
      http: this.#http,
      pacer: this.#pacer,
      clock: this.#clock,
      baseUrl: this.baseUrl,
      endPollMaxMs: this.#endPollMaxMs,
      getUploadServer: (signal?: AbortSignal) => this.getUploadServer(signal),
    };
    return uploadFile(ctx, source, opts);
  }

  /**
   * The files of public shared folder `id` (1fichier's /dir/ page, with `pass` for a protected one); see
   * shared-folder.ts for errors. Download an entry with `getToken(entry.link)`, as rclone does.
   */
  sharedFolderLs(id: string, opts: SharedFolderOptions = {}): Promise<SharedFolderEntry[]> {
    return listSharedFolder({ http: this.#http, pacer: this.#pacer, clock: this.#clock, baseUrl: this.baseUrl }, id, opts);
  }

  /** Streams a token URL, whole or ranged; see download.ts `downloadFile` for results and errors. */
  download(tokenUrl: string, opts: DownloadOptions = {}): Promise<DownloadResult> {
    return downloadFile({ http: this.#http, slots: this.#downloadSlots, clock: this.#clock, baseUrl: this.baseUrl }, tokenUrl, opts);
  }

  /** Pacer counters (shared with every client using the same pacer). */
  pacerStats(): ReturnType<Pacer['stats']> {
    return this.#pacer.stats();
  }

  /** Waits for the requests in flight, then closes the HTTP connections; later requests are refused. */
  close(): Promise<void> {
    return this.#http.close();
  }

  toJSON(): { baseUrl: string } {
    return { baseUrl: this.baseUrl };
  }

  [inspect.custom](): string {
    return `FichierClient { baseUrl: ${JSON.stringify(this.baseUrl)} }`;
  }
}
