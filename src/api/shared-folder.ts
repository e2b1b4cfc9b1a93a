/**
 * A public shared folder, read as rclone's fichier backend reads it (its `shared_folder` / `folder_password`
 * options): the website page `https://1fichier.com/dir/<id>?json=1`, or, for a protected folder, a POST of the
 * form `json=1&pass=<password>` to the same URL without the query. The answer is a JSON array of
 * `{filename, link, size}`: files only (flat), no checksum. A file is then downloaded like any other, with
 * get_token on its `link` (FichierClient.getToken, with the file's own password if it has one) and the account's
 * API key, so reading someone else's shared folder needs a premium key as rclone's does.
 *
 * The page is not an API call, but it goes through the same pacer and retry rules (1fichier's flood protection
 * covers the website too) and is counted by the observer as endpoint "dir".
 */
import type { Clock } from '../util/clock.ts';
import { decodeOutcome, FichierApiError, localError } from './errors.ts';
import { mapHost } from './hosts.ts';
import type { HttpTransport } from './http.ts';
import type { Pacer } from './pacer.ts';
import { FICHIER_DOMAIN, SHARED_DIR_PATH, SHARED_ID_RE, type SharedFolderEntry } from './types.ts';

const ENDPOINT = 'dir';

/** The password form 1fichier answers (as a web page) when a protected folder is asked without its password. */
const PASSWORD_FORM = /<input[^>]*type=["']?password/i;

export interface SharedFolderContext {
  http: HttpTransport;
  pacer: Pacer;
  clock: Clock;
  baseUrl: string;
}

export interface SharedFolderOptions {
  /** The folder's password (in clear; rclone.conf's obscured `folder_password` must be revealed first). */
  pass?: string;
  signal?: AbortSignal;
}

/** The entries of a page's JSON array, checked; throws 'protocol' when the shape is not the expected one. */
function entriesOf(value: unknown): SharedFolderEntry[] {
  if (!Array.isArray(value)) throw localError(ENDPOINT, 'protocol', 'expected a JSON array of files');
  return value.map((e: unknown) => {
    const o = e as Partial<SharedFolderEntry> | null;
    if (o === null || typeof o !== 'object' || typeof o.filename !== 'string' || typeof o.link !== 'string' || typeof o.size !== 'number') {
      throw localError(ENDPOINT, 'protocol', 'a shared folder entry without filename, link and size');
    }
    return { filename: o.filename, link: o.link, size: o.size };
  });
}

/**
 * Lists the shared folder `id` (alphanumeric, e.g. "CiLKCBI7"; not an API folder id), with its password when it
 * has one. Throws FichierApiError: 'not-found' for an id that is not alphanumeric or that 1fichier does not know
 * (or no longer shares); 'forbidden' when the folder needs a password and none or a wrong one was given;
 * 'protocol' for an answer that is not the expected array; otherwise as any call ('flood', 'server', 'transport'
 * after the pacer's retries).
 */
export function listSharedFolder(ctx: SharedFolderContext, id: string, opts: SharedFolderOptions = {}): Promise<SharedFolderEntry[]> {
  if (!SHARED_ID_RE.test(id)) return Promise.reject(localError(ENDPOINT, 'not-found', `"${id}" is not a shared folder id (letters and digits)`));
  const page = mapHost(`https://${FICHIER_DOMAIN}${SHARED_DIR_PATH}${id}`, ctx.baseUrl);
  const post = opts.pass !== undefined;
  const request = {
    endpoint: ENDPOINT,
    url: post ? page : `${page}?json=1`,
    method: post ? ('POST' as const) : ('GET' as const),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    ...(post ? { body: new URLSearchParams({ json: '1', pass: opts.pass ?? '' }).toString() } : {}),
    signal: opts.signal,
  };
  return ctx.pacer.run(
    () =>
      ctx.http.attempt(ENDPOINT, opts.signal, async () => {
        const res = await ctx.http.exchange(request);
        const ok = res.status >= 200 && res.status < 300;
        if (ok && res.text.trimStart().startsWith('[')) {
          let parsed: unknown;
          try {
            parsed = JSON.parse(res.text);
          } catch {
            throw localError(ENDPOINT, 'protocol', 'the shared folder page is not valid JSON', { httpStatus: res.status });
          }
          return entriesOf(parsed);
        }
        if (ok && PASSWORD_FORM.test(res.text)) {
          throw new FichierApiError({
            endpoint: ENDPOINT,
            kind: 'forbidden',
            retryable: false,
            httpStatus: res.status,
            advice: post ? 'wrong password for this shared folder' : 'this shared folder is protected by a password (rclone option folder_password)',
          });
        }
        if (res.status === 404) throw localError(ENDPOINT, 'not-found', `no shared folder "${id}" (unknown, or no longer shared)`, { httpStatus: 404 });
        // Anything else: the common classification (flood pages, 5xx, KO bodies); a JSON object that is not an
        // error is still not the expected array ('protocol').
        return entriesOf(decodeOutcome({ endpoint: ENDPOINT, ...res, nowMs: ctx.clock.now() }));
      }),
    { signal: opts.signal, label: ENDPOINT },
  );
}
