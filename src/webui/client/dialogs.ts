/**
 * Modal dialogs on the native <dialog> element (focus stays inside, Escape closes): a generic frame, and the
 * small ones (confirm, ask for a name, choose a folder). The links and remote upload dialogs are in their own
 * modules.
 */
import type { Entry } from './dav.ts';
import { button, h } from './dom.ts';
import { icon } from './icons.ts';
import { describeFailure } from './messages.ts';
import { crumbs, isWithin, joinPath } from './paths.ts';
import { compareNames } from './sort.ts';

export interface Modal {
  dialog: HTMLDialogElement;
  body: HTMLElement;
  actions: HTMLElement;
  close(): void;
  /** Resolves when the dialog is closed, however. */
  closed: Promise<void>;
}

/** Opens a modal dialog titled `title` with `content`; it removes itself from the page when closed. */
export function openModal(title: string, content: (Node | string)[], opts: { wide?: boolean; onClose?: () => void } = {}): Modal {
  const body = h('div', { class: 'dialog-body' }, ...content);
  const actions = h('div', { class: 'dialog-actions' });
  const dialog = h('dialog', { class: `dialog${opts.wide ? ' wide' : ''}`, attrs: { 'aria-label': title } }, h('h2', { text: title }), body, actions);
  document.body.appendChild(dialog);
  const closed = new Promise<void>((resolve) =>
    dialog.addEventListener('close', () => {
      opts.onClose?.();
      dialog.remove();
      resolve();
    }),
  );
  dialog.showModal();
  return { dialog, body, actions, close: () => dialog.close(), closed };
}

/** Asks a yes/no question; resolves true for `yes`. */
export function confirmDialog(title: string, message: (Node | string)[], yes: string, opts: { danger?: boolean } = {}): Promise<boolean> {
  return new Promise((resolve) => {
    let answer = false;
    const m = openModal(title, message, { onClose: () => resolve(answer) });
    const ok = button(yes, () => {
      answer = true;
      m.close();
    }, { class: opts.danger ? 'danger' : 'primary' });
    m.actions.append(button('Cancel', () => m.close()), ok);
    ok.focus();
  });
}

/**
 * Asks for a name (new folder, rename). `check` returns the problem with a name, or undefined; `submit` does the
 * work and returns an error message to show, or undefined when done (the dialog then closes).
 */
export function nameDialog(title: string, label: string, initial: string, check: (name: string) => string | undefined, submit: (name: string) => Promise<string | undefined>): Promise<void> {
  const input = h('input', { attrs: { type: 'text', value: initial, 'aria-label': label, spellcheck: 'false', autocomplete: 'off' } });
  const problem = h('p', { class: 'form-error', attrs: { role: 'alert' } });
  const form = h('form', { attrs: { method: 'dialog' } }, h('label', {}, label, input), problem);
  const m = openModal(title, [form]);
  const ok = h('button', { class: 'primary', attrs: { type: 'submit' } }, 'OK');
  m.actions.append(button('Cancel', () => m.close()), ok);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const name = input.value;
    const p = check(name);
    if (p !== undefined) {
      problem.textContent = p;
      return;
    }
    ok.disabled = true;
    void submit(name).then((err) => {
      ok.disabled = false;
      if (err === undefined) m.close();
      else problem.textContent = err;
    });
  });
  ok.addEventListener('click', () => form.requestSubmit());
  input.focus();
  // Select the name without its extension, as file managers do for a rename.
  const dot = initial.lastIndexOf('.');
  input.setSelectionRange(0, dot > 0 ? dot : initial.length);
  return m.closed;
}

/**
 * Lets the person browse the folders and pick one (the target of a move). Folders inside `exclude` (what is being
 * moved) cannot be chosen. Resolves with the chosen folder's path, or undefined when cancelled.
 */
export function chooseFolder(listDir: (path: string) => Promise<Entry[]>, title: string, start: string, exclude: readonly string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    let chosen: string | undefined;
    let current = start;
    const trail = h('nav', { class: 'crumbs small', attrs: { 'aria-label': 'Folder' } });
    const list = h('ul', { class: 'folder-list', attrs: { role: 'listbox', 'aria-label': 'Folders' } });
    const status = h('p', { class: 'form-error', attrs: { role: 'alert' } });
    const m = openModal(title, [trail, list, status], { onClose: () => resolve(chosen) });
    const here = button('Move here', () => {
      chosen = current;
      m.close();
    }, { class: 'primary' });
    m.actions.append(button('Cancel', () => m.close()), here);
    const blocked = (p: string) => exclude.some((x) => isWithin(p, x));
    const load = async (path: string) => {
      current = path;
      here.disabled = blocked(path);
      trail.replaceChildren(...crumbs(path).map((c) => button(c.name, () => void load(c.path), { class: 'crumb' })));
      list.replaceChildren(h('li', { class: 'muted' }, 'Loading…'));
      status.textContent = '';
      let dirs: Entry[];
      try {
        dirs = (await listDir(path)).filter((e) => e.isDir).sort((a, b) => compareNames(a.name, b.name));
      } catch (err) {
        list.replaceChildren();
        status.textContent = describeFailure('list this folder', err);
        return;
      }
      if (current !== path) return;
      list.replaceChildren(
        ...(dirs.length === 0
          ? [h('li', { class: 'muted' }, 'No folders here')]
          : dirs.map((d) => {
              const li = h('li', { attrs: { role: 'option', tabindex: '0', 'aria-disabled': String(blocked(d.path)) } }, icon('folder'), d.name);
              const open = () => void load(joinPath(path, d.name));
              li.addEventListener('dblclick', open);
              li.addEventListener('click', open);
              li.addEventListener('keydown', (ev) => {
                if (ev.key === 'Enter') open();
              });
              return li;
            })),
      );
    };
    void load(start);
  });
}
