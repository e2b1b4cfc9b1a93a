/**
 * Whirlpool digests (1fichier's only checksum), as 128 lower-case hex characters.
 * Backed by hash-wasm, imported on first use (a server that never hashes does not load it); both helpers are
 * safe to use concurrently (each call owns its hasher).
 */

/** An incremental Whirlpool hasher: feed chunks with `update`, then `digestHex` once. */
export interface WhirlpoolHasher {
  /** Adds bytes to the digest. Throws if called after `digestHex`. */
  update(chunk: Uint8Array | string): void;
  /** Returns the digest as 128 lower-case hex characters; the hasher cannot be reused afterwards. */
  digestHex(): string;
}

/** Creates a streaming hasher (O(1) memory whatever the input size). */
export async function createWhirlpoolHasher(): Promise<WhirlpoolHasher> {
  const { createWhirlpool } = await import('hash-wasm');
  const h = await createWhirlpool();
  h.init();
  let done = false;
  return {
    update(chunk) {
      if (done) throw new Error('whirlpool hasher already finalised');
      h.update(chunk);
    },
    digestHex() {
      done = true;
      return h.digest('hex').toLowerCase();
    },
  };
}

/** Whirlpool of a whole buffer or string (UTF-8), 128 lower-case hex characters. */
export async function whirlpoolHex(data: Uint8Array | string): Promise<string> {
  const h = await createWhirlpoolHasher();
  h.update(data);
  return h.digestHex();
}
