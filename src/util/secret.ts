import { inspect } from 'node:util';

/**
 * A secret value (the API key) that cannot leak by accident: its string form, JSON form and
 * util.inspect form are all "[redacted]". Only `reveal()` gives the value, and only the HTTP layer
 * that writes the Authorization header calls it.
 *
 * Every Secret registers its value with `redact()`, so any text that reaches a log line or an error
 * message can be scrubbed as a last line of defence.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
    if (value.length >= 4) known.add(value);
  }

  reveal(): string {
    return this.#value;
  }

  /** A masked form for `config show`: first 2 and last 2 characters. */
  masked(): string {
    const v = this.#value;
    return v.length <= 6 ? '******' : `${v.slice(0, 2)}${'*'.repeat(Math.min(12, v.length - 4))}${v.slice(-2)}`;
  }

  get length(): number {
    return this.#value.length;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return `Secret(${REDACTED})`;
  }
}

export const REDACTED = '[redacted]';

const known = new Set<string>();

/** Replace every registered secret value found in `text` with "[redacted]". */
export function redact(text: string): string {
  let out = text;
  for (const v of known) {
    if (out.includes(v)) out = out.split(v).join(REDACTED);
  }
  return out;
}
