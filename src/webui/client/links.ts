/**
 * The "Links" dialog: direct download links for the selected files and folders (folders recursively), made by
 * the gateway through the same paced machinery as `fichier-dav link`, streamed back line by line so the dialog
 * shows how far it got. The result is one URL per line, to copy or save as a .txt file; failures are listed
 * below it. Closing the dialog stops the work (the request is aborted; the gateway stops asking 1fichier).
 */
import type { LinkEventJson } from '../shared/api.ts';
import type { Api } from './api.ts';
import { button, h } from './dom.ts';
import { openModal } from './dialogs.ts';
import { formatPercent, plural } from './format.ts';
import { describeFailure } from './messages.ts';

/** Opens the dialog and starts getting the links of `paths`. */
export function linksDialog(api: Api, paths: string[]): void {
  const abort = new AbortController();
  const bar = h('progress', { attrs: { max: '1', value: '0' } });
  const status = h('p', { class: 'links-status', attrs: { role: 'status' } }, 'Finding the files…');
  const output = h('textarea', { class: 'links-output', attrs: { readonly: '', rows: '10', spellcheck: 'false', 'aria-label': 'Links, one per line', wrap: 'off' } });
  const failures = h('ul', { class: 'links-failures' });
  const m = openModal('Direct download links', [status, bar, output, failures], { wide: true, onClose: () => abort.abort() });
  const copy = button('Copy', () => void copyText(output, copy), { class: 'primary', attrs: { disabled: '' } });
  const save = button('Save as .txt', () => saveText(output.value, 'links.txt'), { attrs: { disabled: '' } });
  m.actions.append(copy, save, button('Close', () => m.close()));

  const urls: string[] = [];
  let total = 0;
  let done = 0;
  const progress = () => {
    bar.value = total === 0 ? 0 : done / total;
    status.textContent = `${done.toLocaleString('en-US')} of ${plural(total, 'file')} (${formatPercent(total === 0 ? 0 : done / total)})…`;
  };
  const fail = (what: string, message: string) => failures.append(h('li', {}, h('strong', {}, what === '' ? '/' : what), ': ', message));
  const on = (e: LinkEventJson) => {
    switch (e.type) {
      case 'files':
        total = e.count;
        progress();
        return;
      case 'link':
        urls.push(e.url);
        output.value += `${e.url}\n`;
        done++;
        progress();
        return;
      case 'failed':
        if (total > 0) done++;
        fail(e.path, e.message);
        progress();
        return;
      case 'skipped':
        fail(e.path, `skipped: ${e.reason}`);
        return;
      case 'end':
        bar.value = 1;
        status.textContent = `${plural(e.linked, 'link')} ready${e.failed > 0 ? `; ${plural(e.failed, 'failure')} (below)` : ''}.`;
        return;
      case 'error':
        status.textContent = `Stopped: ${e.message}`;
    }
  };
  void api
    .links(paths, on, abort.signal)
    .catch((err: unknown) => {
      if (abort.signal.aborted) return;
      status.textContent = describeFailure('get the links', err);
    })
    .finally(() => {
      const any = urls.length > 0;
      copy.disabled = !any;
      save.disabled = !any;
      if (any) output.select();
    });
}

async function copyText(area: HTMLTextAreaElement, btn: HTMLButtonElement): Promise<void> {
  try {
    await navigator.clipboard.writeText(area.value);
  } catch {
    // No clipboard API (a page not served over https or loopback): the selection and the old command still work.
    area.select();
    document.execCommand('copy');
  }
  btn.textContent = 'Copied';
  setTimeout(() => (btn.textContent = 'Copy'), 1500);
}

/** Offers `text` as a download named `name`. */
export function saveText(text: string, name: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const a = h('a', { attrs: { href: url, download: name } });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
