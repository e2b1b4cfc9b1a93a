// Style, and the layer boundaries of ARCHITECTURE.md, checked on every file at any depth.
//
// A layer is a folder of src/. Each one lists what it MAY import (an allow-list: a folder or file not listed
// is refused, so a new folder starts closed). The check is eslint-plugin-import-x's no-restricted-paths,
// which matches the RESOLVED path of each import against the importing file's folder, so '../../vfs' from
// src/remote/fichier/deep/x.ts is caught as surely as '../vfs' from src/remote/x.ts. test/layers.test.ts
// proves it on a nested file.
import js from '@eslint/js';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const ROOT = import.meta.dirname;

/** The kernel every layer may import: FsError and its codes, path helpers, byte spans, dead properties. */
const KERNEL = ['core'];

/**
 * What each layer may import besides itself, util/ and the kernel (paths relative to src/); a `bare` layer does
 * not get util/ and the kernel either (the web UI's browser code, which runs where node modules do not exist).
 * Data flows one way: cli/, webdav/ and its front end webui/ -> account/ -> vfs/ -> remote/ -> api/; app/ is
 * the composition root that wires them.
 */
const LAYERS = {
  util: { may: [], why: 'util/ is a leaf: it imports no other layer' },
  core: { may: [], why: 'core/ is the kernel at the bottom: it imports no other layer' },
  config: { may: [], why: 'config/ imports only util/ and the kernel' },
  api: { may: [], why: 'api/ (the 1fichier wire level) imports only util/ and the kernel' },
  emulator: { may: ['api/types.ts'], why: 'emulator/ imports only the wire types of api/types.ts, never the client' },
  store: { may: ['remote/types.ts'], why: 'store/ imports only the remote entry types' },
  remote: { may: ['api'], why: 'remote/ sits below vfs/: it imports api/ (the 1fichier remotes only), never vfs/, store/ or the entry points' },
  vfs: { may: ['remote/types.ts', 'store/types.ts'], why: 'vfs/ speaks to the Remote contract and the MetaStore interface, never to a remote implementation, api/ or the entry points' },
  'shared-state': {
    may: ['api/rate-state.ts', 'remote/types.ts', 'vfs/types.ts'],
    why: 'shared-state/ keeps the rate state and listing changes in Redis: it imports only the RateState interface and the entry and listing-change types',
  },
  observe: { may: ['api/types.ts', 'api/pacer.ts', 'api/observer.ts', 'vfs/types.ts'], why: 'observe/ imports only the api/ types and stats and vfs/types.ts' },
  rc: { may: ['observe', 'api/types.ts', 'api/pacer.ts', 'api/observer.ts', 'vfs/types.ts'], why: 'rc/ imports only observe/, the api/ types and vfs/types.ts' },
  webdav: {
    may: ['vfs', 'config/settings.ts', 'observe'],
    why: 'webdav/ serves the VFS: it imports vfs/, the kernel, util/ and config/observe types, never a remote, api/ or the store',
  },
  account: {
    may: ['vfs', 'remote/commands.ts', 'remote/types.ts'],
    why: 'account/ (links, remote uploads) works through the VFS and the remote\'s backend commands, never api/ or a remote implementation',
  },
  'webui/client': {
    may: ['webui/shared', 'core/path.ts'],
    bare: true,
    why: 'webui/client/ is browser code: it imports only itself, the webui/shared/ contract and the path helpers of core/path.ts, never server code',
  },
  'webui/shared': { may: [], bare: true, why: 'webui/shared/ is the client/server contract: types and constants only' },
  'webui/server': {
    may: ['webui/shared', 'account', 'vfs/types.ts', 'store/types.ts', 'webdav/context.ts', 'webdav/errors.ts', 'webdav/xml-core.ts'],
    why: 'webui/server/ is a front end of webdav/: it serves the VFS, the store\'s search and the account operations, never a remote or api/',
  },
  cli: {
    may: ['app', 'config', 'vfs', 'webdav/index.ts', 'rc', 'observe', 'account'],
    why: 'cli/ works through the VFS, the account operations and the session app/ builds; it never imports api/, emulator/, a remote or the store',
  },
  app: {
    may: ['config', 'api', 'emulator', 'remote', 'store', 'vfs', 'observe', 'rc', 'account', 'shared-state', 'webdav/index.ts', 'webui/server/index.ts'],
    why: 'app/ (the composition root) wires every layer but the CLI; the WebDAV server and the web UI only through their index.ts',
  },
};

/**
 * Seams: single files allowed one more import than their layer. The `emulator` command runs the emulator
 * standalone: the emulator is its whole job, so it imports it directly rather than through a pass-through in
 * app/.
 */
const SEAMS = { 'src/cli/commands/emulator.ts': { cli: ['emulator/index.ts'] } };

/** The zones of no-restricted-paths, each layer's allow-list widened by `extra` (for a seam). */
const zonesWith = (extra = {}) => [
  ...Object.entries(LAYERS).map(([layer, { may, why, bare }]) => ({
    target: `./src/${layer}`,
    from: './src',
    except: [...new Set([layer, ...(layer === 'core' || bare ? [] : ['util', ...KERNEL]), ...may, ...(extra[layer] ?? [])])].map((p) => `./${p}`),
    message: why,
  })),
  {
    target: ['./src/remote/*.ts', './src/remote/memory'],
    from: './src/api',
    message: 'only the 1fichier remotes (remote/fichier/, remote/shared-folder/) speak the 1fichier API',
  },
  { target: './src', from: './test', message: 'production code never imports test code' },
];

const TESTS = ['**/*.test.ts', 'test/**'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'bench/', '.tmp/', '.fichier-dav/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setImmediate: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', Buffer: 'readonly', URL: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', queueMicrotask: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js'] })] },
    rules: {
      'import-x/no-restricted-paths': ['error', { basePath: ROOT, zones: zonesWith() }],
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vitest', message: 'production code never imports the test runner' }],
          patterns: [{ group: ['webdav-server'], message: 'only webdav/ uses the webdav-server framework' }],
        },
      ],
    },
  },
  ...Object.entries(SEAMS).map(([file, extra]) => ({
    files: [file],
    rules: { 'import-x/no-restricted-paths': ['error', { basePath: ROOT, zones: zonesWith(extra) }] },
  })),
  {
    files: ['src/webdav/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'vitest', message: 'production code never imports the test runner' }] }] },
  },
  {
    // The browser bundle: node's modules do not exist there.
    files: ['src/webui/client/**/*.ts', 'src/webui/shared/**/*.ts'],
    ignores: TESTS,
    rules: { 'import-x/no-nodejs-modules': 'error' },
  },
  {
    files: ['src/cli/**', 'scripts/**', 'bin/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: TESTS,
    rules: { 'import-x/no-restricted-paths': 'off', 'no-restricted-imports': 'off', 'no-console': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
