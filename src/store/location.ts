/**
 * Where an account's metadata store lives: one directory per (API base, API key) pair under the cache dir,
 * named by a hash so the key never appears in a path.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { defaultCacheDir } from '../util/dirs.ts';

/**
 * `<cacheDir>/<first 16 hex of sha256(apiBase + '\n' + apiKey)>/meta.sqlite`. Trailing slashes of `apiBase`
 * are ignored, so 'https://api.1fichier.com/' and 'https://api.1fichier.com' share one store.
 */
export function storePathFor(opts: { cacheDir?: string; apiBase: string; apiKey: string }): string {
  const base = opts.apiBase.replace(/\/+$/, '');
  const account = createHash('sha256').update(`${base}\n${opts.apiKey}`).digest('hex').slice(0, 16);
  return join(opts.cacheDir ?? defaultCacheDir(), account, 'meta.sqlite');
}
