/**
 * The duplicate-name policy. 1fichier lets two files of one name live in one folder; the VFS shows every
 * name once, deterministically for a given set of entries and so stable across listings:
 *
 * - Directories first: a directory keeps its name. Two directories of one name (never created through us;
 *   the remote addresses folders by path, so only the first is reachable) — the first by id keeps the name
 *   and the others are hidden, reported in `hidden`.
 * - Files of one name are ordered newest first by the storage's own modTime (upload date, not the client's
 *   modtime, which a PROPPATCH could change), then by id ascending. The first keeps the name unless a
 *   directory holds it; the others are shown as `stem (2).ext`, `stem (3).ext`... (suffix before the last
 *   extension; a leading dot does not start an extension), skipping any candidate already taken by a real
 *   name in the folder or by an earlier assignment.
 */

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

function groupByName<T extends NameCandidate>(items: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const it of items) {
    const g = groups.get(it.name);
    if (g) g.push(it);
    else groups.set(it.name, [it]);
  }
  return groups;
}

/** Apply the policy to the entries of one folder. Pure and deterministic. */
export function assignNames<T extends NameCandidate>(items: readonly T[]): NamePolicyResult<T> {
  const realNames = new Set(items.map((i) => i.name));
  const taken = new Set<string>();
  const named: Named<T>[] = [];
  const hidden: T[] = [];

  const dirGroups = groupByName(items.filter((i) => i.kind === 'dir'));
  for (const [name, group] of [...dirGroups].sort((a, b) => byName({ name: a[0] }, { name: b[0] }))) {
    const [first, ...rest] = [...group].sort(byIdAsc);
    if (first) {
      named.push({ name, item: first });
      taken.add(name);
    }
    hidden.push(...rest);
  }

  const fileGroups = groupByName(items.filter((i) => i.kind === 'file'));
  const files: Named<T>[] = [];
  for (const [name, group] of [...fileGroups].sort((a, b) => byName({ name: a[0] }, { name: b[0] }))) {
    let n = 1;
    for (const item of [...group].sort(newestFirst)) {
      let shown = name;
      if (taken.has(shown)) {
        do {
          n += 1;
          shown = suffixName(name, n);
        } while (taken.has(shown) || realNames.has(shown));
      }
      taken.add(shown);
      files.push({ name: shown, item });
    }
  }
  named.push(...files.sort(byName));
  return { named, hidden };
}
