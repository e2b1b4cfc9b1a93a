import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../util/clock.ts';
import { CliError } from '../context.ts';
import type { JobView } from '../../account/index.ts';
import { formatJob, formatJobList, waitForJob } from './remote-jobs.ts';

/** A one-URL job in the account operations' view, the URL in state `status`. */
const job = (status: 'OK' | 'KO' | 'pending', executed: string | null = null): JobView => ({
  id: 7,
  requested: '2024-05-06 07:08:09',
  executed,
  done: status !== 'pending',
  results: [{ url: 'http://127.0.0.1:1/a.bin', status, link: status === 'OK' ? 'https://1fichier.com/?abc' : null, message: status === 'KO' ? 'Remote host not allowed #920' : null }],
});

/** Account operations whose job turns OK on the `doneAt`-th status call; counts the calls. */
function fakeAccount(doneAt: number) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    remoteJob: async (id: number) => {
      expect(id).toBe(7);
      calls++;
      return calls >= doneAt ? job('OK', '2024-05-06 07:09:00') : job('pending');
    },
  };
}

describe('waitForJob', () => {
  it('polls every interval until the job is done', async () => {
    const clock = new FakeClock();
    const account = fakeAccount(3);
    const start = clock.now();
    const p = waitForJob(account, 7, { clock, timeoutMs: 60_000, intervalMs: 2_000 });
    await clock.advance(2_000);
    await clock.advance(2_000);
    const info = await p;
    expect(info.results[0]?.status).toBe('OK');
    expect(account.calls).toBe(3);
    expect(clock.now() - start).toBe(4_000);
  });

  it('gives up with a CliError (exit 1) after the timeout, the last wait shortened to the deadline', async () => {
    const clock = new FakeClock();
    const account = fakeAccount(Infinity);
    const p = waitForJob(account, 7, { clock, timeoutMs: 5_000, intervalMs: 2_000 });
    const failed = expect(p).rejects.toBeInstanceOf(CliError);
    await clock.advance(5_000);
    await failed;
    expect(account.calls).toBe(4);
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
});
