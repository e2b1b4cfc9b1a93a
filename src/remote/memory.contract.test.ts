/**
 * The Remote contract suite against the memory remote, with its default facts and with 1fichier's. It has
 * every optional feature but backend commands: it stands for no storage with operations of its own.
 */
import { runRemoteContract } from '../../test/support/remote-contract.ts';
import { createMemoryRemote } from './memory/index.ts';

const absent = { commands: 'a memory store has no operations beyond the path-level contract' };

runRemoteContract({ name: 'memory (defaults: unique names, empty files)', absent, make: async () => ({ remote: createMemoryRemote() }) });

runRemoteContract({
  name: 'memory (1fichier-like facts: duplicate names, no empty files, whirlpool)',
  absent,
  make: async () => ({ remote: createMemoryRemote({ facts: { duplicateNames: true, emptyFiles: false, hashes: ['whirlpool'] } }) }),
});

runRemoteContract({
  name: 'memory (md5 and sha1)',
  absent,
  make: async () => ({ remote: createMemoryRemote({ facts: { hashes: ['md5', 'sha1'] } }) }),
});
