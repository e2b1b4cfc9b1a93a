/**
 * The Remote contract suite against the 1fichier remote, over the in-process emulator (127.0.0.1, port 0,
 * 1 ms pacer). 1fichier's limitations are declared in the remote's facts (duplicate names, no empty files,
 * Whirlpool only), not skipped here.
 */
import { FichierClient } from '../api/client.ts';
import { createPacer } from '../api/pacer.ts';
import { Secret } from '../util/secret.ts';
import { startEmulator } from '../../test/support/emulator.ts';
import { runRemoteContract } from '../../test/support/remote-contract.ts';
import { createFichierRemote } from './fichier/index.ts';

runRemoteContract({
  name: 'fichier over the emulator',
  make: async () => {
    const emu = await startEmulator();
    const client = new FichierClient({ apiKey: new Secret(emu.key), baseUrl: emu.apiBase, pacer: createPacer({ minIntervalMs: 1 }) });
    return {
      remote: createFichierRemote({ client }),
      cleanup: async () => {
        await client.close();
        await emu.stop();
      },
    };
  },
});
