/**
 * Key hygiene: with recognisable keys, drive every error path of the client against the emulator,
 * capture every log line (client and emulator, at trace level) and every error in every form
 * (message, stack, cause chain, util.inspect, JSON), and find neither key anywhere.
 */
import { buffer as drain } from 'node:stream/consumers';
import { Readable } from 'node:stream';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FichierClient } from '../src/api/client.ts';
import { createPacer } from '../src/api/pacer.ts';
import { createLogger } from '../src/util/log.ts';
import { Secret } from '../src/util/secret.ts';
import { startEmulator, testPacer, type TestEmulator } from './support/emulator.ts';

const GOOD_KEY = 'GoodKey_RECOGNISABLE_0123456789ab';
const WRONG_KEY = 'WrongKey_RECOGNISABLE_987654321zy';

const lines: string[] = [];
const sink = { write: (l: string) => lines.push(l) };
const captured: unknown[] = [];

let emu: TestEmulator;

function client(key: string, baseUrl = emu.apiBase, pacerOpts: Parameters<typeof createPacer>[0] = {}): FichierClient {
  const logger = createLogger({ level: 'trace', format: 'json', destination: sink });
  const pacer = createPacer(testPacer({ floodCooldownMs: 50, floodEscalatedCooldownMs: 50, backoffBaseMs: 5, backoffMaxMs: 20, maxAttempts: 2, logger, ...pacerOpts }));
  return new FichierClient({ apiKey: new Secret(key), baseUrl, pacer, logger, endPollMaxMs: 300 });
}

/** Run `fn`, expect it to fail, keep the error for the final grep, and return it. */
async function failure(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (err) {
    captured.push(err);
    return err as Error;
  }
  throw new Error('expected a failure');
}

beforeAll(async () => {
  emu = await startEmulator({ apiKey: GOOD_KEY, logger: createLogger({ level: 'trace', format: 'json', destination: sink }) });
});
afterAll(async () => {
  await emu?.stop();
});

describe('the API key never leaks', () => {
  it('drives every error path', async () => {
    const good = client(GOOD_KEY);
    const wrong = client(WRONG_KEY);

    expect((await failure(() => wrong.folderLs(0))) as { kind?: string }).toMatchObject({ kind: 'auth' });
    expect(await failure(() => good.fileInfo('https://1fichier.com/?doesnotexist0000'))).toMatchObject({ kind: 'not-found' });

    const dir = await good.folderMkdir(0, 'hygiene');
    const up = await good.upload(Readable.from([Buffer.from('some bytes')]), { filename: 'a.txt', size: 10, folderId: dir.folder_id });
    expect(await failure(() => good.folderRm(dir.folder_id))).toMatchObject({ kind: 'refused' });
    expect(await failure(() => good.upload(Readable.from([]), { filename: 'empty.txt', size: 0, folderId: 0 }))).toBeInstanceOf(Error);

    await emu.admin('faults', { failNext: [{ endpoint: 'folder/ls.cgi', count: 5, status: 503 }] });
    expect(await failure(() => good.folderLs(0))).toMatchObject({ kind: 'server' });
    await emu.admin('faults/clear', {});

    await emu.admin('ban', { ms: 2_000, code: 374 });
    expect(await failure(() => good.fileLs(0))).toMatchObject({ kind: 'flood' });
    await new Promise((r) => setTimeout(r, 2_100));

    await emu.admin('faults', { endPlHtml: { count: 100 } });
    expect(await failure(() => good.upload(Readable.from([Buffer.from('x')]), { filename: 'b.txt', size: 1, folderId: 0 }))).toBeInstanceOf(Error);
    await emu.admin('faults/clear', {});

    const token = await good.getToken(up.url);
    expect(await failure(() => good.download(token.url, { start: 100, end: 200 }))).toMatchObject({ kind: 'range' });

    await emu.admin('faults', { resetMidBody: { target: 'download', count: 1, afterBytes: 3 } });
    const token2 = await good.getToken(up.url, { single: false });
    await failure(async () => drain((await good.download(token2.url)).body));
    await emu.admin('faults/clear', {});

    const dead = client(GOOD_KEY, 'http://127.0.0.1:9/v1');
    expect(await failure(() => dead.userInfo())).toMatchObject({ kind: 'transport' });

    captured.push(good, wrong, dead, good.pacerStats());
    await Promise.all([good.close(), wrong.close(), dead.close()]);
  });

  it('finds neither key in any log line or error form', () => {
    expect(lines.length).toBeGreaterThan(10);
    expect(captured.length).toBeGreaterThan(10);
    const forms: string[] = [...lines];
    for (const e of captured) {
      forms.push(inspect(e, { depth: 20, showHidden: true }), JSON.stringify(e) ?? '', String(e));
      let cur: unknown = e;
      while (cur instanceof Error) {
        forms.push(cur.message, cur.stack ?? '');
        cur = cur.cause;
      }
    }
    const haystack = forms.join('\n');
    expect(haystack).not.toContain(GOOD_KEY);
    expect(haystack).not.toContain(WRONG_KEY);
    expect(haystack).toMatch(/auth|401/);
  });
});
