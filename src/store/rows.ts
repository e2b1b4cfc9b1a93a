/**
 * Row <-> domain mapping for the entries table, and exact path-prefix queries.
 *
 * A prefix P selects P itself and every path below it, never a sibling that merely starts with the same
 * characters ('a' selects 'a' and 'a/b', not 'ab' or 'a.b'). Below-P is the half-open range ['P/', 'P0'):
 * '0' is the byte after '/', and SQLite compares TEXT bytewise (BINARY collation on UTF-8), so the range
 * holds exactly the strings that start with 'P/', with no LIKE wildcards to escape and an index range scan.
 * The empty prefix (the root) selects everything.
 */
import type Database from 'better-sqlite3';
import type { RemoteEntry } from '../remote/types.ts';

export interface EntryRow {
  path: string;
  name: string;
  kind: string;
  size: number;
  mod_time: number;
  id: string;
  mime: string | null;
  whirlpool: string | null;
  md5: string | null;
  sha1: string | null;
}

/** Column values of `e` in the order of ENTRY_COLUMNS. */
export function entryValues(e: RemoteEntry): (string | number | null)[] {
  return [
    e.path,
    e.name,
    e.kind,
    e.size,
    e.modTime,
    e.id,
    e.mimeType ?? null,
    e.hashes.whirlpool ?? null,
    e.hashes.md5 ?? null,
    e.hashes.sha1 ?? null,
  ];
}

export const ENTRY_COLUMNS = 'path, name, kind, size, mod_time, id, mime, whirlpool, md5, sha1';

export function rowToEntry(r: EntryRow): RemoteEntry {
  const hashes: RemoteEntry['hashes'] = {};
  if (r.whirlpool !== null) hashes.whirlpool = r.whirlpool;
  if (r.md5 !== null) hashes.md5 = r.md5;
  if (r.sha1 !== null) hashes.sha1 = r.sha1;
  const e: RemoteEntry = { path: r.path, name: r.name, kind: r.kind === 'dir' ? 'dir' : 'file', size: r.size, modTime: r.mod_time, id: r.id, hashes };
  if (r.mime !== null) e.mimeType = r.mime;
  return e;
}

/**
 * One SQL statement over "`col` at or below a prefix", prepared twice: for the root (no condition) and for
 * a non-empty prefix. `sql` contains the placeholder `{tree}` where the condition goes.
 */
export class TreeQuery<R = unknown> {
  private readonly everything: Database.Statement<[], R>;
  private readonly below: Database.Statement<[string, string, string], R>;

  constructor(db: Database.Database, sql: string, col: string) {
    this.everything = db.prepare<[], R>(sql.replace('{tree}', '1'));
    this.below = db.prepare<[string, string, string], R>(sql.replace('{tree}', `(${col} = ? OR (${col} >= ? AND ${col} < ?))`));
  }

  /** Rows of a SELECT for `prefix`. */
  all(prefix: string): R[] {
    return prefix === '' ? this.everything.all() : this.below.all(...belowRange(prefix));
  }

  /** Run a DELETE/UPDATE for `prefix`; returns the number of rows changed. */
  run(prefix: string): number {
    return (prefix === '' ? this.everything.run() : this.below.run(...belowRange(prefix))).changes;
  }
}

/**
 * A prefix and its below-range: the parameters of TreeQuery's condition, and of `(? = '' OR (col >= ? AND col < ?))`
 * (the rows strictly below folder `prefix`, every row for the root) in a statement with other parameters.
 */
export function belowRange(prefix: string): [string, string, string] {
  return [prefix, `${prefix}/`, `${prefix}0`];
}
