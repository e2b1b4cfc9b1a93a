/**
 * Three test tiers, as vitest projects; a file's tier is in its name, so a new test lands in one by
 * construction (ARCHITECTURE.md, "Tests"):
 * - unit  `x.test.ts`: no sockets, no child processes, no real timers (test/support/unit-guard.ts fails a test
 *   that tries). No per-file isolation (loading the modules again for each file would be most of the time):
 *   the whole tier runs in seconds.
 *   `npm run test:unit`.
 * - e2e   `x.e2e.test.ts`: servers on loopback (the emulator, our WebDAV server, the rc port), our own CLI as
 *   a child process. `npm run test:e2e`.
 * - slow  `x.slow.test.ts`: real third-party clients (litmus, rclone, FUSE mounts), load, hostile input, a
 *   fresh-clone start, the benchmark smoke run. `npm run test:slow`.
 * `npm test` runs all three (CI).
 */
import { configDefaults, defineConfig } from 'vitest/config';

// Every pattern is rooted in src/ or test/: an unrooted `**` would make vitest walk the whole checkout, including
// the FUSE mounts a running bench keeps under bench/tmp.
const ALL = ['src/**/*.test.ts', 'test/**/*.test.ts'];
const E2E = ['src/**/*.e2e.test.ts', 'test/**/*.e2e.test.ts'];
const SLOW = ['src/**/*.slow.test.ts', 'test/**/*.slow.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Keeps each file's transformed code on disk between runs (node_modules/.experimental-vitest-cache, keyed
    // by the file's content, its id and the config; no plugin here transforms from anything else): without
    // it, transforming the sources again is about a quarter of the unit tier's time on two shared cores.
    experimental: { fsModuleCache: true },
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ALL,
          exclude: [...configDefaults.exclude, ...E2E, ...SLOW],
          setupFiles: ['test/support/unit-guard.ts'],
          isolate: false,
          // Both cores: with no sockets or timers in this tier, parallel files cannot disturb each other. A
          // project with its own worker count runs as its own group: unit first, then e2e, then slow.
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
          testTimeout: 10_000,
          hookTimeout: 10_000,
        },
      },
      { extends: true, test: { name: 'e2e', include: E2E, sequence: { groupOrder: 1 } } },
      { extends: true, test: { name: 'slow', include: SLOW, sequence: { groupOrder: 2 } } },
    ],
  },
});
