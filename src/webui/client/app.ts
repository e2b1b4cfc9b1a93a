/**
 * The file manager page: state (the folder shown or a search, its entries, the sort), the toolbar and its
 * actions, navigation (history: each folder has its own URL, Back/Forward work), and the glue between the list,
 * the dialogs, the uploads and the endpoints.
 *
 * Write actions (upload, new folder, rename, move, delete, remote upload) are not offered on a read-only server;
 * the server refuses them anyway.
 */
import type { AboutJson, SearchJson } from '../shared/api.ts';
import { Api } from './api.ts';
import { Dav, type Entry } from './dav.ts';
import { button, h } from './dom.ts';
import { formatSize, plural } from './format.ts';
import { linksDialog } from './links.ts';
import { acceptRowDrops, ListView, type Row } from './listview.ts';
import { describeFailure } from './messages.ts';
import { accountBox, emulatorNotice, toast, UploadsPanel } from './panels.ts';
import { chooseAndMove, deleteItems, moveInto, newFolder, rename, resolveClashes, type OpsHost } from './operations.ts';
import { baseName, crumbs, isWithin, parentOf, pathOfHref } from './paths.ts';
import { remoteUploadDialog } from './remote.ts';
import { comparator, nextSort, type SortDir, type SortKey } from './sort.ts';
import { droppedFiles, pickedFiles, Uploads, type PickedFile } from './uploads.ts';

export interface AppConfig {
  /** The server's base URL prefix, percent-encoded ('' or '/dav'). */
  base: string;
  readOnly: boolean;
}

type Mode = { kind: 'folder' } | { kind: 'search'; result: SearchJson };

export class App {
  readonly #dav: Dav;
  readonly #api: Api;
  readonly #list: ListView;
  readonly #uploads: Uploads;
  readonly #panel: UploadsPanel;
  #path = '';
  #entries: Entry[] = [];
  #mode: Mode = { kind: 'folder' };
  #sort: { key: SortKey; dir: SortDir } = { key: 'name', dir: 'asc' };
  #loading: AbortController | undefined;
  #reloadTimer = 0;

  readonly #crumbs = h('nav', { class: 'crumbs', attrs: { 'aria-label': 'Folder path' } });
  readonly #notice = h('div', { class: 'notice', attrs: { hidden: '', role: 'status' } });
  readonly #status = h('footer', { class: 'statusbar', attrs: { role: 'status' } });
  readonly #toasts = h('div', { class: 'toasts' });
  readonly #account = h('div', { class: 'account-slot' });
  readonly #banner = h('div', { class: 'banner-slot' });
  readonly #search = h('input', { class: 'search', attrs: { type: 'search', placeholder: 'Search the account…', 'aria-label': 'Search the account by name', spellcheck: 'false' } });
  readonly #selectionButtons: { el: HTMLButtonElement; min: number; max?: number }[] = [];
  readonly #fileInput = h('input', { attrs: { type: 'file', multiple: '', hidden: '', 'aria-label': 'Files to upload', 'data-upload': 'files' } });
  readonly #folderInput = h('input', { attrs: { type: 'file', multiple: '', hidden: '', webkitdirectory: '', 'aria-label': 'Folder to upload', 'data-upload': 'folder' } });

  constructor(private readonly config: AppConfig) {
    this.#dav = new Dav(config.base);
    this.#api = new Api(config.base);
    this.#list = new ListView({
      open: (row) => this.#open(row),
      sort: (key) => this.#setSort(key),
      selectionChanged: () => this.#updateStatus(),
      key: (ev) => this.#onKey(ev),
      ...(config.readOnly ? {} : { moveInto: (paths: string[], dir: string) => void this.#moveAll(paths, dir) }),
    });
    this.#uploads = new Uploads(this.#dav, () => this.#panel.update(), (path) => this.#uploaded(path));
    this.#panel = new UploadsPanel(this.#uploads);
  }

  /** Builds the page into `root` and shows the folder of the current URL. */
  start(root: HTMLElement): void {
    const ro = this.config.readOnly;
    const tool = (label: string, fn: () => void, title: string, select?: { min: number; max?: number }) => {
      const b = button(label, fn, { title, attrs: { 'data-action': label.toLowerCase().replace(/[^a-z]+/g, '-') } });
      if (select) this.#selectionButtons.push({ el: b, ...select });
      return b;
    };
    const toolbar = h(
      'div',
      { class: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Actions' } },
      ro ? null : tool('Upload files', () => this.#fileInput.click(), 'Upload files from this computer'),
      ro ? null : tool('Upload folder', () => this.#folderInput.click(), 'Upload a folder and everything in it'),
      ro ? null : tool('New folder', () => void newFolder(this.#host()), 'Create a folder here'),
      ro ? null : tool('Rename', () => this.#rename(), 'Rename the selected item (F2)', { min: 1, max: 1 }),
      ro ? null : tool('Move', () => void chooseAndMove(this.#host(), this.#selectedItems()), 'Move the selection to another folder', { min: 1 }),
      ro ? null : tool('Delete', () => void deleteItems(this.#host(), this.#selectedItems()), 'Delete the selection (Delete key)', { min: 1 }),
      tool('Links', () => this.#links(), 'Direct download links of the selected files (folders: every file inside)', { min: 1 }),
      ro ? null : tool('Remote upload', () => remoteUploadDialog(this.#api, this.#path, (f) => this.#changed(f)), 'Have 1fichier fetch URLs into a folder'),
      tool('Reload', () => void this.#reload(), 'List this folder again from the account'),
    );
    this.#search.addEventListener('input', debounce(() => void this.#runSearch(), 300));
    this.#search.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') {
        this.#search.value = '';
        this.#leaveSearch();
      } else if (ev.key === 'ArrowDown') {
        ev.preventDefault();
        this.#list.focus();
      }
    });
    for (const input of [this.#fileInput, this.#folderInput]) {
      input.addEventListener('change', () => {
        const files = input.files ? pickedFiles(input.files) : [];
        input.value = '';
        if (files.length > 0) void this.#upload(files);
      });
    }
    const main = h('main', { class: 'main' }, this.#crumbs, this.#notice, this.#list.el);
    if (!ro) this.#dropZone(main);
    root.replaceChildren(
      h('header', { class: 'topbar' }, h('a', { class: 'brand', attrs: { href: `${this.config.base}/` } }, 'fichier-dav'), this.#search, this.#account),
      this.#banner,
      toolbar,
      main,
      this.#status,
      this.#panel.el,
      this.#toasts,
      this.#fileInput,
      this.#folderInput,
    );
    document.addEventListener('keydown', (ev) => {
      const typing = ev.target instanceof HTMLInputElement || ev.target instanceof HTMLTextAreaElement;
      if (ev.key === '/' && !typing && !document.querySelector('dialog[open]')) {
        ev.preventDefault();
        this.#search.focus();
      }
    });
    window.addEventListener('popstate', () => void this.#go(this.#pathOfLocation(), { push: false }));
    void this.#loadAbout();
    void this.#go(this.#pathOfLocation(), { push: false, replace: true });
    this.#list.focus();
  }

  #pathOfLocation(): string {
    return pathOfHref(this.config.base, location.pathname) ?? '';
  }

  async #loadAbout(): Promise<void> {
    let about: AboutJson;
    try {
      about = await this.#api.about();
    } catch {
      return;
    }
    this.#account.replaceChildren(accountBox(about));
    if (about.emulator) this.#banner.replaceChildren(emulatorNotice());
  }

  /** Shows folder `path`: a new history entry unless `push` is false (Back/Forward, the first load). */
  async #go(path: string, opts: { push: boolean; replace?: boolean; reveal?: string }): Promise<void> {
    this.#loading?.abort();
    const ac = new AbortController();
    this.#loading = ac;
    const href = this.#dav.href(path, true);
    if (opts.push && location.pathname !== href) history.pushState(null, '', href);
    else if (opts.replace && location.pathname !== href) history.replaceState(null, '', href);
    this.#path = path;
    this.#mode = { kind: 'folder' };
    this.#search.value = '';
    document.title = `/${path} – fichier-dav`;
    this.#crumbs.replaceChildren(...this.#crumbTrail(path));
    this.#setNotice(undefined);
    let entries: Entry[];
    try {
      entries = await this.#api.list(path, ac.signal);
    } catch (err) {
      if (ac.signal.aborted) return;
      this.#entries = [];
      this.#draw();
      this.#setNotice(describeFailure('list this folder', err), 'error');
      return;
    }
    if (ac.signal.aborted) return;
    this.#entries = entries;
    this.#draw();
    performance.mark('fdav-listed');
    if (opts.reveal !== undefined) this.#list.reveal(opts.reveal);
  }

  #crumbTrail(path: string): Node[] {
    const trail = crumbs(path);
    return trail.map((c, i) => {
      const last = i === trail.length - 1;
      const a = h('a', { class: 'crumb', attrs: { href: this.#dav.href(c.path, true), ...(last ? { 'aria-current': 'page' } : {}) } }, c.name);
      a.addEventListener('click', (ev) => {
        if (ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
        ev.preventDefault();
        void this.#go(c.path, { push: true });
      });
      if (!this.config.readOnly && !last) acceptRowDrops(a, () => true, (paths) => void this.#moveAll(paths, c.path));
      return a;
    });
  }

  /** Redraws the list from the state. */
  #draw(): void {
    const cmp = comparator<Entry>(this.#sort.key, this.#sort.dir);
    if (this.#mode.kind === 'search') {
      const result = this.#mode.result;
      const rows: Row[] = result.hits
        .map((hit) => ({ path: hit.path, name: hit.name, isDir: hit.kind === 'dir', size: hit.size, modTime: hit.modTime }))
        .sort(cmp)
        .map((entry) => ({ entry, href: this.#dav.href(entry.path, entry.isDir), folder: parentOf(entry.path) }));
      this.#list.setRows(rows, { sort: this.#sort, withFolder: true, emptyText: `Nothing named like “${result.query}” in the folders listed so far.` });
    } else {
      const rows = [...this.#entries].sort(cmp).map((entry) => ({ entry, href: this.#dav.href(entry.path, entry.isDir) }));
      this.#list.setRows(rows, { sort: this.#sort, withFolder: false, emptyText: 'This folder is empty.' });
    }
    this.#updateStatus();
  }

  #setSort(key: SortKey): void {
    this.#sort = nextSort(this.#sort, key);
    this.#draw();
  }

  #setNotice(text: string | undefined, kind: 'info' | 'error' = 'info'): void {
    this.#notice.hidden = text === undefined;
    this.#notice.className = `notice ${kind}`;
    this.#notice.textContent = text ?? '';
  }

  #updateStatus(): void {
    const rows = this.#list.rows;
    const dirs = rows.filter((r) => r.entry.isDir).length;
    const files = rows.length - dirs;
    const bytes = rows.reduce((n, r) => n + (r.entry.isDir ? 0 : r.entry.size), 0);
    const sel = this.#list.selectedRows();
    const selBytes = sel.reduce((n, r) => n + (r.entry.isDir ? 0 : r.entry.size), 0);
    const what = this.#mode.kind === 'search' ? `${plural(rows.length, 'match', 'matches')}` : `${plural(dirs, 'folder')}, ${plural(files, 'file')} · ${formatSize(bytes)}`;
    this.#status.replaceChildren(h('span', {}, what), sel.length > 0 ? h('span', {}, ` · ${sel.length.toLocaleString('en-US')} selected (${formatSize(selBytes)})`) : '');
    for (const b of this.#selectionButtons) b.el.disabled = sel.length < b.min || (b.max !== undefined && sel.length > b.max);
  }

  #open(row: Row): void {
    const e = row.entry;
    if (e.isDir) {
      void this.#go(e.path, { push: true });
    } else if (this.#mode.kind === 'search') {
      void this.#go(parentOf(e.path), { push: true, reveal: e.path });
    } else {
      const a = h('a', { attrs: { href: row.href, download: e.name } });
      a.click();
    }
  }

  #onKey(ev: KeyboardEvent): void {
    const ro = this.config.readOnly;
    if (ev.key === 'Backspace' || (ev.key === 'ArrowUp' && ev.altKey)) {
      ev.preventDefault();
      if (this.#mode.kind === 'search') this.#leaveSearch();
      else if (this.#path !== '') void this.#go(parentOf(this.#path), { push: true, reveal: this.#path });
    } else if (ev.key === 'Delete' && !ro) {
      ev.preventDefault();
      void deleteItems(this.#host(), this.#selectedItems());
    } else if (ev.key === 'F2' && !ro) {
      ev.preventDefault();
      this.#rename();
    } else if (ev.key === 'Escape') {
      if (this.#mode.kind === 'search') this.#leaveSearch();
      else this.#list.clearSelection();
    }
  }

  async #runSearch(): Promise<void> {
    const q = this.#search.value.trim();
    if (q === '') return this.#leaveSearch();
    let result: SearchJson;
    try {
      result = await this.#api.search(q);
    } catch (err) {
      this.#setNotice(describeFailure('search', err), 'error');
      return;
    }
    if (this.#search.value.trim() !== q) return;
    this.#mode = { kind: 'search', result };
    const notes: string[] = [`Search results for “${q}” across the account.`];
    if (result.truncated) notes.push(`Only the first ${result.hits.length} are shown.`);
    const { rootListed, unlistedDirs } = result.coverage;
    if (!rootListed || unlistedDirs > 0) {
      notes.push(
        `Search uses what the gateway has listed so far: ${!rootListed ? 'the top folder has never been listed' : `${plural(unlistedDirs, 'folder')} ${unlistedDirs === 1 ? 'has' : 'have'} never been listed`}, so ${unlistedDirs === 1 && rootListed ? 'its' : 'their'} contents are not searched. Opening a folder lists it.`,
      );
    }
    this.#setNotice(notes.join(' '));
    this.#draw();
  }

  #leaveSearch(): void {
    if (this.#mode.kind !== 'search') return;
    this.#mode = { kind: 'folder' };
    this.#setNotice(undefined);
    this.#draw();
  }

  /** Re-lists the folder from the account (changes made elsewhere), then shows it. */
  async #reload(): Promise<void> {
    try {
      await this.#api.refresh(this.#path);
    } catch (err) {
      toast(this.#toasts, describeFailure('reload from the account', err), 'error');
    }
    await this.#go(this.#path, { push: false });
  }

  /** Something changed in folder `dir`: show it again if it is on screen. */
  #changed(dir: string): void {
    if (this.#mode.kind === 'folder' && dir === this.#path) void this.#go(this.#path, { push: false });
  }

  #uploaded(path: string): void {
    if (!isWithin(path, this.#path) || this.#mode.kind !== 'folder') return;
    // Several files often land together: list once they stop landing (the listing is cached: no API call).
    clearTimeout(this.#reloadTimer);
    this.#reloadTimer = window.setTimeout(() => this.#changed(this.#path), 400);
  }

  #rename(): void {
    const items = this.#selectedItems();
    if (items.length === 1) void rename(this.#host(), items[0]!);
  }

  /** Rows dragged onto a folder: the dragged paths, as the list knows them. */
  #moveAll(paths: string[], dir: string): Promise<void> {
    const known = new Map(this.#list.rows.map((r) => [r.entry.path, r.entry]));
    const items = paths.map((p) => known.get(p) ?? { path: p, name: baseName(p), isDir: false });
    return moveInto(this.#host(), items, dir);
  }

  #selectedPaths(): string[] {
    return this.#list.selectedRows().map((r) => r.entry.path);
  }

  #links(): void {
    const paths = this.#selectedPaths();
    if (paths.length > 0) linksDialog(this.#api, paths);
  }

  async #refreshView(reveal?: string): Promise<void> {
    if (this.#mode.kind === 'search') await this.#runSearch();
    else await this.#go(this.#path, { push: false, ...(reveal !== undefined ? { reveal } : {}) });
  }

  #selectedItems(): Entry[] {
    return this.#list.selectedRows().map((r) => r.entry);
  }

  /** Files dropped anywhere on `zone` from outside the page are uploaded into the folder shown. */
  #dropZone(zone: HTMLElement): void {
    const fromOutside = (ev: DragEvent) => ev.dataTransfer?.types.includes('Files') === true;
    zone.addEventListener('dragover', (ev) => {
      if (!fromOutside(ev)) return;
      ev.preventDefault();
      zone.classList.add('dropping');
    });
    zone.addEventListener('dragleave', (ev) => {
      if (ev.target === zone) zone.classList.remove('dropping');
    });
    zone.addEventListener('drop', (ev) => {
      zone.classList.remove('dropping');
      if (!fromOutside(ev) || !ev.dataTransfer) return;
      ev.preventDefault();
      void droppedFiles(ev.dataTransfer).then((files) => this.#upload(files));
    });
  }

  /** Uploads `files` into the folder shown, asking first about names that exist there already. */
  async #upload(files: PickedFile[]): Promise<void> {
    const dir = this.#path;
    const plan = await resolveClashes(this.#host(), files);
    if (plan) await this.#uploads.add(plan.files, dir, plan.replace);
  }

  /** The page as the file operations see it. */
  #host(): OpsHost {
    return {
      dav: this.#dav,
      api: this.#api,
      path: this.#path,
      entries: this.#mode.kind === 'folder' ? this.#entries : [],
      notify: (message, kind) => toast(this.#toasts, message, kind),
      refresh: (reveal) => this.#refreshView(reveal),
    };
  }
}

function debounce(fn: () => void, ms: number): () => void {
  let t = 0;
  return () => {
    clearTimeout(t);
    t = window.setTimeout(fn, ms);
  };
}
