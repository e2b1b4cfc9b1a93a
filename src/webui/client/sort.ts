/** The listing order: folders first, then by the chosen column. Pure functions: no DOM. */

export type SortKey = 'name' | 'size' | 'date';
export type SortDir = 'asc' | 'desc';

export interface Sortable {
  name: string;
  isDir: boolean;
  size: number;
  modTime: number;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Natural name order ("file 2" before "file 10", case and accents ignored), then exact order for ties. */
export function compareNames(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** The comparator for `key` and `dir`: folders always before files; ties broken by name ascending. */
export function comparator<T extends Sortable>(key: SortKey, dir: SortDir): (a: T, b: T) => number {
  const sign = dir === 'asc' ? 1 : -1;
  return (a, b) => {
    if (a.isDir !== b.isDir) return a.isDir ? -1 : 1;
    let c = 0;
    if (key === 'size') c = a.size - b.size;
    else if (key === 'date') c = a.modTime - b.modTime;
    else c = compareNames(a.name, b.name);
    return c !== 0 ? sign * c : compareNames(a.name, b.name);
  };
}

/** A sorted copy of `items`. */
export function sortEntries<T extends Sortable>(items: readonly T[], key: SortKey, dir: SortDir): T[] {
  return [...items].sort(comparator(key, dir));
}

/** The direction after clicking column `key` when the list is sorted by `current`: same column flips, a new one starts ascending (dates and sizes descending). */
export function nextSort(current: { key: SortKey; dir: SortDir }, key: SortKey): { key: SortKey; dir: SortDir } {
  if (current.key === key) return { key, dir: current.dir === 'asc' ? 'desc' : 'asc' };
  return { key, dir: key === 'name' ? 'asc' : 'desc' };
}
