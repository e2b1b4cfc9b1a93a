/**
 * The store survives kill -9 during a write burst: a child process writes in a tight loop and acknowledges
 * each committed transaction on stdout; we SIGKILL it at a random point, reopen the file and check that it
 * is intact, that every acknowledged transaction is there, and that no listing is half-written.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openMetaStore } from './index.ts';

const SLOTS = 20;
const PER_LISTING = 200;
const FIXTURE = fileURLToPath(new URL('../../test/fixtures/crash-writer.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fdav-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Acked {
  L: Map<number, number>;
  M: Map<number, number>;
  P: Map<number, number>;
  lines: number;
}

/** Run the writer from generation `first`, SIGKILL it once `killAfter` lines arrived; the acknowledged generations per slot. */
function runAndKill(file: string, first: number, killAfter: number): Promise<Acked> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, file, String(first), String(SLOTS), String(PER_LISTING)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked: Acked = { L: new Map(), M: new Map(), P: new Map(), lines: 0 };
    let pending = '';
    let stderr = '';
    const deadline = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.stdout.on('data', (b: Buffer) => {
      pending += b.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const [kind, gen] = line.split(' ');
        const i = Number(gen);
        if ((kind !== 'L' && kind !== 'M' && kind !== 'P') || !Number.isInteger(i)) return reject(new Error(`bad line ${line}`));
        acked[kind].set(i % SLOTS, i);
        acked.lines++;
      }
      if (acked.lines >= killAfter) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      clearTimeout(deadline);
      if (signal !== 'SIGKILL' || acked.lines < killAfter) reject(new Error(`writer ended early (${signal}, ${acked.lines} lines): ${stderr}`));
      else resolve(acked);
    });
  });
}

function check(file: string, acked: Acked): void {
  expect(statSync(`${file}-wal`).size).toBeGreaterThan(0);
  const raw = new Database(file);
  try {
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
  } finally {
    raw.close();
  }
  const store = openMetaStore({ file });
  try {
    for (let slot = 0; slot < SLOTS; slot++) {
      const l = store.getListing(`d${slot}`);
      const wantL = acked.L.get(slot);
      if (wantL !== undefined) expect(l, `listing d${slot}`).toBeDefined();
      if (l !== undefined) {
        const g = l.fetchedAt;
        expect(g >= (wantL ?? -1)).toBe(true);
        expect(l.entries).toHaveLength(PER_LISTING);
        expect(l.entries.map((e) => e.name)).toEqual(Array.from({ length: PER_LISTING }, (_, k) => `g${g}-${k}`));
      }
      const m = store.getMeta(`m${slot}`);
      const wantM = acked.M.get(slot);
      if (wantM !== undefined) {
        expect(m?.modTime !== undefined && m.modTime >= wantM).toBe(true);
        expect(m?.md5).toBe(String(m?.modTime));
      }
      const p = store.getLocal(`loc/f${slot}`);
      const wantP = acked.P.get(slot);
      if (wantP !== undefined) {
        expect(p !== undefined && p.modTime >= wantP).toBe(true);
        expect(p?.content.toString()).toBe(String(p?.modTime));
      }
    }
    const stats = store.stats();
    expect(stats.entries).toBe(stats.listings * PER_LISTING);
  } finally {
    store.close();
  }
}

describe('kill -9 during a write burst', () => {
  it('keeps every acknowledged transaction and never a half-written listing', { timeout: 15_000 }, async () => {
    const file = join(dir, 'meta.sqlite');
    for (let round = 0; round < 2; round++) {
      const first = round * 1_000_000;
      const acked = await runAndKill(file, first, 200 + Math.floor(Math.random() * 200));
      expect(acked.L.size).toBe(SLOTS);
      check(file, acked);
    }
  });
});
