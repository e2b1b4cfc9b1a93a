/**
 * The VFS write pipeline (src/vfs/write.ts) through the fichier remote against the emulator: a 200 MB
 * streamed write grows the writer's peak RSS by less than 64 MB (measured in a child process), and an upload
 * cut mid-way rejects `result` and leaves no partial file, the previous version untouched.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FichierClient } from '../src/api/client.ts';
import { isFsError } from '../src/core/errors.ts';
import { createFichierRemote } from '../src/remote/fichier/index.ts';
import type { Remote, RemoteEntry } from '../src/remote/types.ts';
import { openMetaStore } from '../src/store/index.ts';
import { createVfs } from '../src/vfs/index.ts';
import { startEmulator, type TestEmulator } from './support/emulator.ts';

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

function* pieces(total: number, seed: number, size = 64 * 1024): Generator<Buffer> {
  for (let at = 0; at < total; at += size) yield Buffer.alloc(Math.min(size, total - at), (seed + at / size) & 0xff);
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
    const remote = freshRemote();
    const store = openMetaStore({ file: ':memory:' });
    const vfs = createVfs({ remote, store, spoolDir: emu.dir });
    await vfs.mkdir('cut');
    const v1 = await vfs.writeFile('cut/doc.bin', Readable.from(pieces(300_000, 1)), { size: 300_000 });
    await emu.admin('faults', { resetMidBody: { target: 'upload', count: 1, afterBytes: 2 * MB } });
    try {
      const size = 8 * MB;
      const w = await vfs.openWrite('cut/doc.bin', { size });
      const piped = pipeline(Readable.from(pieces(size, 2)), w).catch((e: unknown) => e);
      const err = await w.result.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isFsError(err)).toBe(true);
      expect(isFsError(await piped)).toBe(true);
      expect((await vfs.readdir('cut')).map((e) => [e.name, e.id])).toEqual([['doc.bin', v1.id]]);
    } finally {
      await emu.admin('faults/clear', {});
      await vfs.close();
      store.close();
    }
    const listed = await freshRemote().list('cut');
    expect(listed.map((e) => [e.name, e.id, e.size])).toEqual([['doc.bin', v1.id, 300_000]]);
    const parts: Buffer[] = [];
    for await (const c of await remote.openRead(listed[0]!)) parts.push(c as Buffer);
    expect(Buffer.concat(parts).equals(Buffer.concat([...pieces(300_000, 1)]))).toBe(true);
  }, 60_000);
});
