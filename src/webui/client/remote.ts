/**
 * The "Remote upload" dialog: 1fichier fetches URLs itself into a folder of the account. The person pastes URLs
 * (one per line) and names the target folder (the current one by default); each job started here is then
 * followed until it is done, polling the gateway every few seconds (each poll is one paced API call).
 */
import type { JobJson } from '../shared/api.ts';
import type { Api } from './api.ts';
import { button, h } from './dom.ts';
import { openModal } from './dialogs.ts';
import { describeFailure } from './messages.ts';

const POLL_MS = 3000;

/** Opens the dialog with `folder` as the target; `onDone(folder)` is called when a job started here ends. */
export function remoteUploadDialog(api: Api, folder: string, onDone: (folder: string) => void): void {
  const urls = h('textarea', { attrs: { rows: '5', spellcheck: 'false', placeholder: 'https://example.com/file.iso', 'aria-label': 'URLs, one per line' } });
  const target = h('input', { attrs: { type: 'text', value: folder === '' ? '/' : `/${folder}`, 'aria-label': 'Target folder', spellcheck: 'false' } });
  const problem = h('p', { class: 'form-error', attrs: { role: 'alert' } });
  const jobs = h('div', { class: 'jobs', attrs: { 'aria-live': 'polite' } });
  const form = h('form', {}, h('label', {}, 'URLs to fetch (http, https, ftp), one per line', urls), h('label', {}, 'Into folder', target), problem);
  let open = true;
  const m = openModal('Remote upload', [form, jobs], { wide: true, onClose: () => (open = false) });
  const start = h('button', { class: 'primary', attrs: { type: 'submit' } }, 'Start');
  m.actions.append(button('Close', () => m.close()), start);
  start.addEventListener('click', () => form.requestSubmit());
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const list = urls.value.split(/\s+/).filter((u) => u !== '');
    if (list.length === 0) {
      problem.textContent = 'Paste at least one URL.';
      return;
    }
    const dest = target.value.replace(/^\/+|\/+$/g, '');
    start.disabled = true;
    problem.textContent = '';
    api
      .remoteUpload(list, dest)
      .then(({ id }) => {
        urls.value = '';
        const view = h('section', { class: 'job', attrs: { 'data-job': String(id) } });
        jobs.prepend(view);
        void follow(api, id, dest, view, () => open, onDone);
      })
      .catch((err: unknown) => {
        problem.textContent = describeFailure('start the remote upload', err);
      })
      .finally(() => (start.disabled = false));
  });
  urls.focus();
}

function renderJob(view: HTMLElement, job: JobJson, folder: string): void {
  const state = job.done ? 'done' : 'running';
  view.dataset.state = state;
  view.replaceChildren(
    h('h3', {}, `Job ${job.id} into /${folder}: `, h('span', { class: `badge ${state}` }, job.done ? 'done' : 'running…')),
    h(
      'ul',
      {},
      ...job.results.map((r) =>
        h('li', { attrs: { 'data-status': r.status } }, h('span', { class: `badge ${r.status.toLowerCase()}` }, r.status === 'pending' ? 'waiting' : r.status), ' ', r.url, r.message ? ` — ${r.message}` : ''),
      ),
    ),
  );
}

async function follow(api: Api, id: number, folder: string, view: HTMLElement, stillOpen: () => boolean, onDone: (folder: string) => void): Promise<void> {
  view.textContent = `Job ${id} queued…`;
  while (stillOpen()) {
    try {
      const job = await api.job(id);
      renderJob(view, job, folder);
      if (job.done) {
        onDone(folder);
        return;
      }
    } catch (err) {
      view.append(h('p', { class: 'form-error' }, describeFailure('check the job', err)));
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
