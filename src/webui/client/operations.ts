/**
 * The file operations of the toolbar, the keyboard and drag and drop: new folder, rename, move, delete, and the
 * question asked before an upload would replace files. Each is WebDAV requests (dav.ts) and dialogs; the page
 * (app.ts) says which folder is shown and how to show the result.
 */
import type { Api } from './api.ts';
import type { Dav, Entry } from './dav.ts';
import { chooseFolder, confirmDialog, nameDialog, openModal } from './dialogs.ts';
import { button, h } from './dom.ts';
import { plural } from './format.ts';
import { describeFailure } from './messages.ts';
import { baseName, isWithin, joinPath, nameProblem, parentOf } from './paths.ts';
import type { PickedFile } from './uploads.ts';

/** What the operations need from the page. */
export interface OpsHost {
  readonly dav: Dav;
  readonly api: Api;
  /** The folder shown. */
  readonly path: string;
  /** Its entries (none while search results are shown). */
  readonly entries: readonly Entry[];
  notify(message: string, kind?: 'info' | 'error'): void;
  /** Shows the folder (or the search) again, selecting `reveal` when given. */
  refresh(reveal?: string): Promise<void>;
}

type Item = Pick<Entry, 'path' | 'name' | 'isDir'>;

export async function newFolder(host: OpsHost): Promise<void> {
  const dir = host.path;
  const taken = (n: string) => (host.entries.some((e) => e.name === n) ? 'Something with that name already exists here.' : undefined);
  await nameDialog('New folder', 'Name', '', (n) => nameProblem(n) ?? taken(n), async (name) => {
    try {
      await host.dav.mkcol(joinPath(dir, name));
    } catch (err) {
      return describeFailure('create the folder', err);
    }
    await host.refresh(joinPath(dir, name));
    return undefined;
  });
}

export async function rename(host: OpsHost, item: Item): Promise<void> {
  const dir = parentOf(item.path);
  await nameDialog(`Rename “${item.name}”`, 'New name', item.name, (n) => nameProblem(n) ?? (n === item.name ? 'That is already its name.' : undefined), async (name) => {
    try {
      await host.dav.move(item.path, joinPath(dir, name), item.isDir);
    } catch (err) {
      return describeFailure('rename', err);
    }
    await host.refresh(joinPath(dir, name));
    return undefined;
  });
}

/** Asks for a target folder, then moves `items` there. */
export async function chooseAndMove(host: OpsHost, items: readonly Item[]): Promise<void> {
  if (items.length === 0) return;
  const paths = items.map((i) => i.path);
  const target = await chooseFolder((p) => host.api.list(p), `Move ${plural(items.length, 'item')} to…`, host.path, paths);
  if (target !== undefined) await moveInto(host, items, target);
}

/** Moves each of `items` into folder `dir` (never over an existing name; an item already there, or `dir` inside it, is left alone), then reports. */
export async function moveInto(host: OpsHost, items: readonly Item[], dir: string): Promise<void> {
  let moved = 0;
  for (const it of items) {
    if (parentOf(it.path) === dir || isWithin(dir, it.path)) continue;
    try {
      await host.dav.move(it.path, joinPath(dir, baseName(it.path)), it.isDir);
      moved++;
    } catch (err) {
      host.notify(describeFailure(`move ${baseName(it.path)}`, err), 'error');
    }
  }
  if (moved > 0) host.notify(`Moved ${plural(moved, 'item')} to /${dir}.`);
  await host.refresh();
}

/** Deletes `items` once confirmed. */
export async function deleteItems(host: OpsHost, items: readonly Item[]): Promise<void> {
  if (items.length === 0) return;
  const names = items.slice(0, 8).map((r) => h('li', {}, r.name + (r.isDir ? '/' : '')));
  const more = items.length > 8 ? h('li', { class: 'muted' }, `and ${plural(items.length - 8, 'more item')}`) : null;
  const dirs = items.some((r) => r.isDir);
  const ok = await confirmDialog(
    `Delete ${plural(items.length, 'item')}?`,
    [h('ul', { class: 'names' }, ...names, more), dirs ? h('p', {}, 'Folders are deleted with everything in them.') : '', h('p', {}, 'This cannot be undone.')],
    'Delete',
    { danger: true },
  );
  if (!ok) return;
  let deleted = 0;
  for (const it of items) {
    try {
      await host.dav.remove(it.path, it.isDir);
      deleted++;
    } catch (err) {
      host.notify(describeFailure(`delete ${it.name}`, err), 'error');
    }
  }
  if (deleted > 0) host.notify(`Deleted ${plural(deleted, 'item')}.`);
  await host.refresh();
}

/**
 * Before uploading `files` into the folder shown: when some have the name of a file there, asks whether to
 * replace them, skip them, or cancel. Resolves with the files to send and the relative paths that may replace,
 * or undefined when cancelled.
 */
export async function resolveClashes(host: OpsHost, files: PickedFile[]): Promise<{ files: PickedFile[]; replace: Set<string> } | undefined> {
  const existing = new Set(host.entries.filter((e) => !e.isDir).map((e) => e.name));
  const clashes = files.filter((f) => !f.rel.includes('/') && existing.has(f.rel));
  if (clashes.length === 0) return { files, replace: new Set() };
  const choice = await askReplace(clashes.map((c) => c.rel));
  if (choice === 'cancel') return undefined;
  if (choice === 'replace') return { files, replace: new Set(clashes.map((c) => c.rel)) };
  return { files: files.filter((f) => !clashes.includes(f)), replace: new Set() };
}

function askReplace(names: string[]): Promise<'replace' | 'skip' | 'cancel'> {
  return new Promise((resolve) => {
    let answer: 'replace' | 'skip' | 'cancel' = 'cancel';
    const list = h('ul', { class: 'names' }, ...names.slice(0, 8).map((n) => h('li', {}, n)), names.length > 8 ? h('li', { class: 'muted' }, `and ${names.length - 8} more`) : null);
    const m = openModal(`${plural(names.length, 'file')} already ${names.length === 1 ? 'exists' : 'exist'} here`, [list], { onClose: () => resolve(answer) });
    const pick = (a: typeof answer) => () => {
      answer = a;
      m.close();
    };
    m.actions.append(button('Cancel', pick('cancel')), button('Skip them', pick('skip')), button('Replace', pick('replace'), { class: 'danger' }));
  });
}
