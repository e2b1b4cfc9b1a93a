/**
 * The contract between the web UI's page (client/) and its endpoints (server/): the reserved URLs and the JSON
 * shapes. Types and constants only, so both sides import it (the client through the browser bundle).
 *
 * Reserved URLs: everything the web UI serves besides its page lives on the base URL's root collection with a
 * query marker: `<base>/?asset=NAME` (scripts, styles, icon) and `<base>/?api=NAME` (JSON). WebDAV ignores
 * query strings and no file path can contain a `?` (it would be percent-encoded in a URL), so these URLs can
 * never name or hide a file or folder of the account, whatever the account holds.
 */

/** Every API request carries this header with value '1'; the server refuses API requests without it. */
export const API_HEADER = 'X-Fichier-Dav';

/** Query parameter of the asset URLs. */
export const ASSET_PARAM = 'asset';
/** Query parameter of the API URLs. */
export const API_PARAM = 'api';

/** The most search hits one answer carries. */
export const SEARCH_LIMIT = 500;
/** The most paths one links request may name. */
export const LINKS_MAX_PATHS = 10_000;
/** The most URLs one remote upload may fetch. */
export const REMOTE_MAX_URLS = 100;

/** Every error answer of the API, with a 4xx/5xx status. */
export interface ErrorJson {
  error: { code: string; message: string };
}

/** GET ?api=about */
export interface AboutJson {
  /** The authenticated user, null when the server is anonymous. */
  user: string | null;
  readOnly: boolean;
  /** True when the gateway serves its embedded 1fichier emulator, not a real account. */
  emulator: boolean;
  /** Bytes; null when unknown (the account could not be asked yet). */
  quota: { total: number | null; used: number | null; free: number | null };
  /** The account type ("Premium", "Access"...), null when unknown. */
  plan: string | null;
  version: string;
}

/** GET ?api=list&path=PATH: the folder's entries, as WebDAV's PROPFIND would list them, in a compact form. */
export interface ListJson {
  path: string;
  entries: { name: string; kind: 'file' | 'dir'; size: number; modTime: number }[];
}

/** One hit of GET ?api=search&q=TEXT */
export interface SearchHitJson {
  path: string;
  name: string;
  kind: 'file' | 'dir';
  size: number;
  /** ms since the epoch. */
  modTime: number;
}

export interface SearchJson {
  query: string;
  hits: SearchHitJson[];
  /** More entries matched than `hits` holds. */
  truncated: boolean;
  /** Search covers only folders the gateway has listed; these say how much was never listed. */
  coverage: { rootListed: boolean; unlistedDirs: number };
}

/** POST ?api=links with this body; the answer is NDJSON, one LinkEventJson per line. */
export interface LinksRequestJson {
  /** Files and folders (folders are linked recursively), as account paths ('' = root). */
  paths: string[];
}

export type LinkEventJson =
  | { type: 'files'; count: number }
  | { type: 'link'; path: string; url: string }
  | { type: 'skipped'; path: string; reason: string }
  | { type: 'failed'; path: string; code: string; message: string }
  /** The last line of a complete answer. */
  | { type: 'end'; files: number; linked: number; failed: number }
  /** The last line when the work stopped on an unexpected failure. */
  | { type: 'error'; code: string; message: string };

/** POST ?api=refresh with this body; the answer is `{}` once the folder was listed again. */
export interface RefreshRequestJson {
  path: string;
}

/** POST ?api=remote-upload with this body; the answer is RemoteUploadJson. */
export interface RemoteUploadRequestJson {
  urls: string[];
  /** Destination folder, an account path ('' = root). */
  folder: string;
}

export interface RemoteUploadJson {
  id: number;
}

/** GET ?api=jobs */
export interface JobListJson {
  jobs: { id: number; requested: string; executed: string | null }[];
}

/** GET ?api=job&id=N */
export interface JobJson {
  id: number;
  /** 1fichier's dates, `YYYY-MM-DD HH:MM:SS`. */
  requested: string;
  executed: string | null;
  done: boolean;
  results: { url: string; status: 'OK' | 'KO' | 'pending'; link: string | null; message: string | null }[];
}
