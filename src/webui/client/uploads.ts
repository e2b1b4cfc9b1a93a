/**
 * The upload queue: each file is one PUT of the File itself as the request body (XMLHttpRequest, for its upload
 * progress events), so the browser streams it from disk and the server streams it on to 1fichier; nothing
 * holds a whole file in memory on either side. Two files go at a time. Folders of a dropped or picked folder
 * are created first (MKCOL, an existing folder is fine). A file is sent with `If-None-Match: *` unless the
 * person chose to replace it, so an upload never silently overwrites a file that appeared meanwhile; such a
 * failure offers "Replace". The file's own modification time goes along (X-OC-Mtime).
 */
import { API_HEADER } from '../shared/api.ts';
import type { Dav } from './dav.ts';
import { describeFailure, failureMessage, RequestFailed } from './messages.ts';
import { joinPath, parentOf } from './paths.ts';
import type { TransferItem } from './progress.ts';

export interface UploadItem extends TransferItem {
  id: number;
  file: File;
  /** Account path the file goes to. */
  path: string;
  /** The failure, in words. */
  error?: string;
  /** It failed because the name exists: it may be retried as a replacement. */
  exists?: boolean;
  replace: boolean;
}

/** A file to upload and its path relative to the target folder ('a.txt', 'photos/2024/b.jpg'). */
export interface PickedFile {
  file: File;
  rel: string;
}

const CONCURRENCY = 2;

export class Uploads {
  readonly items: UploadItem[] = [];
  #nextId = 1;
  #running = new Map<number, XMLHttpRequest>();

  constructor(
    private readonly dav: Dav,
    /** Something changed (progress, state): redraw. */
    private readonly onChange: () => void,
    /** A file landed at `path`. */
    private readonly onUploaded: (path: string) => void,
  ) {}

  /**
   * Queues `files` into folder `dir`, creating the sub-folders they need first. Files whose relative path is in
   * `replace` are sent without If-None-Match (they replace what is there).
   */
  async add(files: readonly PickedFile[], dir: string, replace: ReadonlySet<string> = new Set()): Promise<void> {
    const failedDirs = new Map<string, string>();
    for (const d of foldersOf(files)) {
      const path = joinPath(dir, d);
      if ([...failedDirs.keys()].some((f) => path.startsWith(`${f}/`))) continue;
      try {
        await this.dav.mkcol(path);
      } catch (err) {
        if (err instanceof RequestFailed && err.status === 405) continue;
        failedDirs.set(path, describeFailure(`create the folder ${path}`, err));
      }
    }
    for (const f of files) {
      const path = joinPath(dir, f.rel);
      const item: UploadItem = { id: this.#nextId++, file: f.file, path, size: f.file.size, loaded: 0, state: 'queued', replace: replace.has(f.rel) };
      const blocked = [...failedDirs].find(([d]) => path.startsWith(`${d}/`));
      if (blocked) Object.assign(item, { state: 'failed', error: blocked[1] });
      this.items.push(item);
    }
    this.onChange();
    this.#pump();
  }

  /** Stops item `id` (sending or queued). */
  cancel(id: number): void {
    const item = this.items.find((i) => i.id === id);
    if (!item || (item.state !== 'queued' && item.state !== 'running')) return;
    const xhr = this.#running.get(id);
    if (xhr) xhr.abort();
    else item.state = 'cancelled';
    this.onChange();
    this.#pump();
  }

  cancelAll(): void {
    for (const i of this.items) this.cancel(i.id);
  }

  /** Sends a failed item again; `replace` sends it without If-None-Match. */
  retry(id: number, replace: boolean): void {
    const item = this.items.find((i) => i.id === id);
    if (!item || (item.state !== 'failed' && item.state !== 'cancelled')) return;
    Object.assign(item, { state: 'queued', loaded: 0, replace, error: undefined, exists: undefined });
    this.onChange();
    this.#pump();
  }

  /** Forgets finished, failed and cancelled items. */
  clearFinished(): void {
    for (let i = this.items.length - 1; i >= 0; i--) if (this.items[i]!.state !== 'queued' && this.items[i]!.state !== 'running') this.items.splice(i, 1);
    this.onChange();
  }

  #pump(): void {
    while (this.#running.size < CONCURRENCY) {
      const next = this.items.find((i) => i.state === 'queued');
      if (!next) return;
      this.#send(next);
    }
  }

  #send(item: UploadItem): void {
    const xhr = new XMLHttpRequest();
    this.#running.set(item.id, xhr);
    item.state = 'running';
    const finish = (change: Partial<UploadItem>) => {
      this.#running.delete(item.id);
      Object.assign(item, change);
      this.onChange();
      if (item.state === 'done') this.onUploaded(item.path);
      this.#pump();
    };
    xhr.open('PUT', this.dav.href(item.path, false));
    xhr.setRequestHeader(API_HEADER, '1');
    xhr.setRequestHeader('X-OC-Mtime', String(Math.floor(item.file.lastModified / 1000)));
    if (!item.replace) xhr.setRequestHeader('If-None-Match', '*');
    xhr.upload.addEventListener('progress', (e) => {
      item.loaded = e.loaded;
      this.onChange();
    });
    xhr.addEventListener('load', () => {
      if (xhr.status === 201 || xhr.status === 204) return finish({ state: 'done', loaded: item.size });
      finish({ state: 'failed', exists: xhr.status === 412, error: failureMessage(`upload ${item.file.name}`, xhr.status, xhr.responseText) });
    });
    xhr.addEventListener('error', () => finish({ state: 'failed', error: failureMessage(`upload ${item.file.name}`, 0) }));
    xhr.addEventListener('abort', () => finish({ state: 'cancelled' }));
    xhr.send(item.file);
  }
}

/** The folders `files` need, parents before children ('a', 'a/b'), relative to the target folder. */
export function foldersOf(files: readonly { rel: string }[]): string[] {
  const dirs = new Set<string>();
  for (const f of files) for (let d = parentOf(f.rel); d !== ''; d = parentOf(d)) dirs.add(d);
  return [...dirs].sort((a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : 1));
}

/**
 * The files of a drop, folders walked (webkitGetAsEntry: the way browsers expose dropped folders). Must be called
 * from the drop handler itself: the DataTransfer items are gone once it returns, so their entries are taken first.
 */
export function droppedFiles(dt: DataTransfer): Promise<PickedFile[]> {
  const entries = Array.from(dt.items)
    .filter((i) => i.kind === 'file')
    .map((i) => i.webkitGetAsEntry())
    .filter((e): e is FileSystemEntry => e !== null);
  if (entries.length === 0) return Promise.resolve(Array.from(dt.files, (file) => ({ file, rel: file.name })));
  return (async () => (await Promise.all(entries.map((e) => walkEntry(e, '')))).flat())();
}

async function walkEntry(entry: FileSystemEntry, prefix: string): Promise<PickedFile[]> {
  const rel = joinPath(prefix, entry.name);
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    return [{ file, rel }];
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  const children: FileSystemEntry[] = [];
  // readEntries answers in batches (100 in Chromium) until it answers an empty one.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    children.push(...batch);
  }
  const nested = await Promise.all(children.map((c) => walkEntry(c, rel)));
  return nested.flat();
}

/** The files of an <input type=file> (with `webkitdirectory`, their paths inside the picked folder). */
export function pickedFiles(list: FileList): PickedFile[] {
  return Array.from(list, (file) => ({ file, rel: file.webkitRelativePath || file.name }));
}
