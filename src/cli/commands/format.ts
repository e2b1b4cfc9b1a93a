/**
 * Output formats the listing commands share with rclone: sizes as rclone's SizeSuffix prints them
 * (`5 TiB`, `1.500 KiB`), dates in local time as `lsd` prints them, RFC 3339 timestamps with milliseconds
 * and the local offset as `lsjson` prints them, and the "Examples:" block of every command's --help.
 */

const UNITS = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/** rclone's SizeSuffix scaling: the value (whole, or three decimals) and its binary prefix; 'off' below 0. */
function scaled(bytes: number): [string, string] {
  if (bytes < 0) return ['off', ''];
  let i = 0;
  let v = bytes;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return [Number.isInteger(v) ? v.toFixed(0) : v.toFixed(3), UNITS[i]!];
}

/** rclone's `SizeSuffix.String()`: `6`, `1.500Ki`, `5Ti` (what its log lines print). */
export function sizeSuffix(bytes: number): string {
  return scaled(bytes).join('');
}

/** rclone's `SizeSuffix.ByteUnit()`: `0 B`, `512 B`, `1.500 KiB`, `5 TiB`; a negative size is `off`. */
export function byteUnit(bytes: number): string {
  const [v, prefix] = scaled(bytes);
  return v === 'off' ? v : `${v} ${prefix}B`;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `YYYY-MM-DD HH:MM:SS` in the local time zone (Go's "2006-01-02 15:04:05" on a Local time). */
export function localDateTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * RFC 3339 with milliseconds in the local time zone, `Z` when the offset is zero: Go's
 * "2006-01-02T15:04:05.000Z07:00", the format rclone's lsjson uses for a millisecond-precision remote.
 */
export function rfc3339Millis(ms: number): string {
  const d = new Date(ms);
  const offsetMin = -d.getTimezoneOffset();
  const zone = offsetMin === 0 ? 'Z' : `${offsetMin > 0 ? '+' : '-'}${pad(Math.floor(Math.abs(offsetMin) / 60))}:${pad(Math.abs(offsetMin) % 60)}`;
  return `${localDateTime(ms).replace(' ', 'T')}.${pad(d.getMilliseconds(), 3)}${zone}`;
}

/** The text commander appends to a command's --help: one example command line per entry. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
}
