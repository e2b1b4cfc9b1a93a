/**
 * Where a JSON text stops being valid, as line and column. V8's JSON.parse messages sometimes quote the text
 * (which may hold a secret) and sometimes give no position, so the position is found by this small scanner of
 * the JSON grammar (RFC 8259) instead.
 */

class Stop {
  constructor(readonly offset: number) {}
}

const LITERALS = ['true', 'false', 'null'];
const NUMBER_RE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

function scan(text: string): void {
  let i = 0;
  const fail = (): never => {
    throw new Stop(i);
  };
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] ?? '')) i++;
  };
  const expect = (ch: string): void => {
    if (text[i] !== ch) fail();
    i++;
  };
  const string = (): void => {
    expect('"');
    for (;;) {
      const c = text[i];
      if (c === undefined || c.charCodeAt(0) < 0x20) fail();
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        i++;
        const e = text[i] ?? '';
        if (e === 'u') {
          for (let k = 1; k <= 4; k++) {
            if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) {
              i += k;
              fail();
            }
          }
          i += 4;
        } else if (!'"\\/bfnrt'.includes(e) || e === '') {
          fail();
        }
      }
      i++;
    }
  };
  const sequence = (close: string, item: () => void): void => {
    i++;
    ws();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      item();
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      expect(close);
      return;
    }
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      sequence('}', () => {
        ws();
        string();
        ws();
        expect(':');
        value();
      });
    } else if (c === '[') {
      sequence(']', value);
    } else if (c === '"') {
      string();
    } else {
      const word = LITERALS.find((w) => w[0] === c);
      if (word !== undefined) {
        for (const ch of word) expect(ch);
        return;
      }
      NUMBER_RE.lastIndex = i;
      const m = NUMBER_RE.exec(text);
      if (m === null) fail();
      i += m?.[0].length ?? 0;
    }
  };
  value();
  ws();
  if (i < text.length) fail();
}

/**
 * The 1-based line and column of the first character where `text` is not valid JSON (the end of the text when it
 * ends too early), or undefined when it is valid.
 */
export function jsonErrorPosition(text: string): { line: number; column: number; offset: number } | undefined {
  try {
    scan(text);
    return undefined;
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
    const before = text.slice(0, err.offset);
    const line = before.split('\n').length;
    return { line, column: err.offset - (before.lastIndexOf('\n') + 1) + 1, offset: err.offset };
  }
}
