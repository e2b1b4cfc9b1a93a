import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { makeKit } from '../../../test/support/vfs-kit.ts';
import type { AccountOps } from '../../account/index.ts';
import { FsError } from '../../core/errors.ts';
import { silentLogger } from '../../util/log.ts';
import { createWebUiBackend } from './adapter.ts';

function fakeAccount(log: string[]): AccountOps {
  let polls = 0;
  return {
    async links(paths, opts, on) {
      log.push(`links ${paths.join('|')} recursive=${opts.recursive}`);
      on({ type: 'failed', path: 'x', error: new FsError('ENOENT', 'gone', { path: 'x' }) });
      return { files: 1, linked: 0, failed: 1, unresolved: 0 };
    },
    async startRemoteUpload(urls, folder) {
      log.push(`start ${urls.join('|')} ${folder}`);
      return 9;
    },
    async remoteJobs() {
      throw new FsError('EAGAIN', 'flood');
    },
    async remoteJob(id) {
      polls++;
      return { id, requested: 'r', executed: polls >= 2 ? 'e' : null, done: polls >= 2, results: [] };
    },
  };
}

describe('createWebUiBackend', () => {
  it('searches the store, with its coverage, without touching the remote', async () => {
    const kit = makeKit();
    await kit.vfs.mkdir('Docs');
    await kit.vfs.writeFile('Docs/Report 2024.txt', Buffer.from('r'));
    await kit.vfs.readdir('');
    await kit.vfs.readdir('Docs');
    kit.remote.reset();
    const b = createWebUiBackend({ vfs: kit.vfs, store: kit.store, account: fakeAccount([]), emulator: false, logger: silentLogger });
    expect(await b.list('Docs', new AbortController().signal)).toEqual([{ name: 'Report 2024.txt', kind: 'file', size: 1, modTime: expect.any(Number) }]);
    const found = b.search('report', 10);
    expect(found.hits.map((h) => h.path)).toEqual(['Docs/Report 2024.txt']);
    expect(found.coverage).toEqual({ rootListed: true, unlistedDirs: 0 });
    expect(kit.remote.total()).toBe(0);
  });

  it('links folders recursively and passes each failure through with its code', async () => {
    const kit = makeKit();
    const log: string[] = [];
    const b = createWebUiBackend({ vfs: kit.vfs, store: kit.store, account: fakeAccount(log), emulator: false, logger: silentLogger });
    const events: unknown[] = [];
    await b.links(['Docs'], (e) => events.push(e), new AbortController().signal);
    expect(log).toEqual(['links Docs recursive=true']);
    expect(events).toEqual([{ type: 'failed', path: 'x', error: expect.objectContaining({ code: 'ENOENT' }) }]);
    await expect(b.jobs(new AbortController().signal)).rejects.toMatchObject({ code: 'EAGAIN' });
  });

  it('re-lists the folder of a remote upload it started, once, when the job is seen done', async () => {
    const kit = makeKit();
    await kit.vfs.mkdir('in');
    const b = createWebUiBackend({ vfs: kit.vfs, store: kit.store, account: fakeAccount([]), emulator: true, logger: silentLogger });
    const signal = new AbortController().signal;
    expect(await b.remoteUpload(['http://127.0.0.1/a'], 'in', signal)).toBe(9);
    await kit.vfs.readdir('in');
    await kit.backend.put(await kit.backend.stat('in'), 'fetched.bin', Readable.from([Buffer.from('abc')]), { size: 3 });
    expect((await b.job(9, signal)).done).toBe(false);
    expect((await kit.vfs.readdir('in')).map((e) => e.name)).toEqual([]);
    expect((await b.job(9, signal)).done).toBe(true);
    expect((await kit.vfs.readdir('in')).map((e) => e.name)).toEqual(['fetched.bin']);
    kit.remote.reset();
    await b.job(9, signal);
    expect(kit.remote.calls.list ?? 0).toBe(0);
    expect((await b.about(signal)).emulator).toBe(true);
  });
});
