/**
 * Local-only files: what 1fichier cannot hold lives in the metadata store (MetaStore.putLocal): OS junk
 * names (JUNK_PATTERNS, configurable, `*` and `?` wildcards, whole-name match, case-sensitive) and any
 * 0-byte file. They get a synthetic id "local:<uuid>" that is stable across renames, so their dead
 * properties (keyed by id) follow them.
 */
import { createHash, randomUUID } from 'node:crypto';

/** A predicate telling whether a file name is OS junk kept local. */
export type JunkMatcher = (name: string) => boolean;

function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (const ch of pattern) {
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

/** Compile glob-like patterns (`*` any run, `?` one character) into one matcher. */
export function compileJunkMatcher(patterns: readonly string[]): JunkMatcher {
  const res = patterns.map(globToRegExp);
  return (name) => res.some((re) => re.test(name));
}

/** A new synthetic id for a local-only file. */
export function newLocalId(): string {
  return `local:${randomUUID()}`;
}

/** MD5 and SHA-1 of a local file's content (small: computed on demand, never stored). */
export function contentHashes(content: Buffer): { md5: string; sha1: string } {
  return {
    md5: createHash('md5').update(content).digest('hex'),
    sha1: createHash('sha1').update(content).digest('hex'),
  };
}
