/**
 * The read-only Remote contract against a public shared folder of the emulator (its /dir/<id> page, as rclone's
 * shared_folder reads it), open and password-protected; then what only a shared folder does: an unknown id, a
 * missing or refused password, the password tried revealed then as written, and one page call per listing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { obscure, passwordCandidates } from '../config/obscure.ts';
import { codeOf } from '../../test/support/errors.ts';
import { READ_ONLY_FIXTURE, runReadOnlyRemoteContract } from '../../test/support/remote-contract-read-only.ts';
import { startEmulator, type TestEmulator } from '../../test/support/emulator.ts';
import { shareFolder } from '../../test/support/shared-folder.ts';
import { createSharedFolderRemote } from './shared-folder/index.ts';

const PASS = 'open sesame, a long one';

for (const pass of [undefined, PASS]) {
  runReadOnlyRemoteContract({
    name: `a shared folder of the emulator${pass === undefined ? '' : ' protected by a password (given obscured, as rclone config writes it)'}`,
    absent: {
      move: 'nothing moves in a public shared folder: it is read-only',
      dirMove: 'a public shared folder is flat and read-only',
      copy: 'nothing is copied into a public shared folder: it is read-only',
    },
    make: async () => {
      const emu = await startEmulator();
      const id = await shareFolder(emu, 'Shared', READ_ONLY_FIXTURE, pass);
      const client = emu.client({ pacer: { minIntervalMs: 1 } });
      const passwords = pass === undefined ? [] : passwordCandidates(obscure(pass));
      return {
        remote: createSharedFolderRemote({ client, id, passwords }),
        // Stopping the emulator closes the clients it made.
        cleanup: () => emu.stop(),
      };
    },
  });
}

describe('shared folder remote: ids and passwords', () => {
  let emu: TestEmulator;
  let open: string;
  let locked: string;
  const files = [{ name: 'one.txt', data: 'one' }];

  beforeAll(async () => {
    emu = await startEmulator();
    open = await shareFolder(emu, 'Open', files);
    locked = await shareFolder(emu, 'Locked', files, PASS);
  });
  afterAll(() => emu.stop());

  const remoteFor = (id: string, passwords?: string[]) => createSharedFolderRemote({ client: emu.client({ pacer: { minIntervalMs: 1 } }), id, ...(passwords ? { passwords } : {}) });
  const pages = async () => (await emu.stats()).calls['/dir'] ?? 0;

  it('an unknown id is ENOENT, a protected folder without its password or with a wrong one EACCES', async () => {
    expect(await codeOf(remoteFor('NoSuchShare1').list(''))).toBe('ENOENT');
    expect(await codeOf(remoteFor(locked).list(''))).toBe('EACCES');
    expect(await codeOf(remoteFor(locked, ['wrong', 'also wrong']).list(''))).toBe('EACCES');
  });

  it('takes the password in clear, as rclone 1.60 needs it, and obscured, as rclone config writes it', async () => {
    for (const candidates of [passwordCandidates(PASS), passwordCandidates(obscure(PASS))]) {
      expect((await remoteFor(locked, candidates).list('')).map((e) => e.name)).toEqual(['one.txt']);
    }
  });

  it('keeps the password the folder accepted: one page call per listing after the first refusal', async () => {
    const r = remoteFor(locked, ['refused first', PASS]);
    const before = await pages();
    await r.list('');
    expect((await pages()) - before).toBe(2);
    await r.list('');
    expect((await pages()) - before).toBe(3);
    const o = remoteFor(open);
    await o.list('');
    expect((await pages()) - before).toBe(4);
  });

  it('keeps a file\'s modTime from its first listing; quota is the folder\'s bytes, none free', async () => {
    const r = remoteFor(open);
    const [first] = await r.list('');
    await new Promise((done) => setTimeout(done, 20));
    const [again] = await r.list('');
    expect(again!.modTime).toBe(first!.modTime);
    expect(await r.about!()).toEqual({ total: 3, used: 3, free: 0 });
  });
});
