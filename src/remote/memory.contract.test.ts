import { runRemoteContract } from '../../test/support/remote-contract.ts';
import { createMemoryRemote } from './memory/index.ts';

runRemoteContract({ name: 'memory (defaults: unique names, empty files)', make: async () => ({ remote: createMemoryRemote() }) });

runRemoteContract({
  name: 'memory (1fichier-like facts: duplicate names, no empty files, whirlpool)',
  make: async () => ({ remote: createMemoryRemote({ facts: { duplicateNames: true, emptyFiles: false, hashes: ['whirlpool'] } }) }),
});

runRemoteContract({
  name: 'memory (md5 and sha1)',
  make: async () => ({ remote: createMemoryRemote({ facts: { hashes: ['md5', 'sha1'] } }) }),
});
