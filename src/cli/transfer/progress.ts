/**
 * The progress line of the transfer commands (copy, copyto, moveto): bytes done / total, percentage, rate,
 * ETA and files done, redrawn in place on stderr.
 *
 * Choices of ours (rclone's -P output is the model, not a specification):
 * - Drawn only when the stream is a terminal (`\r` then the line then "erase to end of line", at most every
 *   200 ms, cut to the terminal width), or when forced (-P) on a non-terminal: then one plain line per second.
 *   Otherwise nothing is drawn (rclone prints no progress without -P either).
 * - `finish()` erases the line on a terminal and prints nothing else: the command prints its own summary.
 * - The rate is measured over the last 5 s of samples (one per redraw), so a stall shows a falling rate at
 *   the next redraw; it shows as '-' during the first second (too early to mean anything); the ETA is the bytes left at that rate ('-' while unknown). Time comes from the injected
 *   Clock, so the rendering is deterministic under a FakeClock.
 * - A file's share of the total can change while it transfers: a resumed download needs fewer bytes, a
 *   restarted one more, a failed one none; `file(size).expect(remaining)` and `.end()` keep the total honest.
 */
import type { Clock } from '../../util/clock.ts';
import type { CliStream } from '../context.ts';
import { byteUnit } from '../commands/format.ts';

export interface ProgressOptions {
  /** Bytes expected in all. */
  total: number;
  /** Files expected (shown as `n/m files` when more than one). */
  files?: number;
  clock: Clock;
  /** Where the line is drawn (stderr). */
  stream: CliStream;
  /** Draw nothing (-q). */
  quiet?: boolean;
  /** Draw even when the stream is not a terminal (-P). */
  force?: boolean;
}

export interface ProgressState {
  done: number;
  total: number;
  filesDone: number;
  files: number;
  /** Bytes per second over the recent window; undefined until measurable. */
  rate?: number;
  /** Milliseconds left at that rate; undefined when the rate is unknown or zero. */
  etaMs?: number;
  elapsedMs: number;
}

/** One file's share of a Progress. */
export interface FileProgress {
  /** Counts `n` more bytes moved for this file. */
  bytes(n: number): void;
  /** From now on this file needs `remaining` more bytes (a resume or a restart). */
  expect(remaining: number): void;
  /** The file is over (ok: counted in files done); bytes it will no longer move leave the total. Idempotent. */
  end(ok: boolean): void;
}

export interface Progress {
  /** True when a line is being drawn. */
  readonly enabled: boolean;
  /** A tracker for one file of `size` bytes (already counted in the total given at creation). */
  file(size: number): FileProgress;
  /** The current numbers. */
  state(): ProgressState;
  /** Stops drawing and erases the line from a terminal. Idempotent. */
  finish(): void;
}

/** Redraw interval on a terminal, and of the plain lines of a forced non-terminal, ms. */
export const TTY_INTERVAL_MS = 200;
export const PLAIN_INTERVAL_MS = 1000;
const RATE_WINDOW_MS = 5000;
/** Below this much measured time the rate (and so the ETA) is shown as unknown: early rates are noise. */
const MIN_RATE_SPAN_MS = 1000;
const ERASE_LINE = '\x1b[K';

/** Go's time.Duration string rounded to seconds: `0s`, `45s`, `3m7s`, `2h0m5s`. */
export function formatEta(ms: number): string {
  let s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/** The progress line for `st`, cut to `width` - 1 characters when a width is given. */
export function renderProgress(st: ProgressState, width?: number): string {
  const pct = st.total > 0 ? Math.floor((st.done * 100) / st.total) : 100;
  const rate = st.rate === undefined ? '-' : `${byteUnit(Math.round(st.rate))}/s`;
  const eta = st.etaMs === undefined ? '-' : formatEta(st.etaMs);
  const files = st.files > 1 ? ` (${st.filesDone}/${st.files} files)` : '';
  const line = `Transferred: ${byteUnit(st.done)} / ${byteUnit(st.total)}, ${pct}%, ${rate}, ETA ${eta}${files}`;
  return width !== undefined && width > 1 && line.length > width - 1 ? line.slice(0, width - 1) : line;
}

interface Sample {
  t: number;
  done: number;
}

/** A progress model drawing on `opts.stream` as described in the module doc. */
export function createProgress(opts: ProgressOptions): Progress {
  const { clock, stream } = opts;
  const tty = stream.isTTY === true;
  const enabled = !opts.quiet && (tty || opts.force === true);
  const interval = tty ? TTY_INTERVAL_MS : PLAIN_INTERVAL_MS;
  const start = clock.now();
  let total = opts.total;
  let done = 0;
  let filesDone = 0;
  let lastDraw: number | undefined;
  let drawn = false;
  let finished = false;
  const samples: Sample[] = [{ t: start, done: 0 }];

  const state = (): ProgressState => {
    const now = clock.now();
    const first = samples[0]!;
    const span = now - first.t;
    const rate = span >= MIN_RATE_SPAN_MS ? ((done - first.done) * 1000) / span : undefined;
    const left = Math.max(0, total - done);
    const etaMs = rate !== undefined && rate > 0 ? (left * 1000) / rate : left === 0 ? 0 : undefined;
    return { done, total, filesDone, files: opts.files ?? 0, ...(rate !== undefined ? { rate } : {}), ...(etaMs !== undefined ? { etaMs } : {}), elapsedMs: now - start };
  };

  const draw = (): void => {
    const now = clock.now();
    samples.push({ t: now, done });
    while (samples.length > 2 && samples[1]!.t <= now - RATE_WINDOW_MS) samples.shift();
    lastDraw = now;
    const line = renderProgress(state(), tty ? stream.columns : undefined);
    stream.write(tty ? `\r${line}${ERASE_LINE}` : `${line}\n`);
    drawn = true;
  };

  const maybeDraw = (): void => {
    if (!enabled || finished) return;
    if (lastDraw === undefined || clock.now() - lastDraw >= interval) draw();
  };

  const file = (size: number): FileProgress => {
    let counted = 0;
    let share = size;
    let over = false;
    const reshare = (next: number): void => {
      total += next - share;
      share = next;
    };
    return {
      bytes(n) {
        if (over) return;
        counted += n;
        done += n;
        if (counted > share) reshare(counted);
        maybeDraw();
      },
      expect(remaining) {
        if (!over) reshare(counted + Math.max(0, remaining));
      },
      end(ok) {
        if (over) return;
        over = true;
        reshare(counted);
        if (ok) filesDone++;
        maybeDraw();
      },
    };
  };

  return {
    enabled,
    file,
    state,
    finish() {
      if (finished) return;
      finished = true;
      if (drawn && tty) stream.write(`\r${ERASE_LINE}`);
    },
  };
}
