/**
 * When two names are the same name: the one rule the VFS tree, the WebDAV server and the CLI all use.
 *
 * - Canonical equivalence: macOS (Finder, its WebDAV client) writes names decomposed (Unicode NFD, `e` + U+0301),
 *   Linux and Windows composed (NFC, U+00E9). Both spellings are the same name: `nameKey` is the NFC form, and names
 *   with equal keys are one name everywhere (look-ups, replacing a file, MOVE/COPY targets, duplicate detection).
 *   Compatibility forms (NFKC) are NOT merged: 1fichier names encode forbidden characters as their full-width
 *   look-alikes (`＄` for `$`), which must stay distinct names.
 * - Case: only on request (rclone's --vfs-case-insensitive, for Windows clients): a look-up that finds no name
 *   of that spelling or an equivalent one falls back to the one name that matches ignoring case; with several
 *   such names it finds nothing (rclone's rule), so no look-up ever guesses.
 *
 * Names are never rewritten: what is stored keeps the form it was first written in; only comparisons use keys.
 */

/** Anything beyond ASCII; pure ASCII is always in NFC, so the common case skips normalisation. */
const NON_ASCII = /[^\p{ASCII}]/u;

/** The comparison key of a name: its NFC form (see the module doc). */
export function nameKey(name: string): string {
  return NON_ASCII.test(name) ? name.normalize('NFC') : name;
}

/** The case-folded key of a name (for case-insensitive look-ups only). */
export function foldKey(name: string): string {
  return nameKey(name).toLowerCase();
}

/** True when `a` and `b` are the same name (canonically equivalent). */
export function sameName(a: string, b: string): boolean {
  return a === b || nameKey(a) === nameKey(b);
}

/** The comparison key of a '/'-separated path: each segment's key. */
export function pathKey(path: string): string {
  return NON_ASCII.test(path) ? path.split('/').map(nameKey).join('/') : path;
}

/** True when `a` and `b` are the same path, segment by segment (see sameName). */
export function samePath(a: string, b: string): boolean {
  return a === b || pathKey(a) === pathKey(b);
}

/** True when path `p` is `dir` itself or below it, comparing by key ('' is the root, above everything). */
export function isWithinPath(p: string, dir: string): boolean {
  if (dir === '') return true;
  const pk = pathKey(p);
  const dk = pathKey(dir);
  return pk === dk || pk.startsWith(`${dk}/`);
}

export interface FindOptions {
  /** Fall back to the one name equal ignoring case (rclone --vfs-case-insensitive). */
  caseInsensitive?: boolean;
}

/**
 * The items of one folder by name, for look-ups by any spelling. Built over the caller's items in its order of
 * preference: when two names are equivalent (which a folder can hold: 1fichier stores names as given), the exact
 * spelling wins, then the one spelled in NFC, then the first of them in that order. Costs little for names already in NFC (all ASCII
 * names among them): only names whose key differs from their spelling are indexed twice, and the case-folded index
 * is built on the first case-insensitive look-up that needs it.
 */
export class NameIndex<T> {
  readonly #items: readonly T[];
  readonly #nameOf: (item: T) => string;
  readonly #exact = new Map<string, T>();
  readonly #byKey = new Map<string, T>();
  #folded: Map<string, T[]> | undefined;

  /** Indexes `items` (kept by reference, not copied) under `nameOf(item)`. */
  constructor(items: readonly T[], nameOf: (item: T) => string) {
    this.#items = items;
    this.#nameOf = nameOf;
    for (const item of items) {
      const name = nameOf(item);
      if (!this.#exact.has(name)) this.#exact.set(name, item);
      const key = nameKey(name);
      if (key !== name && !this.#byKey.has(key)) this.#byKey.set(key, item);
    }
  }

  /**
   * The item named `wanted`: its exact spelling, else an equivalent one (sameName), else with `caseInsensitive` the
   * only name equal ignoring case. Undefined when there is none (or, ignoring case, several).
   */
  find(wanted: string, opts: FindOptions = {}): T | undefined {
    const exact = this.#exact.get(wanted);
    if (exact !== undefined) return exact;
    const key = nameKey(wanted);
    const hit = this.#exact.get(key) ?? this.#byKey.get(key);
    if (hit !== undefined || !opts.caseInsensitive) return hit;
    const matches = this.#foldedIndex().get(foldKey(wanted));
    return matches?.length === 1 ? matches[0] : undefined;
  }

  #foldedIndex(): Map<string, T[]> {
    if (this.#folded) return this.#folded;
    const folded = new Map<string, T[]>();
    for (const item of this.#items) {
      const k = foldKey(this.#nameOf(item));
      const list = folded.get(k);
      if (list) list.push(item);
      else folded.set(k, [item]);
    }
    this.#folded = folded;
    return folded;
  }
}
