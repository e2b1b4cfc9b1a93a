/**
 * What a media probe actually reads from a file: the tool runs under `strace` on a local copy, and the
 * read/pread64/lseek calls on that file's descriptor give the byte ranges it read (the page cache and FUSE
 * read-ahead play no part: these are the tool's own requests). The union of the ranges is summarised as the
 * head (bytes from offset 0), the tail (bytes up to the end) and anything in between.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ReadPattern {
  tool: string;
  file: string;
  size: number;
  /** read/pread64 calls on the file. */
  calls: number;
  /** Bytes returned by those calls (overlaps counted twice). */
  bytesRead: number;
  /** The union of the ranges read, [start, end) sorted. */
  ranges: [number, number][];
  /** Bytes of the union starting at offset 0, ending at the file's end, and elsewhere. */
  head: number;
  tail: number;
  middle: number;
}

/** Union of half-open ranges. */
function union(ranges: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (const [s, e] of [...ranges].sort((a, b) => a[0] - b[0])) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** Parses an strace -f log: the ranges read from the descriptors that opened `name`. */
export function parseStrace(log: string, name: string): { calls: number; bytesRead: number; ranges: [number, number][] } {
  const pos = new Map<string, number>();
  const ranges: [number, number][] = [];
  let calls = 0;
  let bytesRead = 0;
  for (const line of log.split('\n')) {
    const open = /^(\d+)\s+openat\(AT_FDCWD, "([^"]*)", [^)]*\) = (\d+)/.exec(line);
    if (open) {
      if (basename(open[2]!) === name) pos.set(open[3]!, 0);
      continue;
    }
    const m = /^\d+\s+(read|pread64|lseek|close)\((\d+)(.*)\)\s+=\s+(-?\d+)$/.exec(line);
    if (!m || !pos.has(m[2]!)) continue;
    const [, call, fd, rest, retText] = m as unknown as [string, string, string, string, string];
    const ret = Number(retText);
    if (call === 'close') pos.delete(fd);
    else if (call === 'lseek') {
      if (ret >= 0) pos.set(fd, ret);
    } else if (ret > 0) {
      const at = call === 'pread64' ? Number(/, (\d+)\s*$/.exec(rest)?.[1] ?? NaN) : pos.get(fd)!;
      ranges.push([at, at + ret]);
      calls += 1;
      bytesRead += ret;
      if (call === 'read') pos.set(fd, at + ret);
    }
  }
  return { calls, bytesRead, ranges: union(ranges) };
}

/** Runs `cmd args... file` under strace and returns what it read from `file`. Throws when strace is missing. */
export async function readPattern(tool: string, cmd: string, args: string[], file: string): Promise<ReadPattern> {
  const dir = mkdtempSync(join(tmpdir(), 'fdav-strace-'));
  try {
    const out = join(dir, 'trace');
    await run('strace', ['-f', '-e', 'trace=openat,read,pread64,lseek,close', '-o', out, cmd, ...args, file], { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
    const size = statSync(file).size;
    const { calls, bytesRead, ranges } = parseStrace(readFileSync(out, 'utf8'), basename(file));
    const head = ranges[0] && ranges[0][0] === 0 ? ranges[0][1] : 0;
    const lastRange = ranges[ranges.length - 1];
    const tail = lastRange && lastRange[1] >= size && lastRange[0] > 0 ? size - lastRange[0] : 0;
    const total = ranges.reduce((a, [s, e]) => a + (e - s), 0);
    return { tool, file: basename(file), size, calls, bytesRead, ranges, head, tail, middle: total - head - tail };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;

/** One line for the notes: sizes in KiB, the ranges as offsets from the start / from the end. */
export function patternText(p: ReadPattern): string {
  const r = p.ranges.map(([s, e]) => (e >= p.size && s > 0 ? `[end-${kib(p.size - s)}, end)` : `[${kib(s)}, ${kib(e)})`)).join(' ');
  return `${p.tool} on ${p.file} (${(p.size / 1e6).toFixed(2)} MB): ${p.calls} reads, ${kib(p.bytesRead)} read; head ${kib(p.head)}, tail ${kib(p.tail)}, elsewhere ${kib(p.middle)}; ranges ${r}`;
}
