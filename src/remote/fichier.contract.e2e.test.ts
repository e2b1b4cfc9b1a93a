/**
 * The Remote contract suite against the 1fichier remote of a test stack, over the in-process emulator
 * (127.0.0.1, port 0, 1 ms pacer). 1fichier's limitations are declared in the remote's facts (duplicate
 * names, no empty files, Whirlpool only), not skipped here.
 */
import { emulatedRemote } from '../../test/support/fichier-remote.ts';
import { runRemoteContract } from '../../test/support/remote-contract.ts';

runRemoteContract({
  name: 'fichier over the emulator',
  make: async () => {
    const t = await emulatedRemote();
    return { remote: t.remote, cleanup: () => t.stop() };
  },
});
