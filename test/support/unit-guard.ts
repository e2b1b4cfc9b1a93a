/**
 * Setup file of the `unit` test project (vitest.config.ts). A unit test does no I/O that can be slow or
 * flaky, and this file makes the forbidden kinds fail the test that tries them, with a message saying where
 * such a test belongs:
 * - sockets: no server listens and no connection opens (net.Server#listen and net.Socket#connect, which
 *   every HTTP client, undici and fetch included, goes through);
 * - child processes: child_process.spawn/exec/execFile/fork and their Sync forms;
 * - real time: setTimeout with a delay over 1 ms, and setInterval (a 0–1 ms timer only yields to the event
 *   loop; anything longer is a wait, which util/clock.ts FakeClock replaces).
 * Files on disk (temp dirs, SQLite files) are allowed: local, fast and deterministic.
 *
 * The unit project runs its files in one process without isolation (for speed), so the patches are
 * installed once per process; the check after each test is registered by every file.
 */
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import { afterEach } from 'vitest';

const WHERE = 'a unit test does no I/O: name the file *.e2e.test.ts (loopback servers, the emulator, child processes) or *.slow.test.ts (real clients)';

interface GuardState {
  violation: Error | undefined;
}

const KEY = Symbol.for('fichier-dav.unit-guard');
const registry = globalThis as unknown as Record<symbol, GuardState | undefined>;

function install(): GuardState {
  const state: GuardState = { violation: undefined };
  const forbid = (what: string): Error => {
    const err = new Error(`${what}: ${WHERE}`);
    state.violation ??= err;
    return err;
  };
  net.Server.prototype.listen = function listen() {
    throw forbid('a server listens');
  } as typeof net.Server.prototype.listen;
  net.Socket.prototype.connect = function connect() {
    throw forbid('a socket connects');
  } as typeof net.Socket.prototype.connect;
  const cp = childProcess as unknown as Record<string, unknown>;
  for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) {
    cp[name] = () => {
      throw forbid(`child_process.${name}`);
    };
  }
  syncBuiltinESMExports();
  const realSetTimeout = globalThis.setTimeout;
  globalThis.setTimeout = ((fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    if (Number(ms ?? 0) > 1) throw forbid(`a real ${ms} ms timer`);
    return realSetTimeout(fn, ms, ...args);
  }) as typeof setTimeout;
  globalThis.setInterval = ((_fn: unknown, ms?: number) => {
    throw forbid(`a real ${ms} ms interval`);
  }) as unknown as typeof setInterval;
  return state;
}

const state = (registry[KEY] ??= install());

afterEach(() => {
  const v = state.violation;
  state.violation = undefined;
  if (v) throw v;
});
