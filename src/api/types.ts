/**
 * Wire types of the 1fichier API v1, exactly as 1fichier sends and accepts them, quirks included (the
 * public API documentation is https://1fichier.com/api.html; what it leaves out was observed). Shared by the client (src/api/client.ts) and the
 * emulator (src/emulator/): an endpoint that one side forgets is a compile error.
 *
 * Quirks kept on purpose:
 * - `content-type` with a hyphen in file entries, `2fa` in user info;
 * - integers 0/1 for flags; dates as "YYYY-MM-DD HH:MM:SS" strings in French local time (Europe/Paris);
 * - `size` is a number everywhere except end.pl, where it is a string;
 * - user/info's string-typed fields are strings (rclone's decoder rejects numbers there);
 * - sub-folder entries use `id`, not `folder_id`;
 * - get_upload_server and end.pl answers carry no `status`.
 */

import { formatParis, parseParis } from '../util/paris-time.ts';

/** 0 or 1, the API's boolean. */
export type Flag = 0 | 1;

/**
 * "YYYY-MM-DD HH:MM:SS", no zone: French local time (Europe/Paris, CET/CEST), as the C# SDK and the
 * OpenAPI description say. rclone reads it as UTC, so its times are one or two hours ahead of ours.
 * Converted to and from instants only by `parseWireDate` / `formatWireDate`.
 */
export type WireDate = string;

/** Every error body: the message ends with a numeric code, e.g. "Flood detected: IP Locked #374". */
export interface KoBody {
  status: 'KO';
  message: string;
}

export interface UserInfoRequest {
  pretty?: Flag;
}

export interface UserInfoResponse {
  status: 'OK';
  email: string;
  /** "0" free, "1" Premium, "2" Access, "3" Premium GOLD. */
  offer: string;
  subscription_end: WireDate;
  /** CDN credits in GB. */
  cdn: string;
  use_cdn: string;
  '2fa': string;
  mail_rm: string;
  upload_forbidden: string;
  stats_date: string;
  download_menu: string;
  default_port: string;
  default_port_files: string;
  ftp_mode: string;
  ftp_report: string;
  ru_report: string;
  page_limit: number;
  default_domain: number;
  ftp_did: number;
  /** Bytes used (rclone About: used). */
  cold_storage: number;
  hot_storage: number;
  /** Total quota in bytes (rclone About: total). */
  available_cold_storage: number;
  allowed_cold_storage: number;
  default_cold_storage_quota: number;
  available_storage: number;
  default_quota: number;
  overquota: number;
}

export interface FileEntry {
  /** "https://1fichier.com/?<id>": the file's identity, stable across rename and move. */
  url: string;
  filename: string;
  size: number;
  date: WireDate;
  /** Whirlpool of the bytes, 128 lower-case hex characters. */
  checksum: string;
  'content-type': string;
  pass: Flag;
  acl: Flag;
  cdn: Flag;
}

export interface SubFolderEntry {
  id: number;
  name: string;
  create_date: WireDate;
  pass: Flag;
}

export interface FolderLsRequest {
  folder_id: number;
  sharing_user?: string;
  /** 1: also return the folder's files in `items`. */
  files?: Flag;
  pretty?: Flag;
}

export interface FolderLsResponse {
  status: 'OK';
  folder_id: number;
  name: string;
  create_date?: WireDate;
  pass?: Flag;
  /** Absent when the folder has no sub-folders. */
  sub_folders?: SubFolderEntry[];
  /** Present only when the request had `files: 1` (and the folder has files). */
  items?: FileEntry[];
  /** Number of files in the folder (C# SDK, SWG; not sent by the emulator). */
  files?: number;
}

export interface FileLsRequest {
  /** -1 lists every file of the account. */
  folder_id: number;
  sharing_user?: string;
  sent_before?: WireDate;
  sent_after?: WireDate;
  pretty?: Flag;
}

export interface FileLsResponse {
  status: 'OK';
  count: number;
  items: FileEntry[];
}

export interface FileInfoRequest {
  url?: string;
  pass?: string;
  folder_id?: number;
  filename?: string;
  sharing_user?: string;
}

export type FileInfoResponse = FileEntry & { status?: 'OK'; folder_id?: number; path?: string; description?: string };

export interface FolderMkdirRequest {
  name: string;
  /** Parent folder id (0 = root). */
  folder_id: number;
  sharing_user?: string;
}

export interface FolderMkdirResponse {
  status: 'OK';
  folder_id: number;
  name: string;
}

export interface FolderRmRequest {
  folder_id: number;
}

export interface FolderRmResponse {
  status: 'OK' | 'KO';
  message?: string;
}

export interface FolderMvRequest {
  folder_id: number;
  /** Omitted by rclone when the destination is the root. */
  destination_folder_id?: number;
  destination_user?: string;
  rename?: string;
}

export interface FolderMvResponse {
  status: 'OK';
  message?: string;
  old_name: string;
  new_name: string;
}

export interface FileMvRequest {
  urls: string[];
  destination_folder_id: number;
  /** Only with a single URL. */
  rename?: string;
  destination_user?: string;
}

export interface FileMvResponse {
  status: 'OK';
  message?: string;
  /** Same URLs as the request: a move keeps the file's identity. */
  urls: string[];
  moved: number;
  filename?: string;
}

export interface FileRenameRequest {
  urls: { url: string; filename: string }[];
  pretty?: Flag;
}

export interface FileRenameResponse {
  status: 'OK' | 'KO';
  message?: string;
  renamed: number;
  urls: { url: string; old_filename: string; new_filename: string }[];
}

export interface FileCpRequest {
  urls: string[];
  /** Destination folder id. */
  folder_id: number;
  rename?: string;
  pass?: string;
  sharing_user?: string;
}

export interface FileCpResponse {
  status: 'OK';
  message?: string;
  copied: number;
  /** `to_url` is a new URL: a copy is a new file. */
  urls: { from_url: string; to_url: string }[];
  filename?: string;
}

export interface FileRmRequest {
  files: { url: string; code?: string }[];
}

export interface FileRmResponse {
  status: 'OK';
  removed: number;
}

export interface FileChattrRequest {
  urls: string[];
  filename?: string;
  description?: string;
  pass?: string;
  no_ssl?: Flag;
  inline?: Flag;
  cdn?: Flag;
  acl?: { ip?: string[]; country?: string[]; email?: string[]; premium?: Flag };
}

export interface FileChattrResponse {
  status: 'OK';
  updated: number;
  urls: string[];
}

export interface GetTokenRequest {
  url: string;
  /** 1 = one-shot token (rclone sends 1); 0 = reusable until it expires. */
  single?: Flag;
  pass?: string;
  cdn?: Flag;
  inline?: Flag;
  no_ssl?: Flag;
  restrict_ip?: 0 | 1 | 2;
  folder_id?: number;
  filename?: string;
  sharing_user?: string;
}

export interface GetTokenResponse {
  status: 'OK';
  /** "https://a-4.1fichier.com/<token>". */
  url: string;
}

export interface GetUploadServerRequest {
  pretty?: Flag;
}

/** No `status` field. */
export interface GetUploadServerResponse {
  /** A bare host name, e.g. "up2.1fichier.com". */
  url: string;
  /** 1-10 alphanumerics. */
  id: string;
}

export interface RemoteRequestRequest {
  urls: string[];
  folder_id: number;
  headers?: string[] | Record<string, string>;
}

export interface RemoteRequestResponse {
  status: 'OK';
  id: number;
  date: WireDate;
  urls: string[];
  headers?: string[] | Record<string, string>;
}

export interface RemoteLsRequest {
  pretty?: Flag;
}

export interface RemoteLsResponse {
  status: 'OK';
  data: { id: number; request_date: WireDate; execution_date: WireDate | null }[];
}

export interface RemoteInfoRequest {
  id: number;
}

export interface RemoteInfoResponse {
  status: 'OK';
  id: number;
  request_date: WireDate;
  execution_date: WireDate | null;
  links: number;
  result: { status: 'OK' | 'KO' | 'pending'; url: string; download_link: string; message: string }[];
}

/**
 * folder/share.cgi: share a folder publicly (its page https://1fichier.com/dir/<id>), optionally behind a password,
 * or stop sharing it (`share: 0`). `shares` (groupware shares with other accounts) is not used here.
 */
export interface FolderShareRequest {
  folder_id: number;
  share?: Flag;
  /** The shared folder's password; "" removes it. */
  pass?: string;
  shares?: { email: string; rw: Flag; hide_links: Flag }[];
}

export interface FolderShareResponse {
  status: 'OK';
  /** The public page, "https://1fichier.com/dir/<id>" (alphanumeric id); absent when unsharing. */
  url?: string;
  message?: string;
}

/**
 * One entry of a shared folder's page in JSON (`GET https://1fichier.com/dir/<id>?json=1`, or POST
 * `json=1&pass=...` for a protected folder): a JSON array of these, files only (flat), no checksum.
 */
export interface SharedFolderEntry {
  filename: string;
  /** The file's URL ("https://1fichier.com/?<id>"): what get_token takes. */
  link: string;
  size: number;
}

/** Path prefix of the website's shared-folder pages (on the 1fichier.com host, not the API host). */
export const SHARED_DIR_PATH = '/dir/';

/** A shared folder id: alphanumeric, e.g. "CiLKCBI7" (not the API's numeric folder ids). */
export const SHARED_ID_RE = /^[A-Za-z0-9]{1,64}$/;

/** end.pl with header `JSON: 1`. No `status` field; `size` is a string. */
export interface EndUploadResponse {
  incoming: number;
  links: {
    download: string;
    filename: string;
    size: string;
    whirlpool: string;
    remove: string;
  }[];
}

/**
 * The API host's endpoints (POST + JSON under /v1/, except get_upload_server which also takes GET).
 * Keys are paths relative to the /v1/ base.
 */
export interface Endpoints {
  'user/info.cgi': { req: UserInfoRequest; res: UserInfoResponse };
  'folder/ls.cgi': { req: FolderLsRequest; res: FolderLsResponse };
  'file/ls.cgi': { req: FileLsRequest; res: FileLsResponse };
  'file/info.cgi': { req: FileInfoRequest; res: FileInfoResponse };
  'folder/mkdir.cgi': { req: FolderMkdirRequest; res: FolderMkdirResponse };
  'folder/rm.cgi': { req: FolderRmRequest; res: FolderRmResponse };
  'folder/mv.cgi': { req: FolderMvRequest; res: FolderMvResponse };
  'file/mv.cgi': { req: FileMvRequest; res: FileMvResponse };
  'file/rename.cgi': { req: FileRenameRequest; res: FileRenameResponse };
  'file/cp.cgi': { req: FileCpRequest; res: FileCpResponse };
  'file/rm.cgi': { req: FileRmRequest; res: FileRmResponse };
  'file/chattr.cgi': { req: FileChattrRequest; res: FileChattrResponse };
  'folder/share.cgi': { req: FolderShareRequest; res: FolderShareResponse };
  'download/get_token.cgi': { req: GetTokenRequest; res: GetTokenResponse };
  'upload/get_upload_server.cgi': { req: GetUploadServerRequest; res: GetUploadServerResponse };
  'remote/request.cgi': { req: RemoteRequestRequest; res: RemoteRequestResponse };
  'remote/ls.cgi': { req: RemoteLsRequest; res: RemoteLsResponse };
  'remote/info.cgi': { req: RemoteInfoRequest; res: RemoteInfoResponse };
}

export type EndpointPath = keyof Endpoints;
export type ReqOf<P extends EndpointPath> = Endpoints[P]['req'];
export type ResOf<P extends EndpointPath> = Endpoints[P]['res'];

/** Every endpoint path, for routing tables and exhaustiveness checks. */
export const ENDPOINT_PATHS = [
  'user/info.cgi',
  'folder/ls.cgi',
  'file/ls.cgi',
  'file/info.cgi',
  'folder/mkdir.cgi',
  'folder/rm.cgi',
  'folder/mv.cgi',
  'file/mv.cgi',
  'file/rename.cgi',
  'file/cp.cgi',
  'file/rm.cgi',
  'file/chattr.cgi',
  'folder/share.cgi',
  'download/get_token.cgi',
  'upload/get_upload_server.cgi',
  'remote/request.cgi',
  'remote/ls.cgi',
  'remote/info.cgi',
] as const satisfies readonly EndpointPath[];

/** Compile-time check that ENDPOINT_PATHS lists every key of Endpoints. */
type MissingPaths = Exclude<EndpointPath, (typeof ENDPOINT_PATHS)[number]>;
export const ENDPOINT_PATHS_COMPLETE: MissingPaths extends never ? true : MissingPaths = true;

/** The real service's hosts; the emulator answers as these in proxy mode. */
export const REAL_API_BASE = 'https://api.1fichier.com/v1';
export const FICHIER_DOMAIN = '1fichier.com';

/** Upload node paths (host from get_upload_server). */
export const UPLOAD_PATH = '/upload.cgi';
export const END_UPLOAD_PATH = '/end.pl';

/** File URL form: https://1fichier.com/?<id>, id 5-20 of [a-z0-9]. */
export const FILE_URL_RE = /^https?:\/\/(?:[a-z0-9-]+\.)*[a-z0-9-]+\.[a-z]+\/\?([a-z0-9]{5,20})$/;

/**
 * The one wire-date mapper, shared by the client and the emulator: a Date as the API's Paris wall-clock
 * "YYYY-MM-DD HH:MM:SS" (milliseconds dropped).
 */
export function formatWireDate(d: Date): WireDate {
  return formatParis(d.getTime());
}

/**
 * Parse the API's "YYYY-MM-DD HH:MM:SS" as Europe/Paris time; undefined when malformed. A time in the
 * repeated autumn hour is read as its first (CEST) occurrence, one in the skipped spring hour as one hour
 * later (see util/paris-time.ts).
 */
export function parseWireDate(s: string): Date | undefined {
  const t = parseParis(s);
  return t === undefined ? undefined : new Date(t);
}
