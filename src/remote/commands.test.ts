import { describe, expect, it } from 'vitest';
import { codeOf } from '../../test/support/errors.ts';
import { noCommands } from './commands.ts';

describe('noCommands', () => {
  it('refuses every backend command with ENOTSUP', async () => {
    const none = noCommands('memory:');
    const dir = { path: '', name: '', kind: 'dir' as const, size: 0, modTime: 0, id: 'mem:0', hashes: {} };
    expect(await codeOf(none.directLink(dir))).toBe('ENOTSUP');
    expect(await codeOf(none.remoteUpload(['http://127.0.0.1:1/x'], dir))).toBe('ENOTSUP');
    expect(await codeOf(none.remoteUploadJobs())).toBe('ENOTSUP');
    expect(await codeOf(none.remoteUploadJob(1))).toBe('ENOTSUP');
  });
});
