/**
 * The one mapper for user/info answers: 1fichier (or an emulator) may send the string-typed fields as
 * numbers and the number-typed fields as strings (both were seen). The result always has the
 * types declared in UserInfoResponse.
 */
import type { UserInfoResponse } from './types.ts';

type StringKey = { [K in keyof UserInfoResponse]: UserInfoResponse[K] extends string ? K : never }[keyof UserInfoResponse];
type NumberKey = { [K in keyof UserInfoResponse]: UserInfoResponse[K] extends number ? K : never }[keyof UserInfoResponse];

const STRING_FIELDS = [
  'email', 'offer', 'subscription_end', 'cdn', 'use_cdn', '2fa', 'mail_rm', 'upload_forbidden', 'stats_date',
  'download_menu', 'default_port', 'default_port_files', 'ftp_mode', 'ftp_report', 'ru_report',
] as const satisfies readonly Exclude<StringKey, 'status'>[];

const NUMBER_FIELDS = [
  'page_limit', 'default_domain', 'ftp_did', 'cold_storage', 'hot_storage', 'available_cold_storage',
  'allowed_cold_storage', 'default_cold_storage_quota', 'available_storage', 'default_quota', 'overquota',
] as const satisfies readonly NumberKey[];

/** Returns `raw` with every known field coerced: strings to strings ('' when absent), numbers to numbers (0 when absent or not numeric). */
export function normalizeUserInfo(raw: unknown): UserInfoResponse {
  const src = (raw ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = { ...src, status: 'OK' };
  for (const k of STRING_FIELDS) {
    const v = src[k];
    out[k] = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
  }
  for (const k of NUMBER_FIELDS) {
    const v = src[k];
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
    out[k] = Number.isFinite(n) ? n : 0;
  }
  return out as unknown as UserInfoResponse;
}

const OFFERS: Readonly<Record<string, string>> = { '0': 'Free', '1': 'Premium', '2': 'Access', '3': 'Premium GOLD' };

/** The account type user/info's `offer` code stands for ("0" free, "1" Premium, "2" Access, "3" Premium GOLD); an unknown code as itself. */
export function offerName(offer: string): string {
  return OFFERS[offer] ?? (offer === '' ? 'unknown' : `offer ${offer}`);
}
