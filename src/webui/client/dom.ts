/**
 * The one way this page builds DOM: elements with attributes and children, where every string child becomes a
 * text node. Names from the account (which can hold any character, markup included) therefore always render as
 * text; nothing here parses HTML (no innerHTML, no insertAdjacentHTML), and event handlers are functions, never
 * attribute strings.
 */

type Child = Node | string | null | undefined | false;

export interface Props {
  class?: string;
  /** Attributes set with setAttribute (values are plain strings, never parsed). */
  attrs?: Record<string, string | undefined>;
  on?: Partial<{ [K in keyof HTMLElementEventMap]: (ev: HTMLElementEventMap[K]) => void }>;
  text?: string;
}

/** An element `tag` with `props` and `children` (strings as text nodes). */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  for (const [k, v] of Object.entries(props.attrs ?? {})) if (v !== undefined) el.setAttribute(k, v);
  for (const [type, fn] of Object.entries(props.on ?? {})) el.addEventListener(type, fn as EventListener);
  if (props.text !== undefined) el.textContent = props.text;
  append(el, children);
  return el;
}

/** Appends `children` to `parent`, strings as text nodes. */
export function append(parent: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

/** A button with a label (text) and an optional tooltip. */
export function button(label: string, onClick: (ev: MouseEvent) => void, props: { class?: string; title?: string; attrs?: Record<string, string | undefined> } = {}): HTMLButtonElement {
  return h('button', { class: props.class ?? '', attrs: { type: 'button', title: props.title, ...props.attrs }, on: { click: onClick } }, label);
}
