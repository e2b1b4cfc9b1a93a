import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../util/clock.ts';
import { CliError } from '../context.ts';
import { formatJob, formatJobList, jobDone, jobJson, waitForJob, type JobInfo } from './remote-jobs.ts';

const job = (status: 'OK' | 'KO' | 'pending', executed: string | null = null): JobInfo => ({
  id: 7,
  requested: '2024-05-06 07:08:09',
  executed,
  results: [{ status, url: 'http://127.0.0.1:1/a.bin', link: status === 'OK' ? 'https://1fichier.com/?abc' : '', message: status === 'KO' ? 'Remote host not allowed #920' : '' }],
});

/** Backend commands whose job turns OK on the `doneAt`-th status call; counts the calls. */
function fakeCommands(doneAt: number) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    remoteUploadJob: async (id: number) => {
      expect(id).toBe(7);
      calls++;
      return calls >= doneAt ? job('OK', '2024-05-06 07:09:00') : job('pending');
    },
  };
}

describe('jobDone', () => {
  it('is false while a URL is pending, true once every URL has a result or the job has an execution date', () => {
    expect(jobDone(job('pending'))).toBe(false);
    expect(jobDone(job('OK'))).toBe(true);
    expect(jobDone(job('KO', '2024-05-06 07:09:00'))).toBe(true);
    expect(jobDone({ ...job('OK'), results: [] })).toBe(false);
  });
});

describe('waitForJob', () => {
  it('polls every interval until the job is done', async () => {
    const clock = new FakeClock();
    const commands = fakeCommands(3);
    const start = clock.now();
    const p = waitForJob(commands, 7, { clock, timeoutMs: 60_000, intervalMs: 2_000 });
    await clock.advance(2_000);
    await clock.advance(2_000);
    const info = await p;
    expect(info.results[0]?.status).toBe('OK');
    expect(commands.calls).toBe(3);
    expect(clock.now() - start).toBe(4_000);
  });

  it('gives up with a CliError (exit 1) after the timeout, the last wait shortened to the deadline', async () => {
    const clock = new FakeClock();
    const commands = fakeCommands(Infinity);
    const p = waitForJob(commands, 7, { clock, timeoutMs: 5_000, intervalMs: 2_000 });
    const failed = expect(p).rejects.toBeInstanceOf(CliError);
    await clock.advance(5_000);
    await failed;
    expect(commands.calls).toBe(4);
  });
});

describe('job output', () => {
  it('text: a header, then one line per URL with its link or message', () => {
    expect(formatJob(job('OK', '2024-05-06 07:09:00'))).toBe(
      'job 7: requested 2024-05-06 07:08:09, finished 2024-05-06 07:09:00; 1 of 1 URLs fetched\n' +
        'OK      http://127.0.0.1:1/a.bin  -> https://1fichier.com/?abc\n',
    );
    expect(formatJob(job('KO', '2024-05-06 07:09:00'))).toMatch(/\nKO {6}http:\/\/127\.0\.0\.1:1\/a\.bin {2}Remote host not allowed #920\n$/);
    expect(formatJobList([])).toBe('no remote upload jobs\n');
    expect(formatJobList([{ id: 12, requested: '2024-05-06 07:08:09', executed: null }])).toBe(
      'ID  REQUESTED            EXECUTED\n12  2024-05-06 07:08:09  running\n',
    );
  });

  it('JSON: id, dates, done and the results', () => {
    expect(jobJson(job('pending'))).toEqual({
      id: 7,
      requested: '2024-05-06 07:08:09',
      executed: null,
      done: false,
      results: [{ url: 'http://127.0.0.1:1/a.bin', status: 'pending', link: null, message: null }],
    });
  });
});
