/**
 * The duplicate-name policy. 1fichier lets two files of one name live in one folder; the VFS shows every
 * name once, deterministically for a given set of entries and so stable across listings. "One name" is
 * core/names.ts's rule: canonically equivalent spellings (NFC and NFD) are the same name.
 *
 * - Directories first: a directory keeps its name. Two directories of exactly one spelling (never created
 *   through us; the remote addresses folders by path, so only the first is reachable) — the first by id keeps
 *   the name and the others are hidden, reported in `hidden`. Two directories whose spellings differ only by
 *   normalisation are both reachable by their exact paths, so both stay visible under their own spellings.
 * - Files of one name (any equivalent spelling) are ordered newest first by the storage's own modTime (upload
 *   date, not the client's modtime, which a PROPPATCH could change), then by id ascending. The first keeps its
 *   own spelling unless a directory holds that name; the others are shown as `stem (2).ext`, `stem (3).ext`...
 *   (their own spelling, suffix before the last extension; a leading dot does not start an extension), skipping
 *   any candidate already taken by a real name in the folder or by an earlier assignment. So no two visible
 *   files are the same name, and a file written in NFD and asked for in NFC is found and listed once.
 */
import { nameKey } from '../core/names.ts';

export interface NameCandidate {
  name: string;
  kind: 'file' | 'dir';
  modTime: number;
  id: string;
}

export interface Named<T> {
  /** The name shown for `item` (its own name, or a suffixed one). */
  name: string;
  item: T;
}

export interface NamePolicyResult<T> {
  /** Every visible item with its unique shown name, in a stable order (directories, then files, by name). */
  named: Named<T>[];
  /** Directories hidden because an earlier directory holds their name. */
  hidden: T[];
}

/** `stem (n).ext`: the suffix goes before the last extension; '.bashrc' and 'README' have none. */
export function suffixName(name: string, n: number): string {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return `${name} (${n})`;
  return `${name.slice(0, dot)} (${n})${name.slice(dot)}`;
}

function byIdAsc(a: NameCandidate, b: NameCandidate): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function newestFirst(a: NameCandidate, b: NameCandidate): number {
  return b.modTime - a.modTime || byIdAsc(a, b);
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Items grouped by `keyOf(name)`, keyed by that key. */
function groupBy<T extends NameCandidate>(items: T[], keyOf: (name: string) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const it of items) {
    const k = keyOf(it.name);
    const g = groups.get(k);
    if (g) g.push(it);
    else groups.set(k, [it]);
  }
  return groups;
}

/** True when no two of `files` are one name and none is a name in `taken` (keys). */
function allOwnNames(files: readonly NameCandidate[], taken: ReadonlySet<string>): boolean {
  const keys = new Set<string>();
  for (const f of files) {
    const k = nameKey(f.name);
    if (keys.has(k) || taken.has(k)) return false;
    keys.add(k);
  }
  return true;
}

/** Apply the policy to the entries of one folder. Pure and deterministic. */
export function assignNames<T extends NameCandidate>(items: readonly T[]): NamePolicyResult<T> {
  const taken = new Set<string>();
  const named: Named<T>[] = [];
  const hidden: T[] = [];

  const dirGroups = groupBy(
    items.filter((i) => i.kind === 'dir'),
    (n) => n,
  );
  for (const [name, group] of [...dirGroups].sort((a, b) => byName({ name: a[0] }, { name: b[0] }))) {
    const [first, ...rest] = [...group].sort(byIdAsc);
    if (first) {
      named.push({ name, item: first });
      taken.add(nameKey(name));
    }
    hidden.push(...rest);
  }

  const fileItems = items.filter((i) => i.kind === 'file');
  // The usual folder: no two files of one name, none named like a directory. Every file keeps its own name, and
  // no per-file group, copy or key set is built (a listing of thousands of files would promote them all).
  if (allOwnNames(fileItems, taken)) {
    named.push(...fileItems.map((item) => ({ name: item.name, item })).sort(byName));
    return { named, hidden };
  }
  const realKeys = new Set(items.map((i) => nameKey(i.name)));
  const fileGroups = groupBy(fileItems, nameKey);
  const files: Named<T>[] = [];
  for (const [, group] of [...fileGroups].sort((a, b) => byName({ name: a[0] }, { name: b[0] }))) {
    let n = 1;
    for (const item of [...group].sort(newestFirst)) {
      let shown = item.name;
      if (taken.has(nameKey(shown))) {
        do {
          n += 1;
          shown = suffixName(item.name, n);
        } while (taken.has(nameKey(shown)) || realKeys.has(nameKey(shown)));
      }
      taken.add(nameKey(shown));
      files.push({ name: shown, item });
    }
  }
  named.push(...files.sort(byName));
  return { named, hidden };
}
