/**
 * The read-only Remote contract THROUGH our WebDAV server serving a public shared folder (createStack with
 * `sharedFolder`: the shared-folder remote, a read-only VFS, a read-only server): the same names, sizes and bytes
 * as the folder's page, every write refused (403, EROFS to the client). Duplicate names are shown as the VFS shows
 * them (`name (2).ext`), so the WebDAV remote declares no duplicate names.
 */
import { describe, expect, it } from 'vitest';
import { obscure, passwordCandidates } from '../config/obscure.ts';
import { READ_ONLY_FIXTURE, runReadOnlyRemoteContract } from '../../test/support/remote-contract-read-only.ts';
import { shareFolder } from '../../test/support/shared-folder.ts';
import { startDavStack } from '../../test/support/stack.ts';
import { createWebdavRemote } from '../../test/support/webdav-remote/index.ts';

const PASS = 'a shared secret!';

runReadOnlyRemoteContract({
  name: 'webdav through the server serving a password-protected shared folder',
  absent: { commands: 'WebDAV has no storage-specific operations to carry' },
  make: async () => {
    const stack = await startDavStack({
      prepare: async (emu) => ({ sharedFolder: { id: await shareFolder(emu, 'Shared', READ_ONLY_FIXTURE, PASS), passwords: passwordCandidates(obscure(PASS)) } }),
    });
    return {
      remote: createWebdavRemote({ url: stack.url, user: stack.user, pass: stack.pass, facts: { readOnly: true } }),
      cleanup: () => stack.stop(),
    };
  },
});

describe('the server serving a shared folder', () => {
  it('answers 403 to PUT, DELETE, MKCOL, MOVE, COPY, PROPPATCH and LOCK, and says read-only in OPTIONS', { timeout: 30_000 }, async () => {
    const stack = await startDavStack({ prepare: async (emu) => ({ sharedFolder: { id: await shareFolder(emu, 'Shared', [{ name: 'a.txt', data: 'a' }]) } }) });
    const auth = { authorization: `Basic ${Buffer.from(`${stack.user}:${stack.pass}`).toString('base64')}` };
    try {
      const at = (p: string) => new URL(p, stack.url);
      const statuses: Record<string, number> = {};
      for (const [method, path, extra] of [
        ['PUT', 'new.txt', {}],
        ['PUT', 'a.txt', {}],
        ['DELETE', 'a.txt', {}],
        ['MKCOL', 'dir', {}],
        ['MOVE', 'a.txt', { destination: at('b.txt').href }],
        ['COPY', 'a.txt', { destination: at('b.txt').href }],
        ['PROPPATCH', 'a.txt', {}],
        ['LOCK', 'a.txt', {}],
      ] as const) {
        const res = await fetch(at(path), { method, headers: { ...auth, ...extra }, ...(method === 'PUT' ? { body: 'x' } : {}) });
        await res.arrayBuffer();
        statuses[`${method} ${path}`] = res.status;
      }
      expect(Object.values(statuses).every((s) => s === 403), JSON.stringify(statuses)).toBe(true);
      const get = await fetch(at('a.txt'), { headers: auth });
      expect(await get.text()).toBe('a');
    } finally {
      await stack.stop();
    }
  });
});
