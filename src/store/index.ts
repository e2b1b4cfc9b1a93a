/**
 * The SQLite MetaStore (see types.ts for the contract). One connection, WAL journal with synchronous=NORMAL:
 * a committed transaction survives a kill -9 of the process (it is in the WAL, which the OS holds), a power
 * loss may drop the last few, and the file is never corrupt. Every method is one transaction; statements are
 * prepared once at open.
 *
 * Consistency rule kept by the listing methods: a cached subtree (listings, entries, directory ids) exists
 * only below a directory the store knows at that path with that id. So when a listing or write-through drops
 * a sub-directory, renames it, or shows it with a new id (deleted and recreated), its cached subtree is
 * forgotten, and a stale path -> id mapping can never send a lookup to the wrong folder.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { joinPath, parentOf } from '../core/path.ts';
import type { RemoteEntry } from '../remote/types.ts';
import { belowRange, ENTRY_COLUMNS, entryValues, rowToEntry, TreeQuery } from './rows.ts';
import type { EntryRow } from './rows.ts';
import { migrate } from './schema.ts';
import type { DeadProp } from '../core/props.ts';
import type { FileMeta, Listing, ListingCoverage, LocalFile, MetaStore, MetaStoreOptions, SearchHit } from './types.ts';
import { memoizeStore } from './read-cache.ts';

export { storePathFor } from './location.ts';
export type { FileMeta, Listing, ListingCoverage, LocalFile, MetaStore, MetaStoreOptions, SearchHit } from './types.ts';

const DEFAULT_MAX_LOCAL_BYTES = 16 * 1024 * 1024;
const BUSY_TIMEOUT_MS = 5000;

interface MetaRow {
  mod_time: number | null;
  md5: string | null;
  sha1: string | null;
}
interface LocalRow {
  path: string;
  id: string;
  content: Buffer;
  mod_time: number;
}
type Value = string | number | Buffer | null;

/**
 * Open (creating file, parent directories and schema as needed) the store at `opts.file` (':memory:' for
 * tests). Throws what better-sqlite3 throws for an unreadable file (e.g. SqliteError SQLITE_NOTADB /
 * SQLITE_CANTOPEN), or Error when the file was written by a newer schema version.
 */
export function openMetaStore(opts: MetaStoreOptions): MetaStore {
  const inMemory = opts.file === ':memory:' || opts.file === '';
  if (!inMemory) mkdirSync(dirname(opts.file), { recursive: true });
  const db = new Database(opts.file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('foreign_keys = ON');
    migrate(db);
    return memoizeStore(new SqliteMetaStore(db, inMemory ? undefined : opts.file, opts.maxLocalBytes ?? DEFAULT_MAX_LOCAL_BYTES));
  } catch (err) {
    db.close();
    throw err;
  }
}

class SqliteMetaStore implements MetaStore {
  private readonly q;
  private readonly tree;
  private readonly putListingTx;
  private readonly upsertEntryTx;
  private readonly removeEntryTx;
  private readonly forgetTreeTx;
  private readonly copyMetaTx;
  private readonly deleteMetaTx;
  private readonly moveLocalTx;
  private readonly moveTreeTx;

  constructor(
    private readonly db: Database.Database,
    private readonly file: string | undefined,
    private readonly maxLocalBytes: number,
  ) {
    const p = <P extends Value[], R = unknown>(sql: string) => db.prepare<P, R>(sql);
    this.q = {
      listing: p<[string], { fetched_at: number; partial: number }>('SELECT fetched_at, partial FROM listings WHERE dir = ?'),
      listingEntries: p<[string], EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM entries WHERE dir = ? ORDER BY ord`),
      dirEntries: p<[string], { path: string; id: string }>("SELECT path, id FROM entries WHERE dir = ? AND kind = 'dir'"),
      upsertListing: p<[string, number, number]>(
        'INSERT INTO listings (dir, fetched_at, partial) VALUES (?, ?, ?) ON CONFLICT (dir) DO UPDATE SET fetched_at = excluded.fetched_at, partial = excluded.partial',
      ),
      getState: p<[string], { value: string }>('SELECT value FROM state WHERE key = ?'),
      setState: p<[string, string]>('INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      clearEntries: p<[string]>('DELETE FROM entries WHERE dir = ?'),
      insertEntry: p<Value[]>(`INSERT INTO entries (dir, ord, ${ENTRY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      appendEntry: p<Value[]>(
        `INSERT INTO entries (dir, ord, ${ENTRY_COLUMNS})
         VALUES (?, (SELECT coalesce(max(ord), -1) + 1 FROM entries WHERE dir = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      entryById: p<[string, string], { ord: number; path: string; kind: string }>('SELECT ord, path, kind FROM entries WHERE dir = ? AND id = ?'),
      updateEntry: p<Value[]>(
        `UPDATE entries SET path = ?, name = ?, kind = ?, size = ?, mod_time = ?, id = ?, mime = ?, whirlpool = ?, md5 = ?, sha1 = ?
         WHERE dir = ? AND ord = ?`,
      ),
      deleteEntryById: p<[string, string]>('DELETE FROM entries WHERE dir = ? AND id = ?'),
      getDirId: p<[string], { id: string }>('SELECT id FROM dir_ids WHERE path = ?'),
      setDirId: p<[string, string]>('INSERT INTO dir_ids (path, id) VALUES (?, ?) ON CONFLICT (path) DO UPDATE SET id = excluded.id'),
      getMeta: p<[string], MetaRow>('SELECT mod_time, md5, sha1 FROM meta WHERE id = ?'),
      mergeMeta: p<[string, Value, Value, Value]>(
        `INSERT INTO meta (id, mod_time, md5, sha1) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET
           mod_time = coalesce(excluded.mod_time, mod_time), md5 = coalesce(excluded.md5, md5), sha1 = coalesce(excluded.sha1, sha1)`,
      ),
      deleteMeta: p<[string]>('DELETE FROM meta WHERE id = ?'),
      copyMeta: p<[string, string]>('INSERT INTO meta (id, mod_time, md5, sha1) SELECT ?, mod_time, md5, sha1 FROM meta WHERE id = ?'),
      getProps: p<[string], DeadProp>('SELECT ns, name, value FROM props WHERE id = ? ORDER BY ns, name'),
      getPropsMany: p<[string], DeadProp & { id: string }>(
        'SELECT id, ns, name, value FROM props WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id, ns, name',
      ),
      setProp: p<[string, string, string, string]>(
        'INSERT INTO props (id, ns, name, value) VALUES (?, ?, ?, ?) ON CONFLICT (id, ns, name) DO UPDATE SET value = excluded.value',
      ),
      removeProp: p<[string, string, string]>('DELETE FROM props WHERE id = ? AND ns = ? AND name = ?'),
      deleteProps: p<[string]>('DELETE FROM props WHERE id = ?'),
      copyProps: p<[string, string]>('INSERT INTO props (id, ns, name, value) SELECT ?, ns, name, value FROM props WHERE id = ?'),
      getLocal: p<[string], LocalRow>('SELECT path, id, content, mod_time FROM local WHERE path = ?'),
      listLocal: p<[string], LocalRow>('SELECT path, id, content, mod_time FROM local WHERE dir = ? ORDER BY path'),
      putLocal: p<[string, string, Buffer, number, string]>(
        `INSERT INTO local (path, id, content, mod_time, dir) VALUES (?, ?, ?, ?, ?) ON CONFLICT (path) DO UPDATE SET
           id = excluded.id, content = excluded.content, mod_time = excluded.mod_time, dir = excluded.dir`,
      ),
      removeLocal: p<[string]>('DELETE FROM local WHERE path = ?'),
      // LIKE compares ASCII letters case-insensitively; ESCAPE makes %, _ and \ in the user's text literal. The
      // first three parameters are a folder and its below-range (rows.ts): '' for the whole account.
      searchEntries: p<[string, string, string, string, number], { path: string; name: string; kind: string; size: number; mod_time: number }>(
        `SELECT e.path, e.name, e.kind, e.size, coalesce(m.mod_time, e.mod_time) AS mod_time
         FROM entries e LEFT JOIN meta m ON m.id = e.id
         WHERE (? = '' OR (e.path >= ? AND e.path < ?)) AND e.name LIKE ? ESCAPE '\\' ORDER BY e.path LIMIT ?`,
      ),
      searchLocal: p<[string, string, string, string, number], { path: string; size: number; mod_time: number }>(
        `SELECT path, length(content) AS size, mod_time FROM local
         WHERE (? = '' OR (path >= ? AND path < ?)) AND path LIKE ? ESCAPE '\\' ORDER BY path LIMIT ?`,
      ),
      coverage: p<[string, string, string, string], { root: number; unlisted: number }>(
        `SELECT (SELECT count(*) FROM listings WHERE dir = ?) AS root,
                (SELECT count(*) FROM entries e WHERE e.kind = 'dir' AND (? = '' OR (e.path >= ? AND e.path < ?))
                   AND NOT EXISTS (SELECT 1 FROM listings l WHERE l.dir = e.path)) AS unlisted`,
      ),
      counts: p<[], Record<'listings' | 'entries' | 'dirIds' | 'meta' | 'props' | 'local', number>>(
        `SELECT (SELECT count(*) FROM listings) AS listings, (SELECT count(*) FROM entries) AS entries,
                (SELECT count(*) FROM dir_ids) AS dirIds, (SELECT count(*) FROM meta) AS meta,
                (SELECT count(*) FROM props) AS props, (SELECT count(*) FROM local) AS local`,
      ),
    };
    this.tree = {
      listedDirs: new TreeQuery<{ dir: string }>(db, 'SELECT dir FROM listings WHERE {tree} ORDER BY dir', 'dir'),
      selectDirIds: new TreeQuery<{ path: string; id: string }>(db, 'SELECT path, id FROM dir_ids WHERE {tree}', 'path'),
      // entries go with their listing (ON DELETE CASCADE)
      forgetListings: new TreeQuery(db, 'DELETE FROM listings WHERE {tree}', 'dir'),
      forgetDirIds: new TreeQuery(db, 'DELETE FROM dir_ids WHERE {tree}', 'path'),
      selectLocal: new TreeQuery<LocalRow>(db, 'SELECT path, id, content, mod_time FROM local WHERE {tree}', 'path'),
      removeLocal: new TreeQuery(db, 'DELETE FROM local WHERE {tree}', 'path'),
    };

    this.forgetTreeTx = db.transaction((prefix: string) => {
      this.tree.forgetListings.run(prefix);
      this.tree.forgetDirIds.run(prefix);
    });

    this.putListingTx = db.transaction((dir: string, entries: RemoteEntry[], fetchedAt: number, partial: boolean) => {
      const keep = new Set(entries.filter((e) => e.kind === 'dir').map((e) => dirKey(e.path, e.id)));
      const known = [...this.q.dirEntries.all(dir)];
      for (const e of entries) {
        const id = e.kind === 'dir' ? this.q.getDirId.get(e.path)?.id : undefined;
        if (id !== undefined) known.push({ path: e.path, id });
      }
      for (const k of known) if (!keep.has(dirKey(k.path, k.id))) this.forgetTreeTx(k.path);
      this.q.upsertListing.run(dir, fetchedAt, partial ? 1 : 0);
      this.q.clearEntries.run(dir);
      entries.forEach((e, i) => this.q.insertEntry.run(dir, i, ...entryValues(e)));
      for (const e of entries) if (e.kind === 'dir') this.q.setDirId.run(e.path, e.id);
    });

    this.upsertEntryTx = db.transaction((entry: RemoteEntry) => {
      if (entry.path === '') return;
      const dir = parentOf(entry.path);
      if (entry.kind === 'dir') {
        const known = this.q.getDirId.get(entry.path)?.id;
        if (known !== undefined && known !== entry.id) this.forgetTreeTx(entry.path);
      }
      if (this.q.listing.get(dir) !== undefined) {
        const old = this.q.entryById.get(dir, entry.id);
        if (old === undefined) {
          this.q.appendEntry.run(dir, dir, ...entryValues(entry));
        } else {
          if (old.kind === 'dir' && old.path !== entry.path) this.forgetTreeTx(old.path);
          this.q.updateEntry.run(...entryValues(entry), dir, old.ord);
        }
      }
      if (entry.kind === 'dir') this.q.setDirId.run(entry.path, entry.id);
    });

    this.removeEntryTx = db.transaction((dir: string, id: string) => {
      const old = this.q.entryById.get(dir, id);
      if (old === undefined) return;
      if (old.kind === 'dir') this.forgetTreeTx(old.path);
      this.q.deleteEntryById.run(dir, id);
    });

    this.deleteMetaTx = db.transaction((id: string) => {
      this.q.deleteMeta.run(id);
      this.q.deleteProps.run(id);
    });

    this.copyMetaTx = db.transaction((fromId: string, toId: string) => {
      if (fromId === toId) return;
      this.deleteMetaTx(toId);
      this.q.copyMeta.run(toId, fromId);
      this.q.copyProps.run(toId, fromId);
    });

    this.moveTreeTx = db.transaction((src: string, dst: string) => {
      const moved = (path: string): string => (path === src ? dst : `${dst}${path.slice(src.length)}`);
      const listings = this.tree.listedDirs.all(src).map(({ dir }) => ({ dir, l: this.getListing(dir)! }));
      const ids = this.tree.selectDirIds.all(src);
      this.forgetTreeTx(src);
      this.forgetTreeTx(dst);
      for (const { path, id } of ids) this.q.setDirId.run(moved(path), id);
      listings.sort((a, b) => a.dir.length - b.dir.length);
      for (const { dir, l } of listings) {
        const entries = l.entries.map((e) => ({ ...e, path: moved(e.path) }));
        this.putListingTx(moved(dir), entries, l.fetchedAt, l.partial === true);
      }
    });

    this.moveLocalTx = db.transaction((src: string, dst: string) => {
      const rows = this.tree.selectLocal.all(src);
      this.tree.removeLocal.run(src);
      for (const r of rows) {
        const rel = r.path === src ? '' : src === '' ? r.path : r.path.slice(src.length + 1);
        const to = rel === '' ? dst : joinPath(dst, rel);
        this.q.putLocal.run(to, r.id, r.content, r.mod_time, parentOf(to));
      }
    });
  }

  getListing(dir: string): Listing | undefined {
    return this.db.transaction(() => {
      const l = this.q.listing.get(dir);
      if (l === undefined) return undefined;
      const entries = this.q.listingEntries.all(dir).map(rowToEntry);
      return l.partial ? { entries, fetchedAt: l.fetched_at, partial: true } : { entries, fetchedAt: l.fetched_at };
    })();
  }

  putListing(dir: string, entries: RemoteEntry[], fetchedAt: number, partial = false): void {
    this.putListingTx(dir, entries, fetchedAt, partial);
  }

  getState(key: string): string | undefined {
    return this.q.getState.get(key)?.value;
  }

  setState(key: string, value: string): void {
    this.q.setState.run(key, value);
  }

  upsertEntry(entry: RemoteEntry): void {
    this.upsertEntryTx(entry);
  }

  removeEntry(dir: string, id: string): void {
    this.removeEntryTx(dir, id);
  }

  forgetTree(prefix: string): void {
    this.forgetTreeTx(prefix);
  }

  moveTree(src: string, dst: string): void {
    if (src === dst || src === '' || dst === '') return;
    this.moveTreeTx(src, dst);
  }

  listedDirs(prefix: string): string[] {
    return this.tree.listedDirs.all(prefix).map((r) => r.dir);
  }

  searchNames(text: string, limit: number, under = ''): SearchHit[] {
    const pattern = `%${text.replace(/[\\%_]/g, '\\$&')}%`;
    const hits: SearchHit[] = this.q.searchEntries.all(...belowRange(under), pattern, limit).map((r) => ({ path: r.path, name: r.name, kind: r.kind === 'dir' ? 'dir' : 'file', size: r.size, modTime: r.mod_time }));
    // Local files are matched on their whole path by SQL (the table has no name column; it is small), then on the name.
    const needle = asciiLower(text);
    for (const r of this.q.searchLocal.all(...belowRange(under), pattern, 100_000)) {
      const name = r.path.slice(r.path.lastIndexOf('/') + 1);
      if (asciiLower(name).includes(needle)) hits.push({ path: r.path, name, kind: 'file', size: r.size, modTime: r.mod_time });
    }
    return hits.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).slice(0, limit);
  }

  listingCoverage(under = ''): ListingCoverage {
    const r = this.q.coverage.get(under, ...belowRange(under));
    return { rootListed: (r?.root ?? 0) > 0, unlistedDirs: r?.unlisted ?? 0 };
  }

  getDirId(path: string): string | undefined {
    return this.q.getDirId.get(path)?.id;
  }

  setDirId(path: string, id: string): void {
    this.q.setDirId.run(path, id);
  }

  getMeta(id: string): FileMeta | undefined {
    const r = this.q.getMeta.get(id);
    if (r === undefined) return undefined;
    const m: FileMeta = {};
    if (r.mod_time !== null) m.modTime = r.mod_time;
    if (r.md5 !== null) m.md5 = r.md5;
    if (r.sha1 !== null) m.sha1 = r.sha1;
    return m;
  }

  setMeta(id: string, patch: FileMeta): void {
    if (patch.modTime === undefined && patch.md5 === undefined && patch.sha1 === undefined) return;
    this.q.mergeMeta.run(id, patch.modTime ?? null, patch.md5 ?? null, patch.sha1 ?? null);
  }

  copyMeta(fromId: string, toId: string): void {
    this.copyMetaTx(fromId, toId);
  }

  deleteMeta(id: string): void {
    this.deleteMetaTx(id);
  }

  getProps(id: string): DeadProp[] {
    return this.q.getProps.all(id);
  }

  getPropsMany(ids: readonly string[]): Map<string, DeadProp[]> {
    const out = new Map<string, DeadProp[]>();
    for (const { id, ns, name, value } of this.q.getPropsMany.all(JSON.stringify(ids))) {
      const list = out.get(id);
      if (list) list.push({ ns, name, value });
      else out.set(id, [{ ns, name, value }]);
    }
    return out;
  }

  setProp(id: string, prop: DeadProp): void {
    this.q.setProp.run(id, prop.ns, prop.name, prop.value);
  }

  removeProp(id: string, ns: string, name: string): void {
    this.q.removeProp.run(id, ns, name);
  }

  getLocal(path: string): LocalFile | undefined {
    const r = this.q.getLocal.get(path);
    return r === undefined ? undefined : rowToLocal(r);
  }

  listLocal(dir: string): LocalFile[] {
    return this.q.listLocal.all(dir).map(rowToLocal);
  }

  putLocal(file: LocalFile): void {
    if (file.content.length > this.maxLocalBytes) {
      throw new RangeError(`local file of ${file.content.length} bytes exceeds the ${this.maxLocalBytes}-byte limit`);
    }
    this.q.putLocal.run(file.path, file.id, file.content, file.modTime, parentOf(file.path));
  }

  removeLocal(path: string): void {
    this.q.removeLocal.run(path);
  }

  moveLocal(src: string, dst: string): void {
    if (src === dst) return;
    this.moveLocalTx(src, dst);
  }

  removeLocalTree(prefix: string): void {
    this.tree.removeLocal.run(prefix);
  }

  stats(): ReturnType<MetaStore['stats']> {
    const counts = this.q.counts.get();
    if (counts === undefined) throw new Error('count query returned no row');
    return { ...counts, bytes: this.file === undefined ? 0 : fileSize(this.file) + fileSize(`${this.file}-wal`) };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Lower-cases ASCII letters only, as SQLite's LIKE compares them. */
function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

function dirKey(path: string, id: string): string {
  return `${path}\0${id}`;
}

function rowToLocal(r: LocalRow): LocalFile {
  return { path: r.path, id: r.id, content: r.content, modTime: r.mod_time };
}

function fileSize(path: string): number {
  return statSync(path, { throwIfNoEntry: false })?.size ?? 0;
}
