/**
 * The VFS write pipeline (src/vfs/write.ts and write-stream.ts) through the fichier remote against the emulator: a 200 MB
 * streamed write grows the writer's peak RSS by less than 64 MB (measured in a child process), and an upload
 * cut mid-way rejects `result` and leaves no partial file, the previous version untouched.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FichierClient } from '../src/api/client.ts';
import { isFsError } from '../src/core/errors.ts';
import { createFichierRemote } from '../src/remote/fichier/index.ts';
import type { Remote, RemoteEntry } from '../src/remote/types.ts';
import { testBytes } from './support/bytes.ts';
import { startEmulator, type TestEmulator } from './support/emulator.ts';
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

const freshRemote = (): Remote => createFichierRemote({ client });

beforeAll(async () => {
  emu = await startEmulator({ persistent: true });
  client = emu.client();
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
    const stack = await stackOver(emu, { vfs: { spoolDir: emu.dir } });
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
});
