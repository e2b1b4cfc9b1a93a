import { describe, expect, it } from 'vitest';
import { codeOf } from '../../test/support/errors.ts';
import { makeKit } from '../../test/support/vfs-kit.ts';
import { noCommands, type RemoteCommands, type RemoteUploadJob } from '../remote/commands.ts';
import { createAccountOps } from './index.ts';
import { checkRemoteUrl, jobDone, jobView } from './remote-jobs.ts';

const job = (status: 'OK' | 'KO' | 'pending', executed: string | null = null): RemoteUploadJob => ({
  id: 7,
  requested: '2024-05-06 07:08:09',
  executed,
  results: [{ status, url: 'http://127.0.0.1:1/a.bin', link: status === 'OK' ? 'https://1fichier.com/?abc' : '', message: status === 'KO' ? 'Remote host not allowed #920' : '' }],
});

describe('jobDone', () => {
  it('is false while a URL is pending, true once every URL has a result or the job has an execution date', () => {
    expect(jobDone(job('pending'))).toBe(false);
    expect(jobDone(job('OK'))).toBe(true);
    expect(jobDone(job('KO', '2024-05-06 07:09:00'))).toBe(true);
    expect(jobDone({ ...job('OK'), results: [] })).toBe(false);
  });
});

describe('jobView', () => {
  it('id, dates, done and the results, with empty links and messages as null', () => {
    expect(jobView(job('pending'))).toEqual({
      id: 7,
      requested: '2024-05-06 07:08:09',
      executed: null,
      done: false,
      results: [{ url: 'http://127.0.0.1:1/a.bin', status: 'pending', link: null, message: null }],
    });
    expect(jobView(job('OK', '2024-05-06 07:09:00')).results[0]).toEqual({ url: 'http://127.0.0.1:1/a.bin', status: 'OK', link: 'https://1fichier.com/?abc', message: null });
  });
});

describe('checkRemoteUrl', () => {
  it('accepts http, https and ftp URLs and refuses the rest with EINVAL', () => {
    expect(checkRemoteUrl('ftp://127.0.0.1/a')).toBe('ftp://127.0.0.1/a');
    expect(() => checkRemoteUrl('not a url')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => checkRemoteUrl('file:///etc/passwd')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });
});

describe('AccountOps remote uploads', () => {
  it('hands the folder the VFS found to the backend command; refuses bad input before any call', async () => {
    const kit = makeKit();
    await kit.vfs.mkdir('in');
    const requests: { urls: string[]; dir: string }[] = [];
    const commands: RemoteCommands = {
      ...noCommands('memory'),
      remoteUpload: async (urls, dir) => {
        requests.push({ urls, dir: dir.path });
        return { id: 42 };
      },
      remoteUploadJobs: async () => [{ id: 42, requested: '2024-05-06 07:08:09', executed: null }],
      remoteUploadJob: async () => job('OK', '2024-05-06 07:09:00'),
    };
    const account = createAccountOps({ vfs: kit.vfs, remote: { name: 'memory', commands } });
    expect(await account.startRemoteUpload(['https://example.com/a.iso'], 'in')).toBe(42);
    expect(requests).toEqual([{ urls: ['https://example.com/a.iso'], dir: 'in' }]);
    expect(await codeOf(account.startRemoteUpload([], 'in'))).toBe('EINVAL');
    expect(await codeOf(account.startRemoteUpload(['file:///etc/passwd'], 'in'))).toBe('EINVAL');
    expect(await codeOf(account.startRemoteUpload(['https://example.com/a.iso'], 'missing'))).toBe('ENOENT');
    expect(requests).toHaveLength(1);
    expect(await account.remoteJobs()).toEqual([{ id: 42, requested: '2024-05-06 07:08:09', executed: null }]);
    expect((await account.remoteJob(42)).done).toBe(true);
  });

  it('without backend commands every remote upload operation is ENOTSUP', async () => {
    const kit = makeKit();
    const account = createAccountOps({ vfs: kit.vfs, remote: { name: 'bare' } });
    expect(await codeOf(account.startRemoteUpload(['https://example.com/a.iso'], ''))).toBe('ENOTSUP');
    expect(await codeOf(account.remoteJobs())).toBe('ENOTSUP');
    expect(await codeOf(account.remoteJob(1))).toBe('ENOTSUP');
  });
});
