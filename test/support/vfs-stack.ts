import { FichierClient } from '../../src/api/client.ts';
import type { FichierClientOptions } from '../../src/api/client.ts';
import { createPacer, type PacerOptions } from '../../src/api/pacer.ts';
import { createFichierRemote } from '../../src/remote/fichier/index.ts';
import { openMetaStore } from '../../src/store/index.ts';
import type { MetaStore } from '../../src/store/types.ts';
import { Secret } from '../../src/util/secret.ts';
import { createStoreDirIdIndex, createVfs } from '../../src/vfs/index.ts';
import type { Vfs, VfsOptions } from '../../src/vfs/types.ts';
import type { TestEmulator } from './emulator.ts';

/**
 * The whole production stack below webdav/ over a test emulator: FichierClient -> fichier remote (with the
 * store-backed folder-id index) -> Vfs over a MetaStore file. Every client and store it opens is closed by
 * `closeAll()`.
 */
export interface VfsStack {
  /** A client with a fast pacer (tests count calls at the emulator, not wall time). */
  newClient(): FichierClient;
  /** A Vfs with its own client, remote and store over the store file `file` (a "process" of the server). */
  openVfs(file: string, opts?: Partial<VfsOptions>): Vfs;
  closeAll(): Promise<void>;
}

/** `client`: extra options of every client it makes (a logger, an observer). */
export function vfsStack(emu: () => TestEmulator, pacer: PacerOptions = {}, client: Pick<FichierClientOptions, 'logger' | 'observer'> = {}): VfsStack {
  const opened: { store: MetaStore; client: FichierClient }[] = [];
  const newClient = () =>
    new FichierClient({
      ...client,
      apiKey: new Secret(emu().key),
      baseUrl: emu().apiBase,
      pacer: createPacer({ minIntervalMs: 1, ...(client.logger ? { logger: client.logger } : {}), ...pacer }),
    });
  return {
    newClient,
    openVfs(file, opts = {}) {
      const store = openMetaStore({ file });
      const client = newClient();
      opened.push({ store, client });
      const remote = createFichierRemote({ client, dirIds: createStoreDirIdIndex(store) });
      return createVfs({ remote, store, ...opts });
    },
    async closeAll() {
      for (const { store, client } of opened.splice(0)) {
        store.close();
        await client.close();
      }
    },
  };
}
