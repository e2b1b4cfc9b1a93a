/** Public API of the 1fichier wire layer. */
export { FichierClient, type FichierClientOptions, type CallOptions } from './client.ts';
export {
  FichierApiError,
  type FichierErrorKind,
  decodeOutcome,
  classifyFailure,
  parseFichierCode,
  parseRetryAfter,
  isFloodBan,
} from './errors.ts';
export { createPacer, sharedPacer, type Pacer, type PacerOptions, type PacerStats, type RunOptions } from './pacer.ts';
export { mapHost, isRealApi, uploadNodeUrl } from './hosts.ts';
export { MAX_UPLOAD_BYTES, multipartFraming, type UploadOptions, type UploadedFile } from './upload.ts';
export { parseContentRange, rangeHeader, type DownloadOptions, type DownloadResult } from './download.ts';
export { normalizeUserInfo, offerName } from './userinfo.ts';
export { listSharedFolder, type SharedFolderOptions } from './shared-folder.ts';
export { outcomeOf, type ApiObserver, type ApiOutcome } from './observer.ts';
export * from './types.ts';
