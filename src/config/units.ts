/**
 * rclone's value syntaxes for durations, sizes and booleans, so a value written for rclone means the same here.
 *
 * - Duration (rclone `fs.Duration`): Go-style `1h30m`, `5m`, `250ms`, `1.5h`, plus `d` (24h) and `w` (7d); a bare
 *   number is seconds. Parsed to whole milliseconds.
 * - Size (rclone `fs.SizeSuffix`): binary units only: `K`/`Ki`/`KiB` = 1024, `M`/`Mi`/`MiB`, `G`, `T`, `P`; `B` is
 *   bytes; a bare number is **KiB** ("default unit is KiB" in rclone's docs); `off` is -1. Parsed to bytes.
 * - Boolean: Go's strconv.ParseBool (`1 t T TRUE true True` / `0 f F FALSE false False`), as rclone reads env vars.
 */
import { CodedError } from '../util/coded-error.ts';

export type UnitErrorCode = 'bad-duration' | 'bad-size' | 'bad-bool' | 'bad-int';

/** A value that does not parse; `code` says which syntax was expected. The message never repeats the value. */
export class UnitError extends CodedError<UnitErrorCode> {
  override readonly name = 'UnitError';
}

const DURATION_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DURATION_RE = /^(?:\d+(?:\.\d*)?|\.\d+)(?:ms|s|m|h|d|w)/;
const NUMBER_RE = /^(?:\d+(?:\.\d*)?|\.\d+)$/;
const DURATION_BAD = 'expected a duration such as 30s, 5m, 1h30m or 250ms (a bare number is seconds)';

/**
 * Parses an rclone duration (`5m`, `1h30m`, `250ms`, `1.5h`, `2d`; a bare number is seconds) into milliseconds,
 * rounded. Throws UnitError 'bad-duration' for anything else (negative values included).
 */
export function parseDuration(value: string): number {
  const v = value.trim();
  if (NUMBER_RE.test(v)) return Math.round(Number(v) * 1000);
  if (v === '') throw new UnitError('bad-duration', DURATION_BAD);
  let rest = v;
  let ms = 0;
  while (rest !== '') {
    const m = DURATION_RE.exec(rest);
    if (m === null) throw new UnitError('bad-duration', DURATION_BAD);
    const unit = /[a-z]+$/.exec(m[0])?.[0] ?? '';
    ms += Number(m[0].slice(0, -unit.length)) * (DURATION_MS[unit] ?? 0);
    rest = rest.slice(m[0].length);
  }
  return Math.round(ms);
}

/** Formats milliseconds the short way rclone users read them: `5m`, `1h30m`, `400ms`, `1m30.5s`, `0s`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  let rest = ms;
  let out = '';
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  if (rest > 0) out += `${rest / 1000}s`;
  return out;
}

const SIZE_MULTIPLIER: Record<string, number> = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50 };
const SIZE_BAD = 'expected a size such as 128Mi, 1G, 512K, 100B or off (binary units; a bare number is KiB)';

function sizeMultiplier(symbol: string | undefined): number {
  const m = symbol === undefined ? undefined : SIZE_MULTIPLIER[symbol.toLowerCase()];
  if (m === undefined) throw new UnitError('bad-size', SIZE_BAD);
  return m;
}

/**
 * Parses an rclone size into bytes (rclone's SizeSuffix rules): `off` → -1; a suffix `B`/`b` is bytes, `K`/`Ki`/`KiB`
 * (any case) and likewise M, G, T, P are binary multiples; no suffix means KiB. Decimals are allowed and the result
 * is rounded down. Throws UnitError 'bad-size' for an unknown suffix, `MB`-style SI forms, negatives and garbage.
 */
export function parseSize(value: string): number {
  const v = value.trim();
  if (v.toLowerCase() === 'off') return -1;
  let number = v;
  let multiplier: number;
  const last = v.slice(-1);
  if (/[0-9.]/.test(last)) {
    multiplier = 2 ** 10;
  } else if (last === 'b' || last === 'B') {
    if (v.length > 2 && v.at(-2) === 'i') {
      multiplier = sizeMultiplier(v.at(-3));
      number = v.slice(0, -3);
    } else {
      multiplier = 1;
      number = v.slice(0, -1);
    }
  } else if (last === 'i' || last === 'I') {
    multiplier = sizeMultiplier(v.length > 1 ? v.at(-2) : undefined);
    number = v.slice(0, -2);
  } else {
    multiplier = sizeMultiplier(last);
    number = v.slice(0, -1);
  }
  if (!NUMBER_RE.test(number)) throw new UnitError('bad-size', SIZE_BAD);
  return Math.floor(Number(number) * multiplier);
}

const SIZE_UNITS: readonly [string, number][] = [['Pi', 2 ** 50], ['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]];

/**
 * Formats bytes as rclone shows a size: `off` for a negative, `0`, else the largest binary unit (`128Mi`, `1.5Gi`).
 * Unlike rclone (3 fixed decimals, bare bytes), the text is exact: a unit is used only when at most 3 decimals
 * express the value, and under 1 KiB it writes `512B`; so parseSize(formatSize(n)) === n.
 */
export function formatSize(bytes: number): string {
  if (bytes < 0) return 'off';
  if (bytes === 0) return '0';
  for (const [suffix, size] of SIZE_UNITS) {
    const scaled = bytes / size;
    if (scaled >= 1 && Math.round(scaled * 1000) / 1000 === scaled) return `${scaled}${suffix}`;
  }
  return `${bytes}B`;
}

const TRUE_WORDS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE_WORDS = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Parses a boolean the way Go's strconv.ParseBool does. Throws UnitError 'bad-bool' otherwise. */
export function parseBool(value: string): boolean {
  const v = value.trim();
  if (TRUE_WORDS.has(v)) return true;
  if (FALSE_WORDS.has(v)) return false;
  throw new UnitError('bad-bool', 'expected true or false (also 1/0, t/f)');
}

/** Parses a decimal integer (optional leading '-'). Throws UnitError 'bad-int' otherwise. */
export function parseInteger(value: string): number {
  const v = value.trim();
  if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new UnitError('bad-int', 'expected a whole number');
  return Number(v);
}
