/**
 * RemoteSink's flow control on its own: writes wait for the put to read, a put that fails while a write waits
 * ends that write with the put's error, and later writes fail at once.
 */
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FsError } from '../core/errors.ts';
import type { PutOptions, Remote, RemoteEntry } from '../remote/types.ts';
import { silentLogger } from '../util/log.ts';
import { RemoteSink } from './write-sinks.ts';

const folder = { id: 'd1', kind: 'dir', name: 'd', size: 0 } as unknown as RemoteEntry;

/** A remote whose put hands its source to the test, which reads it (or fails the put) by hand. */
function remoteWithPut(): { remote: Remote; source: Promise<Readable>; fail: (err: Error) => void; succeed: (e: RemoteEntry) => void } {
  let give!: (r: Readable) => void;
  const source = new Promise<Readable>((r) => (give = r));
  let settle!: { resolve: (e: RemoteEntry) => void; reject: (e: Error) => void };
  const remote = {
    put: (_p: RemoteEntry, _n: string, body: Readable, _o: PutOptions) =>
      new Promise<RemoteEntry>((resolve, reject) => {
        settle = { resolve, reject };
        give(body);
      }),
  } as unknown as Remote;
  return { remote, source, fail: (err) => settle.reject(err), succeed: (e) => settle.resolve(e) };
}

const chunk = Buffer.alloc(64 * 1024, 1);

function sink(remote: Remote, size: number): RemoteSink {
  return new RemoteSink({ remote, parent: folder, name: 'f.bin', path: '/d/f.bin', logger: silentLogger, knownIds: [] }, size);
}

describe('RemoteSink', () => {
  it('makes a write wait until the put reads, and takes every byte in order', async () => {
    const r = remoteWithPut();
    const s = sink(r.remote, 20 * chunk.length);
    const writes: Promise<void>[] = [];
    let waited = 0;
    for (let i = 0; i < 20; i++) {
      const w = s.write(chunk);
      writes.push(w);
      let done = false;
      void w.then(() => (done = true));
      await Promise.resolve();
      if (!done) {
        waited++;
        // The put reads everything buffered so far: the waiting write is let go.
        const body = await r.source;
        while (body.read() !== null);
        await w;
      }
    }
    await Promise.all(writes);
    expect(waited).toBeGreaterThan(0);
  });

  it('ends a write waiting for the put with the put\'s error, and fails later writes at once', async () => {
    const r = remoteWithPut();
    const s = sink(r.remote, 100 * chunk.length);
    let waiting: Promise<void> | undefined;
    for (let i = 0; i < 100 && waiting === undefined; i++) {
      const w = s.write(chunk);
      let done = false;
      void w.then(
        () => (done = true),
        () => (done = true),
      );
      await Promise.resolve();
      if (!done) waiting = w;
    }
    expect(waiting).toBeDefined();
    await r.source;
    r.fail(new FsError('EIO', 'the service went away'));
    await expect(waiting).rejects.toMatchObject({ code: 'EIO' });
    await expect(s.write(chunk)).rejects.toMatchObject({ code: 'EIO' });
  });
});
