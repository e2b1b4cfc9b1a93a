/**
 * What a failed request means for the person using the page: one sentence per status, with the server's own
 * reason appended when it says more; and the error type requests fail with. Pure: no DOM.
 */

const BY_STATUS: Readonly<Record<number, string>> = {
  400: 'The request was refused as malformed',
  401: 'You are not signed in (or the password was refused)',
  403: 'Not allowed',
  404: 'It does not exist any more (reload the folder)',
  405: 'Not possible here',
  409: 'The folder it goes into does not exist any more',
  412: 'Something with that name already exists',
  413: 'Too large for the server',
  415: 'The server refused the request format',
  423: 'It is locked by another client',
  429: 'Too many attempts; wait a moment',
  500: 'The gateway failed (see its log)',
  501: 'The account cannot do this',
  502: '1fichier answered with an error',
  503: '1fichier is busy or rate-limiting; try again shortly',
  507: 'Not enough space left on the account',
};

/** The server's reason from an error body: JSON `{error: {message}}`, or a `NNN reason` text line; '' if none. */
export function reasonOf(body: string): string {
  const text = body.trim();
  if (text === '') return '';
  if (text.startsWith('{')) {
    try {
      const v = JSON.parse(text) as { error?: { message?: unknown } };
      if (typeof v.error?.message === 'string') return v.error.message;
    } catch {
      return '';
    }
  }
  // An RFC 4918 <D:error> body names a precondition; the only one a person can act on is a lock.
  if (text.startsWith('<')) return /lock/i.test(text) ? 'locked' : '';
  return text.replace(/^\d{3}\s+/, '').split('\n')[0]!.slice(0, 300);
}

/** Reasons that only restate the status (the server's bare error codes): not worth showing. */
const UNINFORMATIVE = /^(E[A-Z]+|insufficient storage|precondition failed|locked)$/i;

/** "Could not <action>: <meaning> (<reason>)." for a failed request with `status` and response `body`. */
export function failureMessage(action: string, status: number, body = ''): string {
  if (status === 0) return `Could not ${action}: the connection to the gateway failed.`;
  const meaning = BY_STATUS[status] ?? `HTTP ${status}`;
  const reason = reasonOf(body);
  const extra = reason !== '' && !UNINFORMATIVE.test(reason) ? ` (${reason})` : '';
  return `Could not ${action}: ${meaning}${extra}.`;
}

/** A request the server refused: its status and body (for the message shown). Status 0: no answer at all. */
export class RequestFailed extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`HTTP ${status}`);
    this.name = 'RequestFailed';
  }
}

/** The message for any failure of `action`: a refused request as failureMessage says, anything else as itself. */
export function describeFailure(action: string, err: unknown): string {
  if (err instanceof RequestFailed) return failureMessage(action, err.status, err.body);
  return `Could not ${action}: ${err instanceof Error ? err.message : String(err)}.`;
}
