import { describe, it, expect } from 'vitest';
import { createLogger, type LogFormatName } from './log.ts';
import { Secret } from './secret.ts';

function linesOf(format: LogFormatName | undefined, write: (l: ReturnType<typeof createLogger>) => void): string[] {
  const lines: string[] = [];
  write(createLogger({ level: 'debug', ...(format ? { format } : {}), destination: { write: (l: string) => lines.push(l) } }));
  return lines;
}

describe('createLogger formats', () => {
  it("'text' is the human format, the same as 'pretty' and the default", () => {
    const log = (l: ReturnType<typeof createLogger>) => l.info({ n: 1 }, 'hello');
    const text = linesOf('text', log);
    expect(text).toHaveLength(1);
    expect(text[0]).toMatch(/ INFO hello \{"n":1\}\n$/);
    expect(linesOf('pretty', log)[0]!.replace(/^\S+/, '')).toBe(text[0]!.replace(/^\S+/, ''));
    expect(linesOf(undefined, log)[0]!.replace(/^\S+/, '')).toBe(text[0]!.replace(/^\S+/, ''));
  });

  it("'json' writes one JSON object per line", () => {
    const [line] = linesOf('json', (l) => l.debug({ n: 2 }, 'hi'));
    expect(JSON.parse(line!)).toMatchObject({ level: 20, msg: 'hi', n: 2 });
  });

  it('redacts a registered secret in every format', () => {
    const key = new Secret('LogTestKey_0123456789abcdefghijk');
    for (const format of ['json', 'text'] as const) {
      const lines = linesOf(format, (l) => l.warn({ echoed: key.reveal() }, `key ${key.reveal()}`));
      expect(lines.join('')).not.toContain(key.reveal());
      expect(lines.join('')).toContain('[redacted]');
    }
  });
});
