/**
 * The file list: a grid of rows, virtualised so that a folder of any size costs the same to show and to scroll.
 * Only the rows in view (plus a margin) exist in the DOM; the rest is an empty spacer of the full height. Rows have
 * one fixed height (the stylesheet's --row-height must match ROW_HEIGHT).
 *
 * Keyboard (the list has the focus): arrows move, Shift+arrows extend the selection, Space toggles, Enter opens,
 * Home/End/PageUp/PageDown jump, Ctrl/Cmd+A selects all; Backspace, Delete, F2 and Escape are handed to the
 * app. Mouse: click selects, Ctrl/Cmd+click toggles, Shift+click selects a range, double-click opens; rows
 * can be dragged onto a folder row (a move) when the server is writable.
 */
import { append, h } from './dom.ts';
import type { Entry } from './dav.ts';
import { iconKind } from './filetypes.ts';
import { formatDate, formatSize } from './format.ts';
import { icon } from './icons.ts';
import { Selection } from './selection.ts';
import type { SortDir, SortKey } from './sort.ts';

export const ROW_HEIGHT = 36;
const OVERSCAN = 8;
/** The drag payload type of rows dragged inside the page. */
export const DRAG_TYPE = 'application/x-fichier-dav-paths';

/**
 * Makes `el` a drop target for rows dragged inside the page: highlighted while rows hover it (when `accepts()`),
 * `onDrop(paths)` when they are dropped.
 */
export function acceptRowDrops(el: HTMLElement, accepts: () => boolean, onDrop: (paths: string[]) => void): void {
  el.addEventListener('dragover', (ev) => {
    if (!ev.dataTransfer?.types.includes(DRAG_TYPE) || !accepts()) return;
    ev.preventDefault();
    ev.dataTransfer.dropEffect = 'move';
    el.classList.add('drop-target');
  });
  el.addEventListener('dragleave', () => el.classList.remove('drop-target'));
  el.addEventListener('drop', (ev) => {
    el.classList.remove('drop-target');
    const raw = ev.dataTransfer?.getData(DRAG_TYPE);
    if (!raw) return;
    ev.preventDefault();
    ev.stopPropagation();
    onDrop(JSON.parse(raw) as string[]);
  });
}

export interface Row {
  entry: Entry;
  /** URL the name links to (a folder's page, a file's bytes). */
  href: string;
  /** The folder shown in the Folder column (search results), if any. */
  folder?: string;
}

export interface ListHandlers {
  open(row: Row): void;
  sort(key: SortKey): void;
  selectionChanged(): void;
  /** Keys the list does not handle itself (Backspace, Delete, F2, Escape). */
  key(ev: KeyboardEvent): void;
  /** `paths` were dropped on folder `dir`; undefined when rows cannot be moved (read-only). */
  moveInto?: (paths: string[], dir: string) => void;
}

export class ListView {
  readonly el: HTMLElement;
  readonly selection = new Selection();
  #rows: Row[] = [];
  readonly #head: HTMLElement;
  readonly #viewport: HTMLElement;
  readonly #spacer: HTMLElement;
  readonly #empty: HTMLElement;
  #withFolder = false;
  #sort: { key: SortKey; dir: SortDir } = { key: 'name', dir: 'asc' };
  #frame = 0;

  constructor(private readonly handlers: ListHandlers) {
    this.#head = h('div', { class: 'list-head', attrs: { role: 'row' } });
    this.#spacer = h('div', { class: 'list-spacer', attrs: { role: 'presentation' } });
    this.#viewport = h(
      'div',
      {
        class: 'list-viewport',
        attrs: { role: 'grid', tabindex: '0', 'aria-multiselectable': 'true', 'aria-label': 'Files and folders' },
        on: { scroll: () => this.#schedule(), keydown: (ev) => this.#onKey(ev) },
      },
      this.#spacer,
    );
    this.#empty = h('p', { class: 'list-empty', attrs: { hidden: '' } });
    this.el = h('section', { class: 'list' }, this.#head, this.#viewport, this.#empty);
    new ResizeObserver(() => this.#schedule()).observe(this.#viewport);
  }

  get rows(): readonly Row[] {
    return this.#rows;
  }

  /** The rows selected, in display order. */
  selectedRows(): Row[] {
    return this.#rows.filter((r) => this.selection.isSelected(r.entry.path));
  }

  focus(): void {
    this.#viewport.focus();
  }

  /** Shows `rows` (already sorted). `emptyText` is shown when there are none. */
  setRows(rows: Row[], opts: { sort: { key: SortKey; dir: SortDir }; withFolder: boolean; emptyText: string }): void {
    this.#rows = rows;
    this.#sort = opts.sort;
    this.#withFolder = opts.withFolder;
    this.selection.setKeys(rows.map((r) => r.entry.path));
    this.#empty.textContent = opts.emptyText;
    this.#empty.hidden = rows.length > 0;
    this.#spacer.style.height = `${rows.length * ROW_HEIGHT}px`;
    this.#viewport.setAttribute('aria-rowcount', String(rows.length));
    this.el.classList.toggle('with-folder', opts.withFolder);
    this.#renderHead();
    this.#render();
  }

  /** Selects and scrolls to the row of `path`, if shown. */
  reveal(path: string): void {
    if (!this.selection.only(path)) return;
    this.#scrollToFocus();
    this.#render();
    this.handlers.selectionChanged();
  }

  selectAll(): void {
    this.selection.selectAll();
    this.#render();
    this.handlers.selectionChanged();
  }

  clearSelection(): void {
    this.selection.clear();
    this.#render();
    this.handlers.selectionChanged();
  }

  #renderHead(): void {
    const col = (key: SortKey, label: string, cls: string) => {
      const active = this.#sort.key === key;
      return h(
        'div',
        { class: `cell ${cls}`, attrs: { role: 'columnheader', 'aria-sort': active ? (this.#sort.dir === 'asc' ? 'ascending' : 'descending') : 'none' } },
        h('button', { class: 'sort', attrs: { type: 'button', 'data-sort': key }, on: { click: () => this.handlers.sort(key) } }, label, active ? (this.#sort.dir === 'asc' ? ' ▲' : ' ▼') : ''),
      );
    };
    this.#head.replaceChildren();
    append(this.#head, [
      h('div', { class: 'cell c-check', attrs: { role: 'columnheader' } }),
      col('name', 'Name', 'c-name'),
      this.#withFolder && h('div', { class: 'cell c-folder', attrs: { role: 'columnheader' } }, 'Folder'),
      col('size', 'Size', 'c-size'),
      col('date', 'Modified', 'c-date'),
    ]);
  }

  #schedule(): void {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#render();
    });
  }

  /** Draws the rows in view. */
  #render(): void {
    const top = this.#viewport.scrollTop;
    const height = this.#viewport.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(this.#rows.length, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
    const nodes: HTMLElement[] = [];
    for (let i = first; i < last; i++) nodes.push(this.#rowElement(i));
    this.#spacer.replaceChildren(...nodes);
    const focused = this.selection.focus;
    if (focused >= 0) this.#viewport.setAttribute('aria-activedescendant', `row-${focused}`);
    else this.#viewport.removeAttribute('aria-activedescendant');
  }

  #rowElement(i: number): HTMLElement {
    const row = this.#rows[i]!;
    const e = row.entry;
    const selected = this.selection.isSelected(e.path);
    const link = h('a', { class: 'name', attrs: { href: row.href, draggable: 'false', ...(e.isDir ? {} : { download: e.name }) } }, e.name);
    link.addEventListener('click', (ev) => {
      if (ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0) return;
      ev.preventDefault();
      ev.stopPropagation();
      this.handlers.open(row);
    });
    const el = h(
      'div',
      {
        class: `row${selected ? ' selected' : ''}${i === this.selection.focus ? ' focused' : ''}`,
        attrs: { role: 'row', id: `row-${i}`, 'aria-rowindex': String(i + 1), 'aria-selected': String(selected), 'data-path': e.path, 'data-kind': e.isDir ? 'dir' : 'file' },
      },
      h('div', { class: 'cell c-check', attrs: { role: 'gridcell' } }, h('span', { class: `check${selected ? ' on' : ''}`, attrs: { 'aria-hidden': 'true' } })),
      h('div', { class: 'cell c-name', attrs: { role: 'gridcell' } }, icon(iconKind(e.name, e.isDir)), link),
      this.#withFolder ? h('div', { class: 'cell c-folder', attrs: { role: 'gridcell' } }, row.folder === '' ? '/' : (row.folder ?? '')) : null,
      h('div', { class: 'cell c-size', attrs: { role: 'gridcell', title: e.isDir ? '' : `${e.size.toLocaleString('en-US')} bytes` } }, e.isDir ? '' : formatSize(e.size)),
      h('div', { class: 'cell c-date', attrs: { role: 'gridcell' } }, formatDate(e.modTime)),
    );
    el.style.transform = `translateY(${i * ROW_HEIGHT}px)`;
    el.addEventListener('mousedown', (ev) => {
      if (ev.shiftKey) ev.preventDefault(); // no text selection on shift+click
    });
    el.addEventListener('click', (ev) => {
      const onCheck = (ev.target as Element).closest('.c-check') !== null;
      this.selection.click(i, { toggle: ev.ctrlKey || ev.metaKey || onCheck, range: ev.shiftKey });
      this.#render();
      this.handlers.selectionChanged();
    });
    el.addEventListener('dblclick', () => this.handlers.open(row));
    if (this.handlers.moveInto) this.#dragAndDrop(el, row, i);
    return el;
  }

  #dragAndDrop(el: HTMLElement, row: Row, i: number): void {
    const moveInto = this.handlers.moveInto!;
    el.draggable = true;
    el.addEventListener('dragstart', (ev) => {
      if (!this.selection.isSelected(row.entry.path)) {
        this.selection.click(i);
        this.handlers.selectionChanged();
      }
      ev.dataTransfer?.setData(DRAG_TYPE, JSON.stringify(this.selectedRows().map((r) => r.entry.path)));
      if (ev.dataTransfer) ev.dataTransfer.effectAllowed = 'move';
    });
    if (row.entry.isDir) acceptRowDrops(el, () => !this.selection.isSelected(row.entry.path), (paths) => moveInto(paths, row.entry.path));
  }

  #scrollToFocus(): void {
    const i = this.selection.focus;
    if (i < 0) return;
    const top = i * ROW_HEIGHT;
    const vp = this.#viewport;
    if (top < vp.scrollTop) vp.scrollTop = top;
    else if (top + ROW_HEIGHT > vp.scrollTop + vp.clientHeight) vp.scrollTop = top + ROW_HEIGHT - vp.clientHeight;
  }

  #onKey(ev: KeyboardEvent): void {
    const page = Math.max(1, Math.floor(this.#viewport.clientHeight / ROW_HEIGHT) - 1);
    const move = (delta: number) => {
      ev.preventDefault();
      this.selection.moveFocus(delta, ev.shiftKey);
      this.#scrollToFocus();
      this.#render();
      this.handlers.selectionChanged();
    };
    switch (ev.key) {
      case 'ArrowDown':
        return move(1);
      case 'ArrowUp':
        if (ev.altKey) return this.handlers.key(ev);
        return move(-1);
      case 'PageDown':
        return move(page);
      case 'PageUp':
        return move(-page);
      case 'Home':
        return move(-this.#rows.length);
      case 'End':
        return move(this.#rows.length);
      case ' ':
        ev.preventDefault();
        this.selection.toggleFocused();
        this.#render();
        this.handlers.selectionChanged();
        return;
      case 'Enter': {
        const row = this.#rows[this.selection.focus];
        if (row) {
          ev.preventDefault();
          this.handlers.open(row);
        }
        return;
      }
      case 'a':
      case 'A':
        if (ev.ctrlKey || ev.metaKey) {
          ev.preventDefault();
          this.selectAll();
        }
        return;
      default:
        this.handlers.key(ev);
    }
  }
}
