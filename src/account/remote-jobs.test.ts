import { describe, expect, it } from 'vitest';
import { checkRemoteUrl, jobDone, jobSummaries, jobView, type JobInfo } from './remote-jobs.ts';

const job = (status: 'OK' | 'KO' | 'pending', executed: string | null = null): JobInfo => ({
  status: 'OK',
  id: 7,
  request_date: '2024-05-06 07:08:09',
  execution_date: executed,
  links: status === 'OK' ? 1 : 0,
  result: [{ status, url: 'http://127.0.0.1:1/a.bin', download_link: status === 'OK' ? 'https://1fichier.com/?abc' : '', message: status === 'KO' ? 'Remote host not allowed #920' : '' }],
});

describe('jobDone', () => {
  it('is false while a URL is pending, true once every URL has a result or the job has an execution date', () => {
    expect(jobDone(job('pending'))).toBe(false);
    expect(jobDone(job('OK'))).toBe(true);
    expect(jobDone(job('KO', '2024-05-06 07:09:00'))).toBe(true);
    expect(jobDone({ ...job('OK'), result: [] })).toBe(false);
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
    expect(jobSummaries([{ id: 3, request_date: '2024-05-06 07:08:09', execution_date: null }])).toEqual([{ id: 3, requested: '2024-05-06 07:08:09', executed: null }]);
  });
});

describe('checkRemoteUrl', () => {
  it('accepts http, https and ftp URLs and refuses the rest with EINVAL', () => {
    expect(checkRemoteUrl('ftp://127.0.0.1/a')).toBe('ftp://127.0.0.1/a');
    expect(() => checkRemoteUrl('not a url')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => checkRemoteUrl('file:///etc/passwd')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });
});
