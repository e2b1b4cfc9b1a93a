import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Secret } from '../util/secret.ts';
import { crashReport, installCrashHandlers } from './crash.ts';

describe('crash handlers', () => {
  it('report uncaught errors with every registered secret redacted, then exit 70', () => {
    const key = new Secret('CrashKey_0123456789abcdefghijkl').reveal();
    const proc = new EventEmitter() as EventEmitter & { exit: (code: number) => void };
    const exits: number[] = [];
    proc.exit = (code: number) => void exits.push(code);
    let out = '';
    installCrashHandlers({ write: (s: string) => (out += s) }, proc as unknown as Pick<NodeJS.Process, 'on' | 'exit'>);
    proc.emit('uncaughtException', new Error(`boom with ${key}`, { cause: new Error(`inner ${key}`) }));
    proc.emit('unhandledRejection', { detail: key });
    expect(exits).toEqual([70, 70]);
    expect(out).toContain('fatal uncaught exception');
    expect(out).toContain('fatal unhandled rejection');
    expect(out).toContain('boom with [redacted]');
    expect(out).toContain('inner [redacted]');
    expect(out).not.toContain(key);
    expect(crashReport('x', new Error(key))).not.toContain(key);
  });
});
