import type { ReqOf, ResOf } from '../api/types.ts';
import type { CallCtx } from './api.ts';
import { randomId, wireDate } from './catalog.ts';

/** user/info.cgi and upload/get_upload_server.cgi. */

const YEAR_MS = 365 * 24 * 3600 * 1000;
/** Upload sessions older than this are forgotten (with their end.pl links). */
const UPLOAD_SESSION_TTL_MS = 24 * 3600 * 1000;

/** Account info; the string-typed fields are strings (rclone's decoder requires it). */
export function userInfo(_body: ReqOf<'user/info.cgi'>, { core }: CallCtx): ResOf<'user/info.cgi'> {
  const now = core.clock.now();
  const used = core.state.usedBytes();
  const quota = core.config.quotaBytes;
  return {
    status: 'OK',
    email: core.email,
    offer: '1',
    subscription_end: wireDate(now + YEAR_MS),
    cdn: '0',
    use_cdn: '0',
    '2fa': '0',
    mail_rm: '0',
    upload_forbidden: '0',
    stats_date: wireDate(now),
    download_menu: '0',
    default_port: '0',
    default_port_files: '0',
    ftp_mode: '0',
    ftp_report: '0',
    ru_report: '0',
    page_limit: 50,
    default_domain: 0,
    ftp_did: 0,
    cold_storage: used,
    hot_storage: 0,
    available_cold_storage: quota,
    allowed_cold_storage: quota,
    default_cold_storage_quota: quota,
    available_storage: Math.max(0, quota - used),
    default_quota: quota,
    overquota: used > quota ? 1 : 0,
  };
}

/** A new upload session on a real-looking node: `{url: "up-N.1fichier.com", id: <10 alnum>}` (no status). */
export function getUploadServer(_body: ReqOf<'upload/get_upload_server.cgi'>, { core }: CallCtx): ResOf<'upload/get_upload_server.cgi'> {
  const now = core.clock.now();
  core.state.pruneUploadSessions(now - UPLOAD_SESSION_TTL_MS);
  const id = randomId(10);
  core.state.createUploadSession(id, now);
  return { url: `up-${1 + Math.floor(Math.random() * 9)}.1fichier.com`, id };
}
