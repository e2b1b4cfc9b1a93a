import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../util/clock.ts';
import type { CliStream } from '../context.ts';
import { createProgress, formatEta, renderProgress, TTY_INTERVAL_MS } from './progress.ts';

const MiB = 1024 * 1024;

function stream(tty: boolean, columns?: number): CliStream & { out: string[] } {
  const out: string[] = [];
  return { out, write: (s: string) => out.push(s), ...(tty ? { isTTY: true } : {}), ...(columns !== undefined ? { columns } : {}) };
}

describe('formatEta', () => {
  it('prints Go-style durations rounded to seconds', () => {
    expect(formatEta(0)).toBe('0s');
    expect(formatEta(44_600)).toBe('45s');
    expect(formatEta(187_000)).toBe('3m7s');
    expect(formatEta(7_205_000)).toBe('2h0m5s');
  });
});

describe('renderProgress', () => {
  it('shows bytes, percentage, rate, ETA and files', () => {
    const line = renderProgress({ done: 3 * MiB, total: 10 * MiB, filesDone: 1, files: 4, rate: MiB, etaMs: 7000, elapsedMs: 3000 });
    expect(line).toBe('Transferred: 3 MiB / 10 MiB, 30%, 1 MiB/s, ETA 7s (1/4 files)');
  });

  it('shows "-" for an unknown rate and ETA, and no file count for one file', () => {
    expect(renderProgress({ done: 0, total: 512, filesDone: 0, files: 1, elapsedMs: 0 })).toBe('Transferred: 0 B / 512 B, 0%, -, ETA -');
  });

  it('cuts the line to the terminal width minus one', () => {
    const line = renderProgress({ done: 0, total: 512, filesDone: 0, files: 1, elapsedMs: 0 }, 20);
    expect(line).toHaveLength(19);
  });
});

describe('createProgress', () => {
  it('redraws in place on a terminal at most every 200 ms, then erases the line', async () => {
    const clock = new FakeClock();
    const s = stream(true, 200);
    const p = createProgress({ total: 10 * MiB, files: 1, clock, stream: s });
    expect(p.enabled).toBe(true);
    const f = p.file(10 * MiB);
    f.bytes(MiB);
    expect(s.out).toHaveLength(1);
    expect(s.out[0]!.startsWith('\r') && s.out[0]!.endsWith('\x1b[K')).toBe(true);
    await clock.advance(100);
    f.bytes(MiB);
    expect(s.out).toHaveLength(1);
    await clock.advance(TTY_INTERVAL_MS);
    f.bytes(MiB);
    expect(s.out).toHaveLength(2);
    expect(s.out[1]).toBe('\rTransferred: 3 MiB / 10 MiB, 30%, -, ETA -\x1b[K');
    await clock.advance(700);
    f.bytes(MiB);
    expect(s.out[2]).toBe('\rTransferred: 4 MiB / 10 MiB, 40%, 4 MiB/s, ETA 2s\x1b[K');
    p.finish();
    expect(s.out.at(-1)).toBe('\r\x1b[K');
    p.finish();
    expect(s.out).toHaveLength(4);
  });

  it('measures the rate over the recent window, so a stall lowers it', async () => {
    const clock = new FakeClock();
    const s = stream(true);
    const p = createProgress({ total: 100 * MiB, clock, stream: s });
    const f = p.file(100 * MiB);
    f.bytes(0);
    for (let i = 0; i < 10; i++) {
      await clock.advance(1000);
      f.bytes(MiB);
    }
    expect(p.state().rate).toBeCloseTo(MiB, -3);
    expect(p.state().etaMs).toBeCloseTo(90_000, -3);
    await clock.advance(10_000);
    f.bytes(1);
    expect(p.state().rate!).toBeLessThan(MiB / 4);
  });

  it('draws nothing on a non-terminal, nor with quiet', () => {
    const clock = new FakeClock();
    for (const [tty, quiet] of [
      [false, false],
      [true, true],
    ] as const) {
      const s = stream(tty);
      const p = createProgress({ total: 100, clock, stream: s, quiet });
      p.file(100).bytes(100);
      p.finish();
      expect(p.enabled).toBe(false);
      expect(s.out).toEqual([]);
    }
  });

  it('prints plain lines once a second on a non-terminal when forced (-P)', async () => {
    const clock = new FakeClock();
    const s = stream(false);
    const p = createProgress({ total: 100, clock, stream: s, force: true });
    const f = p.file(100);
    f.bytes(10);
    await clock.advance(500);
    f.bytes(10);
    await clock.advance(500);
    f.bytes(10);
    p.finish();
    expect(s.out).toHaveLength(2);
    expect(s.out.every((l) => l.endsWith('\n') && !l.includes('\r'))).toBe(true);
  });

  it('keeps the total honest across a resume, a restart and a failure', () => {
    const clock = new FakeClock();
    const p = createProgress({ total: 300, files: 3, clock, stream: stream(false) });
    const resumed = p.file(100);
    resumed.expect(40);
    resumed.bytes(40);
    resumed.end(true);
    expect(p.state()).toMatchObject({ done: 40, total: 240, filesDone: 1 });
    const restarted = p.file(100);
    restarted.bytes(100);
    restarted.expect(100);
    restarted.bytes(100);
    restarted.end(true);
    expect(p.state()).toMatchObject({ done: 240, total: 340, filesDone: 2 });
    const failed = p.file(100);
    failed.bytes(30);
    failed.end(false);
    failed.end(true);
    expect(p.state()).toMatchObject({ done: 270, total: 270, filesDone: 2 });
  });
});
