/**
 * Test support for the VFS unit tests (not used by production code): a remote wrapper that counts calls
 * per method and can inject failures, and a factory for a Vfs over the memory remote, an in-memory store
 * and a FakeClock.
 */
import type { Remote } from '../../src/remote/types.ts';
import { createMemoryRemote } from '../../src/remote/memory/index.ts';
import type { RemoteFacts } from '../../src/remote/types.ts';
import { openMetaStore } from '../../src/store/index.ts';
import type { MetaStore } from '../../src/store/types.ts';
import { FakeClock, systemClock } from '../../src/util/clock.ts';
import { createVfs } from '../../src/vfs/index.ts';
import type { Vfs, VfsOptions } from '../../src/vfs/types.ts';

type MethodName = 'list' | 'stat' | 'openRead' | 'put' | 'remove' | 'mkdir' | 'rmdir' | 'move' | 'dirMove' | 'copy' | 'about';

export interface CountingRemote extends Remote {
  /** Calls per method so far. */
  calls: Partial<Record<MethodName, number>>;
  /** Total calls. */
  total(): number;
  /** Replace a method's behaviour (e.g. a failing put) until `restore(name)`. */
  override<K extends MethodName>(name: K, impl: NonNullable<Remote[K]>): void;
  restore(name: MethodName): void;
  /** Reset the counters. */
  reset(): void;
}

const METHODS: MethodName[] = ['list', 'stat', 'openRead', 'put', 'remove', 'mkdir', 'rmdir', 'move', 'dirMove', 'copy', 'about'];

/** Wrap `inner`: every call is counted; `override` swaps one method's implementation. */
export function countingRemote(inner: Remote): CountingRemote {
  const calls: Partial<Record<MethodName, number>> = {};
  const overrides = new Map<MethodName, (...args: never[]) => unknown>();
  const wrapper: Record<string, unknown> = {
    name: inner.name,
    facts: inner.facts,
    calls,
    total: () => Object.values(calls).reduce((a, b) => a + (b ?? 0), 0),
    override: (name: MethodName, impl: (...args: never[]) => unknown) => overrides.set(name, impl),
    restore: (name: MethodName) => overrides.delete(name),
    reset: () => {
      for (const k of Object.keys(calls)) delete calls[k as MethodName];
    },
  };
  for (const m of METHODS) {
    const fn = inner[m] as ((...args: unknown[]) => unknown) | undefined;
    if (!fn) continue;
    wrapper[m] = (...args: unknown[]) => {
      calls[m] = (calls[m] ?? 0) + 1;
      const impl = (overrides.get(m) as ((...a: unknown[]) => unknown) | undefined) ?? fn.bind(inner);
      return impl(...args);
    };
  }
  return wrapper as unknown as CountingRemote;
}

export interface VfsKit {
  vfs: Vfs;
  remote: CountingRemote;
  /** The memory remote itself (uncounted), to make changes behind the VFS's back. */
  backend: Remote;
  store: MetaStore;
  clock: FakeClock;
  /** A second Vfs over the same remote and store (a restart). */
  restart(opts?: Partial<VfsOptions>): Vfs;
}

/** 1fichier-like facts: duplicate names, no empty files. */
export const FICHIER_LIKE: Partial<RemoteFacts> = { duplicateNames: true, emptyFiles: false };

/** A Vfs over a counting memory remote, an in-memory store and a FakeClock. */
export function makeKit(opts: { facts?: Partial<RemoteFacts>; vfs?: Partial<VfsOptions>; strip?: ('move' | 'dirMove' | 'copy')[] } = {}): VfsKit {
  const clock = new FakeClock();
  const backend = createMemoryRemote({ clock, facts: opts.facts ?? FICHIER_LIKE });
  const stripped: Remote = opts.strip ? withoutFeatures(backend, opts.strip) : backend;
  const remote = countingRemote(stripped);
  const store = openMetaStore({ file: ':memory:' });
  const make = (extra: Partial<VfsOptions> = {}) => createVfs({ remote, store, clock, ...opts.vfs, ...extra });
  return { vfs: make(), remote, backend, store, clock, restart: make };
}

function withoutFeatures(r: Remote, names: ('move' | 'dirMove' | 'copy')[]): Remote {
  const out: Record<string, unknown> = { name: r.name, facts: r.facts };
  for (const m of [...METHODS, 'publicLink', 'close'] as const) {
    const fn = r[m as keyof Remote];
    if (typeof fn === 'function' && !names.includes(m as 'move')) out[m] = (fn as (...a: unknown[]) => unknown).bind(r);
  }
  return out as unknown as Remote;
}

/**
 * A Vfs over the memory remote (1fichier-like facts) and an in-memory store on the system clock: for a
 * server that real clients talk to, where cached listings expire as in production.
 */
export function memoryVfs(): Vfs {
  const remote = createMemoryRemote({ clock: systemClock, facts: FICHIER_LIKE });
  return createVfs({ remote, store: openMetaStore({ file: ':memory:' }) });
}
