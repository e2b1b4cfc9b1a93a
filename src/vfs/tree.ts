/**
 * Path resolution over cached listings. A folder's view is its remote listing plus its local-only files,
 * with the duplicate-name policy (names.ts) applied. Resolving a path walks the views from the root: a
 * deep stat on a warm cache costs no remote call, a cold path lists each missing ancestor once.
 *
 * A partial listing (the remote could not give the whole folder) is never proof that a name is absent: a look-up
 * or a placement that does not find the name there answers EAGAIN (retry later) instead of ENOENT or "free", so
 * a PUT cannot make a duplicate of a file the listing missed.
 *
 * Directories always keep their real names (names.ts), so a folder's shown path is its remote path.
 * Names are looked up by core/names.ts's rule (any canonically equivalent spelling; with caseInsensitive, the
 * one name equal ignoring case), and what a look-up returns carries the stored spelling: a path built from a
 * found node is the canonical path, whatever spelling the caller used.
 * A view is memoized on the listing object it was built from, and reused while the store answers with that same
 * listing and the same local files (the store's read memo, store/read-cache.ts, keeps those identical until
 * something changes). So a view lives exactly as long as the memo keeps its listing: the memo's memory budget
 * bounds both, and no second cache of folders exists here.
 */
import { FsError } from '../core/errors.ts';
import { NameIndex } from '../core/names.ts';
import { baseName, joinPath, parentOf } from '../core/path.ts';
import type { RemoteEntry } from '../remote/types.ts';
import type { Listing, LocalFile, MetaStore } from '../store/types.ts';
import type { Logger } from '../util/log.ts';
import type { ListingCache } from './listing-cache.ts';
import { assignNames, type NameCandidate } from './names.ts';

/** One visible item of a folder: a remote entry or a local-only file, under its shown name. */
export type Node =
  | { name: string; path: string; kind: 'file' | 'dir'; remote: RemoteEntry; local?: undefined }
  | { name: string; path: string; kind: 'file'; local: LocalFile; remote?: undefined };

/** Where a new item goes (Tree.resolve). */
export interface Placement {
  /** Canonical: the parent's path and `name`. */
  path: string;
  /** The existing item's shown name when there is one (whatever spelling was asked), else the asked name. */
  name: string;
  /** The name as the caller spelled it. */
  asked: string;
  /** The parent folder's node; undefined for the root. */
  parent: Node | undefined;
  view: DirView;
  /** The node of that name in the parent, if any. */
  existing: Node | undefined;
}

export interface DirView {
  path: string;
  nodes: Node[];
  /** The nodes by shown name, found by any equivalent spelling (core/names.ts). */
  index: NameIndex<Node>;
  /** The listing behind it is not the whole folder: a missing name may exist (see the module doc). */
  partial: boolean;
  /** When the folder may be listed again, in ms from now (for a partial one's Retry-After). */
  relistInMs: number;
  /** A new empty object per view built: Vfs.readdirVersioned's token (holding it does not hold the view). */
  token: object;
}

export interface TreeOptions {
  /** Look-ups fall back to the one name equal ignoring case (rclone --vfs-case-insensitive). */
  caseInsensitive: boolean;
}

/** A local-only file among the names of a folder (remote entries take part as they are). */
interface LocalCandidate extends NameCandidate {
  local: LocalFile;
}

export class Tree {
  readonly #cache: ListingCache;
  readonly #store: MetaStore;
  readonly #logger: Logger;
  readonly #find: { caseInsensitive: boolean };
  /** Folders whose hidden duplicate directories were already logged (once per folder per Vfs). */
  readonly #warned = new Set<string>();
  /** Views by the listing they were built from, reused while the local files are the same objects too. */
  readonly #views = new WeakMap<Listing, { locals: LocalFile[]; view: DirView }>();

  constructor(cache: ListingCache, store: MetaStore, logger: Logger, opts: TreeOptions = { caseInsensitive: false }) {
    this.#cache = cache;
    this.#store = store;
    this.#logger = logger;
    this.#find = { caseInsensitive: opts.caseInsensitive };
  }

  /** The view of folder `dir` (which must be known to be a folder). Throws as ListingCache.get. */
  async view(dir: string, signal?: AbortSignal): Promise<DirView> {
    const listing = await this.#cache.get(dir, signal);
    const locals = this.#store.listLocal(dir);
    const memo = this.#views.get(listing);
    if (memo && memo.locals === locals && memo.view.path === dir) return listing.partial ? { ...memo.view, relistInMs: this.#cache.relistInMs(listing) } : memo.view;
    // Remote entries are their own name candidates (no wrapper per entry: a big listing would promote them all).
    const candidates: (RemoteEntry | LocalCandidate)[] = [
      ...listing.entries,
      ...locals.map((f) => ({ name: baseName(f.path), kind: 'file' as const, modTime: f.modTime, id: f.id, local: f })),
    ];
    const { named, hidden } = assignNames(candidates);
    if (hidden.length > 0 && !this.#warned.has(dir)) {
      this.#warned.add(dir);
      this.#logger.warn({ dir, hidden: hidden.map((h) => h.id) }, 'duplicate folder names hidden');
    }
    const nodes: Node[] = [];
    for (const { name, item } of named) {
      if ('local' in item) nodes.push({ name, path: joinPath(dir, name), kind: 'file', local: item.local });
      // The remote entry's own path string when the shown name is its name (the usual case): one string per entry.
      else nodes.push({ name, path: isPathOf(item.path, dir, name) ? item.path : joinPath(dir, name), kind: item.kind, remote: item });
    }
    const view = { path: dir, nodes, index: new NameIndex(nodes, (n) => n.name), partial: listing.partial === true, relistInMs: this.#cache.relistInMs(listing), token: {} };
    this.#views.set(listing, { locals, view });
    return view;
  }

  /**
   * Forget the views that show the metadata of the item at `path` (its parent's, and its own for a folder), after
   * a change of its modtime or dead properties that left the listings as they were: the next look-up builds new
   * views, so whoever keys something on a view (Vfs.readdirVersioned) sees the change.
   */
  touch(path: string): void {
    for (const dir of path === '' ? [''] : [parentOf(path), path]) {
      const listing = this.#cache.peek(dir);
      if (listing) this.#views.delete(listing);
    }
  }

  /**
   * The node at canonical `path`, or undefined for the root. Throws ENOENT (missing, or a parent missing),
   * ENOTDIR (a parent is a file), and what listings throw.
   */
  async lookup(path: string, signal?: AbortSignal): Promise<Node | undefined> {
    if (path === '') return undefined;
    const segs = path.split('/');
    let dir = '';
    let node: Node | undefined;
    for (const seg of segs) {
      if (node && node.kind !== 'dir') throw new FsError('ENOTDIR', 'not a directory', { path: node.path });
      const view = await this.view(dir, signal);
      node = view.index.find(seg, this.#find);
      if (!node) throw absent(view, path);
      dir = node.path;
    }
    return node;
  }

  /** Check that `path` is a folder and return its view. Throws ENOENT, ENOTDIR. */
  async dirView(path: string, signal?: AbortSignal): Promise<DirView> {
    const node = await this.lookup(path, signal);
    if (node && node.kind !== 'dir') throw new FsError('ENOTDIR', 'not a directory', { path });
    return this.view(path, signal);
  }

  /**
   * Where canonical `path` (not the root) goes: its parent folder's node (undefined = the root), the parent's
   * view, and the node at `path` in it, if any (for creations). The placement's path and name are canonical: an
   * existing item keeps its shown name, so replacing it never creates a second spelling of one name. Throws ENOENT
   * (parent missing), ENOTDIR (the parent or an ancestor is a file), and what listings throw.
   */
  async resolve(path: string, signal?: AbortSignal): Promise<Placement> {
    const dir = parentOf(path);
    const parent = await this.lookup(dir, signal);
    if (parent && parent.kind !== 'dir') throw new FsError('ENOTDIR', 'not a directory', { path: dir });
    const at = parent?.path ?? '';
    const view = await this.view(at, signal);
    const asked = baseName(path);
    const existing = view.index.find(asked, this.#find);
    if (!existing && view.partial) throw absent(view, path);
    const name = existing?.name ?? asked;
    return { path: joinPath(at, name), name, asked, parent, view, existing };
  }
}

/** The error for a name not found in `view`: ENOENT, or EAGAIN when the listing is partial (it may exist). */
function absent(view: DirView, path: string): FsError {
  if (!view.partial) return new FsError('ENOENT', 'no such file or directory', { path });
  return new FsError('EAGAIN', 'the folder is too large to be listed completely; this name may exist, try again later', {
    path,
    retryAfterMs: Math.max(1000, view.relistInMs),
  });
}

/** True when `path` is `name` inside `dir` (compared without building the joined string). */
function isPathOf(path: string, dir: string, name: string): boolean {
  if (dir === '') return path === name;
  return path.length === dir.length + 1 + name.length && path.startsWith(dir) && path.charCodeAt(dir.length) === 47 && path.endsWith(name);
}
