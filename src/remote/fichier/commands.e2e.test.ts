/**
 * The fichier remote's backend commands over the emulator: a direct link serves the file's bytes, and every
 * refusal leaves as the FsError code the interface documents (remote/commands.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../app/stack.ts';
import { testBytes } from '../../../test/support/bytes.ts';
import { startEmulator, type TestEmulator } from '../../../test/support/emulator.ts';
import { stackOver } from '../../../test/support/stack.ts';
import type { RemoteEntry } from '../types.ts';

let emu: TestEmulator;
let stack: Stack;
const DATA = testBytes(5000);

const codeOf = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => 'resolved',
    (err: { code?: unknown }) => err.code,
  );

beforeAll(async () => {
  emu = await startEmulator();
  stack = await stackOver(emu);
  await stack.vfs.mkdir('d');
  await stack.vfs.writeFile('d/f.bin', DATA);
});

afterAll(async () => {
  await stack?.close();
  await emu?.stop();
});

describe('fichier backend commands', () => {
  it('directLink: a reusable URL of the bytes; EISDIR for a folder, ENOENT once the file is gone', async () => {
    const file = await stack.vfs.stat('d/f.bin');
    const url = await stack.commands.directLink(file);
    for (let i = 0; i < 2; i++) expect(Buffer.from(await (await fetch(url)).arrayBuffer()).equals(DATA)).toBe(true);
    expect(await codeOf(stack.commands.directLink(await stack.vfs.stat('d')))).toBe('EISDIR');
    const gone: RemoteEntry = { ...file, id: 'https://1fichier.com/?nosuchfile0' };
    expect(await codeOf(stack.commands.directLink(gone))).toBe('ENOENT');
  });

  it('remoteUpload: ENOTDIR for a file, EINVAL for a folder without a 1fichier id; an unknown job is ENOENT', async () => {
    expect(await codeOf(stack.commands.remoteUpload(['http://127.0.0.1:1/x'], await stack.vfs.stat('d/f.bin')))).toBe('ENOTDIR');
    const foreign: RemoteEntry = { path: 'elsewhere', name: 'elsewhere', kind: 'dir', size: 0, modTime: 0, id: 'not-a-number', hashes: {} };
    expect(await codeOf(stack.commands.remoteUpload(['http://127.0.0.1:1/x'], foreign))).toBe('EINVAL');
    expect(await codeOf(stack.commands.remoteUploadJob(987_654))).toBe('ENOENT');
  });

  it('remoteUpload into a folder queues a job that the account lists and that ends with a result per URL', async () => {
    const { id } = await stack.commands.remoteUpload(['http://127.0.0.1:1/nothing-listens-here.bin'], await stack.vfs.stat('d'));
    expect((await stack.commands.remoteUploadJobs()).map((j) => j.id)).toContain(id);
    await emu.emulator.control.idle();
    const job = await stack.commands.remoteUploadJob(id);
    expect(job).toMatchObject({ id, results: [{ url: 'http://127.0.0.1:1/nothing-listens-here.bin', status: 'KO' }] });
    expect(job.executed).not.toBeNull();
  });
});
