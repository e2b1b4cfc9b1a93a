import Database from 'better-sqlite3';

/**
 * The emulator's metadata in SQLite (better-sqlite3, synchronous): folders, files, download tokens,
 * upload sessions and links, remote-upload jobs. ':memory:' without a data dir, a WAL database on disk
 * otherwise. Every method is synchronous, so a handler's read-check-write sequence cannot interleave with
 * another request (Node runs one JavaScript turn at a time).
 */

export const ROOT_ID = 0;
/** First id handed to a new folder (real ids are large integers). */
const FIRST_FOLDER_ID = 100_000;
const FIRST_JOB_ID = 1_000;

export interface FolderRow {
  id: number;
  parent_id: number | null;
  name: string;
  created: number;
  pass: string;
}

export interface FileRow {
  seq: number;
  id: string;
  folder_id: number;
  filename: string;
  size: number;
  date: number;
  checksum: string;
  content_type: string;
  pass: string;
  cdn: number;
  acl: string;
  description: string;
  no_ssl: number;
  inline: number;
  /** Listed from this time on (ms): new files show in listings only after a delay. */
  visible_at: number;
}

export type NewFile = Omit<FileRow, 'seq'>;

export interface TokenRow {
  token: string;
  file_id: string;
  single: number;
  inline: number;
  expires: number;
  used: number;
  /** 1: the download host answers 302 to another host (with a fresh token that serves the bytes). */
  redirect: number;
  no_ssl: number;
}

export interface UploadLinkRow {
  xid: string;
  file_id: string;
  filename: string;
  size: number;
  whirlpool: string;
}

export interface RemoteJobRow {
  id: number;
  requested: number;
  executed: number | null;
  folder_id: number;
}

export interface RemoteResultRow {
  job_id: number;
  idx: number;
  url: string;
  status: 'OK' | 'KO' | 'pending';
  download_link: string;
  message: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS folders (
  id INTEGER PRIMARY KEY, parent_id INTEGER, name TEXT NOT NULL, created INTEGER NOT NULL, pass TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS folders_parent ON folders(parent_id);
CREATE TABLE IF NOT EXISTS files (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, folder_id INTEGER NOT NULL, filename TEXT NOT NULL,
  size INTEGER NOT NULL, date INTEGER NOT NULL, checksum TEXT NOT NULL, content_type TEXT NOT NULL,
  pass TEXT NOT NULL DEFAULT '', cdn INTEGER NOT NULL DEFAULT 0, acl TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '', no_ssl INTEGER NOT NULL DEFAULT 0, inline INTEGER NOT NULL DEFAULT 0,
  visible_at INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS files_folder ON files(folder_id, seq);
CREATE TABLE IF NOT EXISTS ghosts (
  seq INTEGER PRIMARY KEY, id TEXT NOT NULL, folder_id INTEGER NOT NULL, filename TEXT NOT NULL,
  size INTEGER NOT NULL, date INTEGER NOT NULL, checksum TEXT NOT NULL, content_type TEXT NOT NULL,
  pass TEXT NOT NULL, cdn INTEGER NOT NULL, acl TEXT NOT NULL, description TEXT NOT NULL, no_ssl INTEGER NOT NULL,
  inline INTEGER NOT NULL, visible_at INTEGER NOT NULL, gone_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS files_checksum ON files(checksum);
CREATE TABLE IF NOT EXISTS tokens (
  token TEXT PRIMARY KEY, file_id TEXT NOT NULL, single INTEGER NOT NULL, inline INTEGER NOT NULL,
  expires INTEGER NOT NULL, used INTEGER NOT NULL DEFAULT 0, redirect INTEGER NOT NULL DEFAULT 0,
  no_ssl INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS upload_sessions (id TEXT PRIMARY KEY, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS upload_links (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, xid TEXT NOT NULL, file_id TEXT NOT NULL, filename TEXT NOT NULL,
  size INTEGER NOT NULL, whirlpool TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS upload_links_xid ON upload_links(xid, seq);
CREATE TABLE IF NOT EXISTS remote_jobs (
  id INTEGER PRIMARY KEY, requested INTEGER NOT NULL, executed INTEGER, folder_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS remote_results (
  job_id INTEGER NOT NULL, idx INTEGER NOT NULL, url TEXT NOT NULL, status TEXT NOT NULL,
  download_link TEXT NOT NULL DEFAULT '', message TEXT NOT NULL DEFAULT '', PRIMARY KEY (job_id, idx));
`;

/** Columns added after data dirs already existed: added on open when missing. */
const MIGRATIONS: { table: string; column: string; ddl: string }[] = [
  { table: 'files', column: 'visible_at', ddl: 'visible_at INTEGER NOT NULL DEFAULT 0' },
  { table: 'tokens', column: 'redirect', ddl: 'redirect INTEGER NOT NULL DEFAULT 0' },
  { table: 'tokens', column: 'no_ssl', ddl: 'no_ssl INTEGER NOT NULL DEFAULT 0' },
];

const FILE_COLUMNS = 'seq, id, folder_id, filename, size, date, checksum, content_type, pass, cdn, acl, description, no_ssl, inline, visible_at';

/** Filters of a file listing; dates in ms, compared at second precision (the wire's), both bounds inclusive. */
export interface FileFilter {
  sentAfter?: number;
  sentBefore?: number;
}

/** A listing as clients see it at `now`: files already visible plus deleted files still shown. */
export interface ListingQuery {
  filter?: FileFilter;
  now: number;
  /** Max rows; -1 = all. */
  limit?: number;
  /** With a limit: keep the newest or the oldest rows (by date, then upload order). */
  keep?: 'newest' | 'oldest';
}

export class State {
  readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  /** Opens (creating if needed) the database at `file`, or an in-memory one when `file` is undefined. */
  constructor(file: string | undefined, now: number) {
    this.db = new Database(file ?? ':memory:');
    if (file) {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
    }
    this.db.exec(SCHEMA);
    for (const m of MIGRATIONS) {
      const cols = this.sql(`PRAGMA table_info(${m.table})`).all() as { name: string }[];
      if (!cols.some((c) => c.name === m.column)) this.db.exec(`ALTER TABLE ${m.table} ADD COLUMN ${m.ddl}`);
    }
    const hasRoot = this.sql('SELECT 1 FROM folders WHERE id = ?').get(ROOT_ID);
    if (!hasRoot) {
      this.sql('INSERT INTO folders (id, parent_id, name, created) VALUES (?, NULL, ?, ?)').run(ROOT_ID, '', now);
      this.sql('INSERT OR IGNORE INTO counters VALUES (?, ?), (?, ?)').run('folder', FIRST_FOLDER_ID, 'job', FIRST_JOB_ID);
    }
  }

  close(): void {
    this.db.close();
  }

  /** The prepared statement for `sql`, compiled once (preparing costs more than running a small query). */
  private sql(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  /** Runs `fn` in one SQLite transaction and returns its result. */
  tx<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  private next(counter: 'folder' | 'job'): number {
    const row = this.sql('UPDATE counters SET value = value + 1 WHERE name = ? RETURNING value').get(counter) as { value: number };
    return row.value;
  }

  /** True when the account holds no file and no folder besides the root. */
  isEmpty(): boolean {
    return !this.sql('SELECT 1 FROM files LIMIT 1').get() && !this.sql('SELECT 1 FROM folders WHERE id != 0 LIMIT 1').get();
  }

  // ---- folders

  folder(id: number): FolderRow | undefined {
    return this.sql('SELECT * FROM folders WHERE id = ?').get(id) as FolderRow | undefined;
  }

  /** Sub-folders in creation order. */
  subFolders(parent: number, limit = -1): FolderRow[] {
    return this.sql('SELECT * FROM folders WHERE parent_id = ? ORDER BY id LIMIT ?').all(parent, limit) as FolderRow[];
  }

  folderNamed(parent: number, name: string): FolderRow | undefined {
    return this.sql('SELECT * FROM folders WHERE parent_id = ? AND name = ? LIMIT 1').get(parent, name) as FolderRow | undefined;
  }

  createFolder(parent: number, name: string, now: number): FolderRow {
    const id = this.next('folder');
    this.sql('INSERT INTO folders (id, parent_id, name, created) VALUES (?, ?, ?, ?)').run(id, parent, name, now);
    return this.folder(id)!;
  }

  updateFolder(id: number, parent: number, name: string): void {
    this.sql('UPDATE folders SET parent_id = ?, name = ? WHERE id = ?').run(parent, name, id);
  }

  removeFolder(id: number): void {
    this.sql('DELETE FROM folders WHERE id = ?').run(id);
    this.sql('DELETE FROM ghosts WHERE folder_id = ?').run(id);
  }

  /** True when `id` is `ancestor` or lies below it. */
  isWithin(id: number, ancestor: number): boolean {
    for (let cur: number | null = id; cur !== null; ) {
      if (cur === ancestor) return true;
      cur = this.folder(cur)?.parent_id ?? null;
    }
    return false;
  }

  /** The folder path from the root, e.g. "A/B" ("" for the root). */
  folderPath(id: number): string {
    const parts: string[] = [];
    for (let f = this.folder(id); f && f.parent_id !== null; f = this.folder(f.parent_id)) parts.unshift(f.name);
    return parts.join('/');
  }

  hasChildren(id: number): boolean {
    return !!(
      this.sql('SELECT 1 FROM folders WHERE parent_id = ? LIMIT 1').get(id) ||
      this.sql('SELECT 1 FROM files WHERE folder_id = ? LIMIT 1').get(id)
    );
  }

  // ---- files

  file(id: string): FileRow | undefined {
    return this.sql('SELECT * FROM files WHERE id = ?').get(id) as FileRow | undefined;
  }

  /** Every stored file of one folder, visible in listings or not, in upload order. */
  files(folder: number): FileRow[] {
    return this.sql('SELECT * FROM files WHERE folder_id = ? ORDER BY seq').all(folder) as FileRow[];
  }

  /**
   * What a listing of one folder (every folder when `folder` is undefined) shows at `q.now`: stored files
   * whose visible_at has come, plus deleted files whose gone_at has not; answered in upload order.
   */
  listing(folder: number | undefined, q: ListingQuery): FileRow[] {
    const sec = (ms: number | undefined) => (ms === undefined ? null : Math.floor(ms / 1000));
    const limit = q.limit ?? -1;
    const order = limit >= 0 && q.keep === 'newest' ? 'date DESC, seq DESC' : 'date, seq';
    const rows = this.sql(
      `SELECT * FROM (
         SELECT ${FILE_COLUMNS} FROM files WHERE (@folder IS NULL OR folder_id = @folder) AND visible_at <= @now
         UNION ALL
         SELECT ${FILE_COLUMNS} FROM ghosts WHERE (@folder IS NULL OR folder_id = @folder) AND gone_at > @now)
       WHERE (@after IS NULL OR date / 1000 >= @after) AND (@before IS NULL OR date / 1000 <= @before)
       ORDER BY ${order} LIMIT @limit`,
    ).all({ folder: folder ?? null, now: q.now, after: sec(q.filter?.sentAfter), before: sec(q.filter?.sentBefore), limit }) as FileRow[];
    return rows.sort((a, b) => a.seq - b.seq);
  }

  insertFile(f: NewFile): FileRow {
    this.sql(
      `INSERT INTO files (id, folder_id, filename, size, date, checksum, content_type, pass, cdn, acl, description, no_ssl, inline, visible_at)
       VALUES (@id, @folder_id, @filename, @size, @date, @checksum, @content_type, @pass, @cdn, @acl, @description, @no_ssl, @inline, @visible_at)`,
    ).run(f);
    return this.file(f.id)!;
  }

  /** Updates the given columns of one file. */
  updateFile(id: string, patch: Partial<Omit<FileRow, 'seq' | 'id'>>): void {
    const cols = Object.keys(patch);
    if (cols.length === 0) return;
    this.sql(`UPDATE files SET ${cols.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`).run({ ...patch, id });
  }

  /**
   * Deletes a file. When it was listed at `now` and `listedUntil` > `now`, listings keep showing it until
   * then (a ghost row). Ghosts whose time has passed are dropped.
   */
  deleteFile(id: string, now: number, listedUntil = now): void {
    this.tx(() => {
      this.sql('DELETE FROM ghosts WHERE gone_at <= ?').run(now);
      if (listedUntil > now) {
        const copy = `INSERT INTO ghosts (${FILE_COLUMNS}, gone_at) SELECT ${FILE_COLUMNS}, @until FROM files WHERE id = @id AND visible_at <= @now`;
        this.sql(copy).run({ id, now, until: listedUntil });
      }
      this.sql('DELETE FROM files WHERE id = ?').run(id);
    });
  }

  /** How many files share this blob. */
  blobRefs(checksum: string): number {
    return (this.sql('SELECT count(*) AS n FROM files WHERE checksum = ?').get(checksum) as { n: number }).n;
  }

  /** Every distinct blob hash in use. */
  checksums(): Set<string> {
    return new Set((this.sql('SELECT DISTINCT checksum FROM files').all() as { checksum: string }[]).map((r) => r.checksum));
  }

  usedBytes(): number {
    return (this.sql('SELECT coalesce(sum(size), 0) AS n FROM files').get() as { n: number }).n;
  }

  // ---- download tokens

  insertToken(t: Omit<TokenRow, 'used'>): void {
    this.sql(
      'INSERT INTO tokens (token, file_id, single, inline, expires, redirect, no_ssl) VALUES (@token, @file_id, @single, @inline, @expires, @redirect, @no_ssl)',
    ).run(t);
  }

  token(token: string): TokenRow | undefined {
    return this.sql('SELECT * FROM tokens WHERE token = ?').get(token) as TokenRow | undefined;
  }

  markTokenUsed(token: string): void {
    this.sql('UPDATE tokens SET used = 1 WHERE token = ?').run(token);
  }

  /** Forgets tokens that expired before `before`. */
  pruneTokens(before: number): void {
    this.sql('DELETE FROM tokens WHERE expires < ?').run(before);
  }

  // ---- upload sessions

  createUploadSession(id: string, now: number): void {
    this.sql('INSERT INTO upload_sessions (id, created) VALUES (?, ?)').run(id, now);
  }

  uploadSession(id: string): { id: string; created: number } | undefined {
    return this.sql('SELECT * FROM upload_sessions WHERE id = ?').get(id) as { id: string; created: number } | undefined;
  }

  addUploadLink(link: UploadLinkRow): void {
    this.sql('INSERT INTO upload_links (xid, file_id, filename, size, whirlpool) VALUES (@xid, @file_id, @filename, @size, @whirlpool)').run(link);
  }

  uploadLinks(xid: string): UploadLinkRow[] {
    return this.sql('SELECT xid, file_id, filename, size, whirlpool FROM upload_links WHERE xid = ? ORDER BY seq').all(xid) as UploadLinkRow[];
  }

  /** Forgets upload sessions (and their end.pl links) created before `before`. */
  pruneUploadSessions(before: number): void {
    this.tx(() => {
      this.sql('DELETE FROM upload_links WHERE xid IN (SELECT id FROM upload_sessions WHERE created < ?)').run(before);
      this.sql('DELETE FROM upload_sessions WHERE created < ?').run(before);
    });
  }

  // ---- remote upload jobs

  createJob(folderId: number, urls: string[], now: number): RemoteJobRow {
    return this.tx(() => {
      const id = this.next('job');
      this.sql('INSERT INTO remote_jobs (id, requested, executed, folder_id) VALUES (?, ?, NULL, ?)').run(id, now, folderId);
      const ins = this.sql("INSERT INTO remote_results (job_id, idx, url, status) VALUES (?, ?, ?, 'pending')");
      urls.forEach((u, i) => ins.run(id, i, u));
      return this.job(id)!;
    });
  }

  job(id: number): RemoteJobRow | undefined {
    return this.sql('SELECT * FROM remote_jobs WHERE id = ?').get(id) as RemoteJobRow | undefined;
  }

  jobs(): RemoteJobRow[] {
    return this.sql('SELECT * FROM remote_jobs ORDER BY id').all() as RemoteJobRow[];
  }

  jobResults(id: number): RemoteResultRow[] {
    return this.sql('SELECT * FROM remote_results WHERE job_id = ? ORDER BY idx').all(id) as RemoteResultRow[];
  }

  setJobResult(r: RemoteResultRow): void {
    this.sql('UPDATE remote_results SET status = @status, download_link = @download_link, message = @message WHERE job_id = @job_id AND idx = @idx')
      .run(r);
  }

  finishJob(id: number, now: number): void {
    this.sql('UPDATE remote_jobs SET executed = ? WHERE id = ?').run(now, id);
  }

  /** Jobs left pending by a previous run (their fetches died with it). */
  unfinishedJobs(): RemoteJobRow[] {
    return this.sql('SELECT * FROM remote_jobs WHERE executed IS NULL').all() as RemoteJobRow[];
  }
}
