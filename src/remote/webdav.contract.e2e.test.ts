/**
 * The Remote contract suite THROUGH the WebDAV server: createWebdavRemote (undici) → our server → VFS → fichier
 * remote → in-process emulator (startDavStack: the production wiring, Basic auth on). What the server cannot do
 * is declared in the WebDAV remote's facts (no duplicate names: PUT with If-None-Match: *), not skipped here.
 */
import { describe, expect, it } from 'vitest';
import { startDavStack } from '../../test/support/stack.ts';
import { testBytes } from '../../test/support/bytes.ts';
import { codeOf } from '../../test/support/errors.ts';
import { runRemoteContract } from '../../test/support/remote-contract.ts';
import { streamOf } from '../../test/support/remote-kit.ts';
import { createWebdavRemote } from '../../test/support/webdav-remote/index.ts';

runRemoteContract({
  name: 'webdav through the server (VFS, fichier remote, emulator)',
  absent: { commands: 'WebDAV has no storage-specific operations to carry' },
  make: async () => {
    const stack = await startDavStack();
    return {
      remote: createWebdavRemote({ url: stack.url, user: stack.user, pass: stack.pass }),
      cleanup: () => stack.stop(),
    };
  },
});

describe('webdav remote: access errors through the server', () => {
  it('wrong credentials give EACCES; a read-only server gives EROFS on writes and still serves reads', { timeout: 30_000 }, async () => {
    const stack = await startDavStack({ readOnly: true });
    const wrong = createWebdavRemote({ url: stack.url, user: stack.user, pass: 'not the password' });
    const ro = createWebdavRemote({ url: stack.url, user: stack.user, pass: stack.pass });
    try {
      expect(await codeOf(wrong.stat(''))).toBe('EACCES');
      expect((await ro.stat('')).kind).toBe('dir');
      const root = await ro.stat('');
      expect(await codeOf(ro.mkdir(root, 'd'))).toBe('EROFS');
      expect(await codeOf(ro.put(root, 'f.bin', streamOf(testBytes(10)), { size: 10 }))).toBe('EROFS');
      expect(await ro.list('')).toEqual([]);
    } finally {
      await wrong.close?.();
      await ro.close?.();
      await stack.stop();
    }
  });
});
