/**
 * What the web UI's endpoints need from the rest of the program, as one narrow interface. The endpoints
 * (api.ts) know nothing of the VFS, the store or 1fichier's API; adapter.ts implements this over what the
 * gateway has (the metadata store, the VFS, the account operations), and is the only file to change when
 * those move.
 */
import type { LinkEvent } from '../../account/index.ts';
import type { JobJson, JobListJson, ListJson, SearchHitJson } from '../shared/api.ts';

/** One step of a links request, as the account operations report it (a `failed` event carries the FsError). */
export type BackendLinkEvent = LinkEvent;

export interface BackendAbout {
  quota: { total?: number; used?: number; free?: number };
  plan?: string;
  emulator: boolean;
}

export interface WebUiBackend {
  /** The entries of folder `path` (what a PROPFIND Depth 1 shows). Throws FsError ENOENT, ENOTDIR, EAGAIN/EIO. */
  list(path: string, signal: AbortSignal): Promise<ListJson['entries']>;
  /** Quota and plan (cached by the VFS; unknown fields left out when the account cannot be asked), and whether this is the emulator. Never rejects but with the signal's reason. */
  about(signal: AbortSignal): Promise<BackendAbout>;
  /**
   * Entries whose name contains `text`, from the metadata the gateway holds (no API call), ordered by path, at
   * most `limit`; with how much of the tree was never listed (and so not searched).
   */
  search(text: string, limit: number): { hits: SearchHitJson[]; coverage: { rootListed: boolean; unlistedDirs: number } };
  /**
   * Direct download links for the files `paths` name, folders walked recursively, through the paced link
   * machinery; each result reported to `on` in order. Resolves with the counts; rejects with the signal's reason.
   */
  links(paths: readonly string[], on: (e: BackendLinkEvent) => void, signal: AbortSignal): Promise<{ files: number; linked: number; failed: number }>;
  /** Re-lists folder `path` from the account now (one listing call), so changes made elsewhere show. Throws FsError ENOENT/ENOTDIR/EAGAIN... */
  refresh(path: string, signal: AbortSignal): Promise<void>;
  /** Queues a remote upload of `urls` into folder `folder`; resolves with the job id. Throws FsError EINVAL/ENOENT/ENOTDIR/ENOTSUP, EACCES/EAGAIN/EIO. */
  remoteUpload(urls: readonly string[], folder: string, signal: AbortSignal): Promise<number>;
  /** The account's remote upload jobs. Throws FsError ENOTSUP, EACCES/EAGAIN/EIO. */
  jobs(signal: AbortSignal): Promise<JobListJson['jobs']>;
  /** One job; once it is done, the folder it fetched into is re-listed (when this gateway started it). Throws FsError ENOENT (unknown id), ENOTSUP, EACCES/EAGAIN/EIO. */
  job(id: number, signal: AbortSignal): Promise<JobJson>;
}
