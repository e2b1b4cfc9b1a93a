/**
 * The fichier remote's backend commands over the emulator, beyond the codes the contract suite checks
 * (test/support/remote-contract.ts): a direct link serves the file's bytes again and again, a folder entry
 * without a 1fichier id is refused, and a remote upload runs as a job with a result per URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../app/stack.ts';
import { testBytes } from '../../../test/support/bytes.ts';
import { codeOf } from '../../../test/support/errors.ts';
import { startEmulator, type TestEmulator } from '../../../test/support/emulator.ts';
import { stackOver } from '../../../test/support/stack.ts';
import type { RemoteCommands } from '../commands.ts';
import type { RemoteEntry } from '../types.ts';

let emu: TestEmulator;
let stack: Stack;
let commands: RemoteCommands;
const DATA = testBytes(5000);


beforeAll(async () => {
  emu = await startEmulator();
  stack = await stackOver(emu);
  commands = stack.remote.commands!;
  await stack.vfs.mkdir('d');
  await stack.vfs.writeFile('d/f.bin', DATA);
});

afterAll(async () => {
  await stack?.close();
  await emu?.stop();
});

describe('fichier backend commands', () => {
  it('directLink: a reusable URL of the bytes', async () => {
    const url = await commands.directLink(await stack.vfs.stat('d/f.bin'));
    for (let i = 0; i < 2; i++) expect(Buffer.from(await (await fetch(url)).arrayBuffer()).equals(DATA)).toBe(true);
  });

  it('remoteUpload: EINVAL for a folder entry without a 1fichier folder id', async () => {
    const foreign: RemoteEntry = { path: 'elsewhere', name: 'elsewhere', kind: 'dir', size: 0, modTime: 0, id: 'not-a-number', hashes: {} };
    expect(await codeOf(commands.remoteUpload(['http://127.0.0.1:1/x'], foreign))).toBe('EINVAL');
  });

  it('remoteUpload into a folder queues a job that the account lists and that ends with a result per URL', async () => {
    const { id } = await commands.remoteUpload(['http://127.0.0.1:1/nothing-listens-here.bin'], await stack.vfs.stat('d'));
    expect((await commands.remoteUploadJobs()).map((j) => j.id)).toContain(id);
    await emu.emulator.control.idle();
    const job = await commands.remoteUploadJob(id);
    expect(job).toMatchObject({ id, results: [{ url: 'http://127.0.0.1:1/nothing-listens-here.bin', status: 'KO' }] });
    expect(job.executed).not.toBeNull();
  });
});
