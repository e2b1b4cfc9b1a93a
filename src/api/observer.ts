/**
 * The hook through which the wire layer reports what it does, for metrics (src/observe/). The client calls it
 * once per HTTP attempt (retries included) and as transfer bytes flow; it never passes a URL, a header, a
 * file name or the API key, only an endpoint name and counts.
 */
import type { FichierErrorKind } from './errors.ts';
import { FichierApiError } from './errors.ts';

/** 'ok', the FichierApiError kind of a failed attempt, 'aborted' (caller's signal) or 'error' (anything else). */
export type ApiOutcome = 'ok' | FichierErrorKind | 'aborted' | 'error';

export interface ApiObserver {
  /**
   * One attempt ended. `endpoint` is an API path of ENDPOINT_PATHS or 'upload.cgi', 'end.pl', 'download';
   * `ms` is its duration (for 'download': until the answer's headers; for 'upload.cgi': the whole POST).
   * Returns nothing; must not throw (a throw is caught and ignored).
   */
  apiCall(endpoint: string, outcome: ApiOutcome, ms: number): void;
  /**
   * `bytes` of file content left for 1fichier ('up', upload.cgi body) or arrived from it ('down', download
   * bodies), reported chunk by chunk as they flow. Must not throw (a throw is caught and ignored).
   */
  transfer?(direction: 'up' | 'down', bytes: number): void;
}

/** The outcome label of an attempt's error (`signal` = the caller's, to tell an abort apart). */
export function outcomeOf(err: unknown, signal?: AbortSignal): ApiOutcome {
  if (signal?.aborted) return 'aborted';
  return err instanceof FichierApiError ? err.kind : 'error';
}

/**
 * Runs one attempt `fn` of `endpoint` and reports its outcome and duration to `observer` (when given).
 * Returns or throws exactly what `fn` does.
 */
export async function observeAttempt<T>(
  observer: ApiObserver | undefined,
  endpoint: string,
  signal: AbortSignal | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  if (!observer) return fn();
  const started = performance.now();
  let outcome: ApiOutcome = 'ok';
  try {
    return await fn();
  } catch (err) {
    outcome = outcomeOf(err, signal);
    throw err;
  } finally {
    safely(() => observer.apiCall(endpoint, outcome, performance.now() - started));
  }
}

/** Reports transfer bytes to `observer` when it listens for them. Never throws. */
export function reportTransfer(observer: ApiObserver | undefined, direction: 'up' | 'down', bytes: number): void {
  if (observer?.transfer && bytes > 0) safely(() => observer.transfer?.(direction, bytes));
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // An observer is a metrics sink: its failure must never fail an API call.
  }
}
