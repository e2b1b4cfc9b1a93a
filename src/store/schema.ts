/**
 * The MetaStore schema and its migrations. `PRAGMA user_version` holds the number of migrations applied;
 * opening a database applies the missing ones in one transaction, so a future change appends a step here
 * and existing caches upgrade in place. A database written by a newer version (more steps than we know)
 * is refused rather than guessed at.
 */
import type Database from 'better-sqlite3';

/** Step N (0-based) upgrades a database from user_version N to N+1. Never edit a released step. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE listings (
    dir        TEXT PRIMARY KEY,
    fetched_at INTEGER NOT NULL
  );
  CREATE TABLE entries (
    dir       TEXT NOT NULL REFERENCES listings(dir) ON DELETE CASCADE,
    ord       INTEGER NOT NULL,
    path      TEXT NOT NULL,
    name      TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('file', 'dir')),
    size      INTEGER NOT NULL,
    mod_time  INTEGER NOT NULL,
    id        TEXT NOT NULL,
    mime      TEXT,
    whirlpool TEXT,
    md5       TEXT,
    sha1      TEXT,
    PRIMARY KEY (dir, ord)
  ) WITHOUT ROWID;
  CREATE INDEX entries_dir_id ON entries (dir, id);
  CREATE INDEX entries_path ON entries (path);
  CREATE TABLE dir_ids (
    path TEXT PRIMARY KEY,
    id   TEXT NOT NULL
  );
  CREATE TABLE meta (
    id       TEXT PRIMARY KEY,
    mod_time INTEGER,
    md5      TEXT,
    sha1     TEXT
  );
  CREATE TABLE props (
    id    TEXT NOT NULL,
    ns    TEXT NOT NULL,
    name  TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (id, ns, name)
  ) WITHOUT ROWID;
  CREATE TABLE local (
    path     TEXT PRIMARY KEY,
    id       TEXT NOT NULL,
    content  BLOB NOT NULL,
    mod_time INTEGER NOT NULL,
    dir      TEXT NOT NULL
  );
  CREATE INDEX local_dir ON local (dir);
  `,
  // A listing that could not be completed (more entries than the service's answers can be paged into), and
  // small named records that must outlive a restart (the ban and listing budget of the API key, the last quota).
  `
  ALTER TABLE listings ADD COLUMN partial INTEGER NOT NULL DEFAULT 0;
  CREATE TABLE state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Bring `db` to SCHEMA_VERSION. Returns the version found before. Throws Error when the database was
 * written by a newer fichier-dav (user_version > SCHEMA_VERSION); SQLite errors (e.g. SQLITE_NOTADB) pass through.
 */
export function migrate(db: Database.Database): number {
  const found = db.pragma('user_version', { simple: true });
  const from = typeof found === 'number' ? found : 0;
  if (from > SCHEMA_VERSION) {
    throw new Error(`metadata store schema version ${from} is newer than this program's (${SCHEMA_VERSION})`);
  }
  if (from === SCHEMA_VERSION) return from;
  db.transaction(() => {
    for (const step of MIGRATIONS.slice(from)) db.exec(step);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
  return from;
}
