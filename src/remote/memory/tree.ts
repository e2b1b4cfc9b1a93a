/**
 * The in-memory tree behind the memory remote: nodes linked to their parent folder, an index by id, and
 * path resolution with the remote's error codes. Everything here is synchronous, so no caller ever sees a
 * half-updated tree; the only await in the memory remote is put's read of its source, and put re-checks
 * the tree after it (see index.ts).
 */
import { FsError } from '../../core/errors.ts';
import { joinPath, normPath } from '../../core/path.ts';
import type { HashType, RemoteEntry } from '../types.ts';

export interface FileNode {
  kind: 'file';
  id: string;
  name: string;
  parent: DirNode;
  modTime: number;
  data: Buffer;
  hashes: Partial<Record<HashType, string>>;
}

export interface DirNode {
  kind: 'dir';
  id: string;
  name: string;
  /** undefined for the root only. */
  parent: DirNode | undefined;
  modTime: number;
  /** In list order: insertion order (a moved node goes last in its new folder). */
  children: Array<FileNode | DirNode>;
}

export type Node = FileNode | DirNode;

export class MemoryTree {
  readonly root: DirNode;
  readonly #byId = new Map<string, Node>();
  #nextId = 1;

  constructor(now: number) {
    this.root = { kind: 'dir', id: 'mem:0', name: '', parent: undefined, modTime: now, children: [] };
    this.#byId.set(this.root.id, this.root);
  }

  /** A fresh id, 'mem:<n>', never reused. */
  newId(): string {
    return `mem:${this.#nextId++}`;
  }

  /** The live node with this id (detached nodes are forgotten), or undefined. */
  byId(id: string): Node | undefined {
    return this.#byId.get(id);
  }

  /**
   * The node at `path` ('' = root). Intermediate segments resolve to folders (a folder wins over a file of
   * the same name); the last segment is the first child of that name in list order. Throws ENOENT when a
   * segment is missing, ENOTDIR when an intermediate segment is a file, EINVAL on a malformed path.
   */
  resolve(path: string): Node {
    const p = normPath(path);
    if (p === '') return this.root;
    let dir = this.root;
    const segs = p.split('/');
    for (let i = 0; i < segs.length; i++) {
      const name = segs[i] ?? '';
      const last = i === segs.length - 1;
      const matches = dir.children.filter((c) => c.name === name);
      const folder = matches.find((c): c is DirNode => c.kind === 'dir');
      const hit = last ? matches[0] : (folder ?? matches[0]);
      if (!hit) throw new FsError('ENOENT', 'no such file or directory', { path: p });
      if (last) return hit;
      if (hit.kind === 'file') throw new FsError('ENOTDIR', 'a path component is a file', { path: p });
      dir = hit;
    }
    return dir;
  }

  /** The folder at `path`. Throws as `resolve`, and ENOTDIR when it is a file. */
  resolveDir(path: string): DirNode {
    const node = this.resolve(path);
    if (node.kind !== 'dir') throw new FsError('ENOTDIR', 'not a directory', { path: normPath(path) });
    return node;
  }

  /** The live folder with this entry's id. Throws ENOENT when it is gone, ENOTDIR when the id is a file. */
  dirOf(entry: RemoteEntry): DirNode {
    const node = this.#byId.get(entry.id);
    if (!node) throw new FsError('ENOENT', 'no such folder', { path: entry.path });
    if (node.kind !== 'dir') throw new FsError('ENOTDIR', 'not a directory', { path: entry.path });
    return node;
  }

  /** The file with this entry's id. Throws ENOENT when it is gone, EISDIR when the id is a folder. */
  fileOf(entry: RemoteEntry): FileNode {
    const node = this.#byId.get(entry.id);
    if (!node) throw new FsError('ENOENT', 'no such file', { path: entry.path });
    if (node.kind !== 'file') throw new FsError('EISDIR', 'is a directory', { path: entry.path });
    return node;
  }

  /** Children of `dir` named `name`. */
  named(dir: DirNode, name: string): Node[] {
    return dir.children.filter((c) => c.name === name);
  }

  /** True while `node` is attached to the tree (not removed, not below a removed folder). */
  isLive(node: Node): boolean {
    return this.#byId.get(node.id) === node;
  }

  /** Appends `node` to `dir` (last in list order) and indexes it. */
  attach(node: Node, dir: DirNode): void {
    node.parent = dir;
    dir.children.push(node);
    this.#byId.set(node.id, node);
  }

  /** Unlinks `node` from its folder; with `forget`, also drops it (and everything below) from the id index. */
  detach(node: Node, forget: boolean): void {
    const dir = node.parent;
    if (dir) dir.children = dir.children.filter((c) => c !== node);
    if (!forget) return;
    this.#byId.delete(node.id);
    if (node.kind === 'dir') for (const c of [...node.children]) this.detach(c, true);
  }

  /** The canonical path of a node. */
  pathOf(node: Node): string {
    return node.parent === undefined ? '' : joinPath(this.pathOf(node.parent), node.name);
  }

  /** The public entry for a node (a snapshot: later changes do not alter it). */
  entryOf(node: Node): RemoteEntry {
    const path = this.pathOf(node);
    const common = { path, name: node.name, modTime: node.modTime, id: node.id };
    if (node.kind === 'dir') return { ...common, kind: 'dir', size: 0, hashes: {} };
    return { ...common, kind: 'file', size: node.data.length, hashes: { ...node.hashes } };
  }

  /** Bytes held by all files. */
  usedBytes(): number {
    let n = 0;
    for (const node of this.#byId.values()) if (node.kind === 'file') n += node.data.length;
    return n;
  }
}
