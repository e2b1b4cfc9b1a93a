/**
 * The VFS write pipeline (src/vfs/write.ts and write-stream.ts) through the fichier remote against the emulator: a 200 MB
 * streamed write grows the writer's peak RSS by less than 64 MB (measured in a child process), an upload
 * cut mid-way rejects `result` and leaves no partial file, the previous version untouched, and a write aborted
 * after its upload landed (while end.pl has not confirmed it yet) leaves nothing in the account.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FichierClient } from '../src/api/client.ts';
import { createPacer, type Pacer } from '../src/api/pacer.ts';
import { isFsError } from '../src/core/errors.ts';
import { createFichierRemote } from '../src/remote/fichier/index.ts';
import type { Remote, RemoteEntry } from '../src/remote/types.ts';
import { testBytes } from './support/bytes.ts';
import { startEmulator, testPacer, type TestEmulator } from './support/emulator.ts';
import { eventually } from './support/eventually.ts';
import { readAll, streamOf } from './support/remote-kit.ts';
import { stackOver } from './support/stack.ts';

const MB = 1000 * 1000;
const WRITER = fileURLToPath(new URL('./fixtures/upload-writer.ts', import.meta.url));

interface WriterReport {
  baseline: number;
  peak: number;
  whirlpool: string;
  md5: string;
  entry: RemoteEntry;
}

/** Runs the writer fixture against the emulator; resolves with its report. Kills it after `timeoutMs`. */
function runWriter(emu: TestEmulator, size: number, path: string, timeoutMs: number): Promise<WriterReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', WRITER], {
      env: { ...process.env, FIXTURE_API_BASE: emu.apiBase, FIXTURE_KEY: emu.key, FIXTURE_SIZE: String(size), FIXTURE_PATH: path },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`writer exited with ${String(code)}: ${err.slice(-2000)}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as WriterReport);
      } catch (e) {
        reject(new Error(`writer printed no report: ${out.slice(-500)} ${err.slice(-2000)}`, { cause: e }));
      }
    });
  });
}

let emu: TestEmulator;
let client: FichierClient;
/**
 * One pacer for the test's client and every stack: they act as one process on one key, so one listing budget
 * (two budgets would break the emulator's listing rules between them and earn bans).
 */
let pacer: Pacer;

const freshRemote = (): Remote => createFichierRemote({ client });

beforeAll(async () => {
  emu = await startEmulator({ persistent: true });
  pacer = createPacer(testPacer());
  client = emu.client({ pacer });
});

afterAll(async () => {
  await emu?.stop();
});

describe('vfs.openWrite over the fichier remote (emulator)', () => {
  it('a 200 MB streamed write grows the writer peak RSS by < 64 MB; the stored whirlpool matches', async () => {
    const remote = freshRemote();
    await remote.mkdir(await remote.stat(''), 'w');
    const size = 200 * MB;
    const report = await runWriter(emu, size, 'w/big.bin', 150_000);
    const growth = report.peak - report.baseline;
    expect(growth).toBeLessThan(64 * 1024 * 1024);
    const listed = (await freshRemote().list('w')).filter((e) => e.name === 'big.bin');
    expect(listed).toHaveLength(1);
    expect(listed[0]!.size).toBe(size);
    expect(listed[0]!.hashes.whirlpool).toBe(report.whirlpool);
    expect(report.entry.hashes.whirlpool).toBe(report.whirlpool);
  }, 180_000);

  it('an upload cut mid-way rejects result; no partial file is listed and the previous version stays', async () => {
    const stack = await stackOver(emu, { pacer, vfs: { spoolDir: emu.dir } });
    const { vfs } = stack;
    await vfs.mkdir('cut');
    const v1 = await vfs.writeFile('cut/doc.bin', testBytes(300_000, 1));
    await emu.admin('faults', { resetMidBody: { target: 'upload', count: 1, afterBytes: 2 * MB } });
    try {
      const size = 8 * MB;
      const w = await vfs.openWrite('cut/doc.bin', { size });
      const piped = pipeline(streamOf(testBytes(size, 2)), w).catch((e: unknown) => e);
      const err = await w.result.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isFsError(err)).toBe(true);
      expect(isFsError(await piped)).toBe(true);
      expect((await vfs.readdir('cut')).map((e) => [e.name, e.id])).toEqual([['doc.bin', v1.id]]);
    } finally {
      await emu.admin('faults/clear', {});
      await stack.close();
    }
    const remote = freshRemote();
    const listed = await remote.list('cut');
    expect(listed.map((e) => [e.name, e.id, e.size])).toEqual([['doc.bin', v1.id, 300_000]]);
    expect((await readAll(remote, listed[0]!)).equals(testBytes(300_000, 1))).toBe(true);
  }, 60_000);

  it('a write aborted after its upload landed, before end.pl confirmed it, leaves nothing in the account', async () => {
    const stack = await stackOver(emu, { pacer, vfs: { spoolDir: emu.dir } });
    const { vfs } = stack;
    await vfs.mkdir('late');
    const folderId = (await emu.stored(0)).folders.find((f) => f.name === 'late')!.id;
    // end.pl answers without links a few times: the file is stored, its writer still waits for its link.
    await emu.admin('faults', { endPlNoLinks: { count: 6 } });
    try {
      const since = (await emu.calls(0)).at(-1)?.t ?? 0;
      const ac = new AbortController();
      const size = 300_000;
      const w = await vfs.openWrite('late/doc.bin', { size, signal: ac.signal });
      const piped = pipeline(streamOf(testBytes(size, 3)), w).catch((e: unknown) => e);
      for (let t = Date.now(); !(await emu.calls(since)).some((c) => c.path === '/end.pl'); ) {
        if (Date.now() - t > 10_000) throw new Error('no end.pl call within 10 s');
        await new Promise((r) => setTimeout(r, 2));
      }
      expect((await emu.stored(folderId)).files.map((f) => f.filename)).toEqual(['doc.bin']);
      ac.abort();
      expect(isFsError(await w.result.then(() => undefined, (e: unknown) => e))).toBe(true);
      expect(isFsError(await piped)).toBe(true);
      await eventually(async () => expect((await emu.stored(folderId)).files).toEqual([]), 5000);
    } finally {
      await emu.admin('faults/clear', {});
      await stack.close();
    }
  }, 30_000);
});
