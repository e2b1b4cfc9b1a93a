/**
 * Europe/Paris wall-clock time <-> epoch milliseconds, for 1fichier's "YYYY-MM-DD HH:MM:SS" dates, which
 * carry no zone and are French local time (CET in winter, CEST in summer). The time-zone rules come from
 * the runtime's ICU data (Intl.DateTimeFormat with timeZone 'Europe/Paris'); nothing here hard-codes the
 * EU switch dates, so a rule change reaches us with a Node update.
 *
 * Two wall-clock hours a year do not map one-to-one:
 * - the spring-forward gap (02:00-02:59 on the last Sunday of March does not exist): such a time is read
 *   with the offset in force before the switch, i.e. moved forward by one hour (02:30 -> 03:30 CEST), as
 *   Temporal's 'compatible' disambiguation does;
 * - the fall-back overlap (02:00-02:59 on the last Sunday of October happens twice): such a time is read
 *   as its first occurrence (CEST). Formatting then parsing an instant of the second occurrence therefore
 *   gives an instant one hour earlier; the wire format cannot tell them apart.
 * Sub-second parts are dropped when formatting (the wire has second precision).
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * Built on first use, not at import: a formatter with a time zone makes ICU load its zone and locale data (~6.5 MB
 * of the node binary's pages resident), which a server that has not read a date yet does not need.
 */
let parisParts: Intl.DateTimeFormat | undefined;
const formatter = (): Intl.DateTimeFormat =>
  (parisParts ??= new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Paris',
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }));

/** Offsets by UTC hour: Paris changes offset only on whole UTC hours, so one lookup serves a whole hour. */
const offsetCache = new Map<number, number>();
const OFFSET_CACHE_MAX = 4096;

function computeOffset(hourStartMs: number): number {
  const f: Record<string, number> = {};
  for (const p of formatter().formatToParts(hourStartMs)) if (p.type !== 'literal') f[p.type] = Number(p.value);
  const asUtc = Date.UTC(f.year!, f.month! - 1, f.day!, f.hour!, f.minute!, f.second!);
  return asUtc - hourStartMs;
}

/** Milliseconds to add to a UTC instant to get Paris wall-clock time at `ms` (3_600_000 or 7_200_000). */
export function parisOffsetMs(ms: number): number {
  const hour = Math.floor(ms / HOUR_MS);
  let off = offsetCache.get(hour);
  if (off === undefined) {
    off = computeOffset(hour * HOUR_MS);
    if (offsetCache.size >= OFFSET_CACHE_MAX) offsetCache.clear();
    offsetCache.set(hour, off);
  }
  return off;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `ms` as Paris wall-clock time, "YYYY-MM-DD HH:MM:SS" (sub-second part dropped). */
export function formatParis(ms: number): string {
  const d = new Date(Math.floor(ms / 1000) * 1000 + parisOffsetMs(ms));
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}

const WIRE_RE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/**
 * Epoch ms of a Paris wall-clock "YYYY-MM-DD HH:MM:SS"; undefined when malformed or out of range
 * (month 13, 25:00, Feb 30...). Gap and overlap times are read as the header says.
 */
export function parseParis(s: string): number | undefined {
  const m = WIRE_RE.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, sec] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const naive = Date.UTC(y, mo - 1, d, h, mi, sec);
  const check = new Date(naive);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || sec > 59) return undefined;
  // At most one offset change lies within a day of any instant, so the offsets a day before and a day
  // after are the only candidates.
  const before = parisOffsetMs(naive - DAY_MS);
  const after = parisOffsetMs(naive + DAY_MS);
  const valid = [naive - Math.max(before, after), naive - Math.min(before, after)].filter((t) => naive - t === parisOffsetMs(t));
  if (valid.length > 0) return valid[0];
  return naive - before;
}
