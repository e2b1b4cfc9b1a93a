/**
 * Which rows are selected and which has the keyboard focus, over a list of keys in display order, with the
 * usual desktop rules: a click selects one row, Ctrl/Cmd+click toggles one, Shift+click (or Shift+arrow)
 * selects the range from the anchor. Pure: no DOM.
 */
export class Selection {
  #keys: readonly string[] = [];
  #selected = new Set<string>();
  /** Index of the row with the keyboard focus, -1 for none. */
  focus = -1;
  #anchor = -1;

  /** Replaces the list (a new folder, a new sort): selection and focus follow their keys where they still exist. */
  setKeys(keys: readonly string[]): void {
    const focused = this.focusedKey;
    const anchored = this.#anchor >= 0 ? this.#keys[this.#anchor] : undefined;
    this.#keys = keys;
    const present = new Set(keys);
    this.#selected = new Set([...this.#selected].filter((k) => present.has(k)));
    this.focus = focused === undefined ? -1 : keys.indexOf(focused);
    this.#anchor = anchored === undefined ? -1 : keys.indexOf(anchored);
  }

  get size(): number {
    return this.#selected.size;
  }

  get focusedKey(): string | undefined {
    return this.focus >= 0 ? this.#keys[this.focus] : undefined;
  }

  isSelected(key: string): boolean {
    return this.#selected.has(key);
  }

  /** The selected keys in display order. */
  selectedKeys(): string[] {
    return this.#keys.filter((k) => this.#selected.has(k));
  }

  /** A click on row `index` with the modifier keys held. */
  click(index: number, mods: { toggle?: boolean; range?: boolean } = {}): void {
    const key = this.#keys[index];
    if (key === undefined) return;
    if (mods.range && this.#anchor >= 0) {
      this.#selectRange(this.#anchor, index, Boolean(mods.toggle));
    } else if (mods.toggle) {
      if (this.#selected.has(key)) this.#selected.delete(key);
      else this.#selected.add(key);
      this.#anchor = index;
    } else {
      this.#selected = new Set([key]);
      this.#anchor = index;
    }
    this.focus = index;
  }

  /** Space on the focused row: toggles it. */
  toggleFocused(): void {
    if (this.focus >= 0) this.click(this.focus, { toggle: true });
  }

  /** Moves the focus by `delta` rows (clamped); `extend` selects the range from the anchor, else the focused row alone. */
  moveFocus(delta: number, extend = false): void {
    if (this.#keys.length === 0) return;
    const from = this.focus < 0 ? (delta > 0 ? -1 : this.#keys.length) : this.focus;
    const to = Math.min(this.#keys.length - 1, Math.max(0, from + delta));
    this.click(to, { range: extend });
  }

  selectAll(): void {
    this.#selected = new Set(this.#keys);
  }

  clear(): void {
    this.#selected.clear();
  }

  /** Selects exactly `key` and focuses it (a search hit opened in its folder). Returns false when absent. */
  only(key: string): boolean {
    const i = this.#keys.indexOf(key);
    if (i < 0) return false;
    this.click(i);
    return true;
  }

  #selectRange(a: number, b: number, keep: boolean): void {
    if (!keep) this.#selected.clear();
    for (let i = Math.min(a, b); i <= Math.max(a, b); i++) this.#selected.add(this.#keys[i]!);
  }
}
