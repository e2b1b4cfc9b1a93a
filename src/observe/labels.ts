/**
 * The fixed label values of the metrics. A label never holds a path, a user name, a URL or anything a client
 * sent: every value passes through one of these functions, which map anything outside a fixed set to 'other'.
 */
import type { ApiOutcome } from '../api/observer.ts';
import { ENDPOINT_PATHS } from '../api/types.ts';

/** API endpoints plus the upload node and download steps. */
export const ENDPOINT_LABELS: readonly string[] = [...ENDPOINT_PATHS, 'upload.cgi', 'end.pl', 'download'];

export const OUTCOME_LABELS = [
  'ok',
  'auth',
  'flood',
  'not-found',
  'forbidden',
  'refused',
  'server',
  'transport',
  'protocol',
  'premium',
  'upload',
  'range',
  'aborted',
  'error',
] as const satisfies readonly ApiOutcome[];

/** Compile-time check that OUTCOME_LABELS lists every ApiOutcome. */
type MissingOutcomes = Exclude<ApiOutcome, (typeof OUTCOME_LABELS)[number]>;
export const OUTCOME_LABELS_COMPLETE: MissingOutcomes extends never ? true : MissingOutcomes = true;

/** The methods the WebDAV server knows, plus the few others clients send. */
export const METHOD_LABELS: readonly string[] = [
  'OPTIONS',
  'GET',
  'HEAD',
  'PUT',
  'DELETE',
  'MKCOL',
  'PROPFIND',
  'PROPPATCH',
  'COPY',
  'MOVE',
  'LOCK',
  'UNLOCK',
  'POST',
  'PATCH',
];

const endpoints = new Set(ENDPOINT_LABELS);
const outcomes = new Set<string>(OUTCOME_LABELS);
const methods = new Set(METHOD_LABELS);

/** `endpoint` when it is a known endpoint, else 'other'. */
export function endpointLabel(endpoint: string): string {
  return endpoints.has(endpoint) ? endpoint : 'other';
}

/** `outcome` when it is a known outcome, else 'error'. */
export function outcomeLabel(outcome: string): string {
  return outcomes.has(outcome) ? outcome : 'error';
}

/** The upper-case method when known, else 'OTHER'. */
export function methodLabel(method: string): string {
  const m = method.toUpperCase();
  return methods.has(m) ? m : 'OTHER';
}

/** '1xx' ... '5xx' for a valid HTTP status, else 'other'. */
export function statusClassLabel(status: number): string {
  return Number.isInteger(status) && status >= 100 && status <= 599 ? `${Math.floor(status / 100)}xx` : 'other';
}
