import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { existingSpelling } from './sides.ts';

const dir = mkdtempSync(join(tmpdir(), 'fdav-sides-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('existingSpelling', () => {
  it('finds a local file stored under the other Unicode spelling of the same name', async () => {
    writeFileSync(join(dir, 'Caf\u00e9.txt'), 'nfc');
    writeFileSync(join(dir, 'Re\u0301sume\u0301.txt'), 'nfd');
    expect(await existingSpelling({ kind: 'local', path: join(dir, 'Cafe\u0301.txt') })).toEqual({ kind: 'local', path: join(dir, 'Caf\u00e9.txt') });
    expect(await existingSpelling({ kind: 'local', path: join(dir, 'R\u00e9sum\u00e9.txt') })).toEqual({ kind: 'local', path: join(dir, 'Re\u0301sume\u0301.txt') });
  });

  it('keeps an existing exact path, a new name, a missing folder and an account path as they are', async () => {
    const exact = { kind: 'local' as const, path: join(dir, 'Caf\u00e9.txt') };
    expect(await existingSpelling(exact)).toBe(exact);
    const fresh = { kind: 'local' as const, path: join(dir, 'new.txt') };
    expect(await existingSpelling(fresh)).toBe(fresh);
    const nowhere = { kind: 'local' as const, path: join(dir, 'missing', 'x.txt') };
    expect(await existingSpelling(nowhere)).toBe(nowhere);
    const remote = { kind: 'remote' as const, path: 'Cafe\u0301.txt' };
    expect(await existingSpelling(remote)).toBe(remote);
  });
});
