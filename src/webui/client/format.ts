/** How sizes, dates and counts are written on the page. Pure functions: no DOM. */

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/** Binary units: `0 B`, `1023 B`, `1.0 KiB`, `1.5 MiB`, `12 GiB` (one decimal below 10, none above). */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  // 1023.96 KiB would print as "1024.0 KiB": round first, then carry to the next unit.
  let digits = value < 10 ? 1 : 0;
  if (Number(value.toFixed(digits)) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
    digits = 1;
  }
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * `ms` as a date and time in the browser's time zone and language (`timeZone`/`locale` for tests), e.g.
 * "12 Mar 2024, 14:05". Empty for an invalid date.
 */
export function formatDate(ms: number, locale?: string, timeZone?: string): string {
  if (!Number.isFinite(ms)) return '';
  const key = `${locale ?? ''}|${timeZone ?? ''}`;
  let f = dateFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', ...(timeZone ? { timeZone } : {}) });
    dateFormats.set(key, f);
  }
  return f.format(new Date(ms));
}

/** `n thing` / `n things` with the number grouped for reading ("5,000 files"). */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** A fraction in 0..1 as a whole percentage, clamped ("42%"). */
export function formatPercent(fraction: number): string {
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  return `${Math.floor(f * 100)}%`;
}
