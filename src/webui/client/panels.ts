/** The parts of the page around the list: the account box (quota, plan, user), the emulator notice, the uploads panel, notices. */
import type { AboutJson } from '../shared/api.ts';
import { button, h } from './dom.ts';
import { formatPercent, formatSize, plural } from './format.ts';
import { batchProgress, rateOf } from './progress.ts';
import type { Uploads } from './uploads.ts';

/** The account box: a quota bar (used of total, free), the account type and the user. */
export function accountBox(about: AboutJson): HTMLElement {
  const { used, total, free } = about.quota;
  const parts: (Node | string)[] = [];
  if (used !== null && total !== null && total > 0) {
    const meter = h('meter', { attrs: { min: '0', max: String(total), value: String(used), high: String(total * 0.9), 'aria-label': 'Space used' } });
    parts.push(meter, h('span', { class: 'quota-text' }, `${formatSize(used)} of ${formatSize(total)} used`, free !== null ? ` · ${formatSize(free)} free` : ''));
  } else if (used !== null) {
    parts.push(h('span', { class: 'quota-text' }, `${formatSize(used)} used`));
  } else {
    parts.push(h('span', { class: 'quota-text muted' }, 'Space: unknown'));
  }
  if (about.plan !== null) parts.push(h('span', { class: 'plan badge' }, about.plan));
  if (about.user !== null) parts.push(h('span', { class: 'user muted', attrs: { title: 'Signed in as' } }, about.user));
  if (about.readOnly) parts.push(h('span', { class: 'badge readonly' }, 'read-only'));
  return h('div', { class: 'account', attrs: { 'aria-label': 'Account' } }, ...parts);
}

/** The notice shown when the gateway serves its embedded emulator. */
export function emulatorNotice(): HTMLElement {
  return h(
    'div',
    { class: 'notice emulator', attrs: { role: 'note' } },
    h('strong', {}, 'Local emulator. '),
    'This is the gateway’s built-in 1fichier look-alike with demo files, not a real 1fichier account. Set an API key to serve your account.',
  );
}

/** A short message at the bottom of the page that goes away by itself (errors stay until dismissed). */
export function toast(area: HTMLElement, message: string, kind: 'info' | 'error' = 'info'): void {
  const close = button('×', () => el.remove(), { class: 'icon-button', title: 'Dismiss', attrs: { 'aria-label': 'Dismiss' } });
  const el = h('div', { class: `toast ${kind}`, attrs: { role: kind === 'error' ? 'alert' : 'status' } }, h('span', {}, message), close);
  area.append(el);
  if (kind === 'info') setTimeout(() => el.remove(), 5000);
}

const STATE_TEXT = { queued: 'waiting', running: '', done: 'done', failed: 'failed', cancelled: 'cancelled' } as const;

/** Draws the uploads panel for the queue `uploads` into `panel` (hidden when the queue is empty). */
export class UploadsPanel {
  readonly el: HTMLElement;
  #samples: { at: number; bytes: number }[] = [];
  #frame = 0;

  constructor(private readonly uploads: Uploads) {
    this.el = h('aside', { class: 'uploads', attrs: { 'aria-label': 'Uploads', hidden: '' } });
  }

  /** Redraws at the next frame (progress events come faster than frames). */
  update(): void {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#draw();
    });
  }

  #draw(): void {
    const items = this.uploads.items;
    this.el.hidden = items.length === 0;
    if (items.length === 0) return;
    const p = batchProgress(items);
    const now = performance.now();
    this.#samples.push({ at: now, bytes: p.loaded });
    while (this.#samples.length > 2 && now - this.#samples[0]!.at > 3000) this.#samples.shift();
    const rate = p.active > 0 ? rateOf(this.#samples) : undefined;
    const summary =
      p.active > 0
        ? `Uploading ${plural(p.active, 'file')} · ${formatPercent(p.fraction)}${rate !== undefined ? ` · ${formatSize(rate)}/s` : ''}`
        : `${plural(p.done, 'upload')} done${p.failed > 0 ? `, ${p.failed} failed` : ''}${p.cancelled > 0 ? `, ${p.cancelled} cancelled` : ''}`;
    const head = h(
      'header',
      {},
      h('strong', { attrs: { role: 'status' } }, summary),
      p.active > 0 ? button('Cancel all', () => this.uploads.cancelAll()) : button('Clear', () => this.uploads.clearFinished()),
    );
    const list = h(
      'ul',
      {},
      ...items.map((it) => {
        const fraction = it.size === 0 ? (it.state === 'done' ? 1 : 0) : it.loaded / it.size;
        const actions: Node[] = [];
        if (it.state === 'queued' || it.state === 'running') actions.push(button('Cancel', () => this.uploads.cancel(it.id), { class: 'small' }));
        if (it.state === 'failed' && it.exists) actions.push(button('Replace', () => this.uploads.retry(it.id, true), { class: 'small' }));
        else if (it.state === 'failed' || it.state === 'cancelled') actions.push(button('Retry', () => this.uploads.retry(it.id, it.replace), { class: 'small' }));
        return h(
          'li',
          { class: `upload ${it.state}`, attrs: { 'data-path': it.path, 'data-state': it.state, 'data-loaded': String(it.loaded) } },
          h('div', { class: 'upload-name', attrs: { title: it.path } }, it.path),
          h('progress', { attrs: { max: '1', value: String(fraction), 'aria-label': `Progress of ${it.path}` } }),
          h('span', { class: 'upload-state' }, it.state === 'running' ? formatPercent(fraction) : STATE_TEXT[it.state], ' ', h('span', { class: 'muted' }, formatSize(it.size))),
          ...actions,
          it.error ? h('p', { class: 'upload-error' }, it.error) : null,
        );
      }),
    );
    this.el.replaceChildren(head, list);
  }
}
