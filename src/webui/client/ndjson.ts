/** Splits a stream of text chunks into lines (NDJSON: one JSON value per line). Pure: no DOM. */
export class LineSplitter {
  #rest = '';

  /** The complete lines in `chunk` (with what was left from earlier chunks); blank lines are dropped. */
  push(chunk: string): string[] {
    const text = this.#rest + chunk;
    const lines = text.split('\n');
    this.#rest = lines.pop() ?? '';
    return lines.map((l) => l.replace(/\r$/, '')).filter((l) => l.trim() !== '');
  }

  /** What is left once the stream ended: a last line without a newline, if any. */
  end(): string[] {
    const rest = this.#rest;
    this.#rest = '';
    return rest.trim() === '' ? [] : [rest];
  }
}
