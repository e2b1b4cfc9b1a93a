// Style and the layer boundaries of ../shared/design.md:
//   cli/, webdav/ -> vfs/ -> remote/ -> api/ ; store/ and util/ are leaves; emulator/ sees only api/types.ts;
//   observe/ (metrics) and rc/ (control port) see only types and stats of the layers they report on.
// A boundary is enforced by no-restricted-imports per folder, so a wrong import fails `npm run lint`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layer = (files, forbidden, message) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: [{ group: forbidden, message }] }],
  },
});


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
  layer(['src/util/**'], ['../*/**', '!../util/**', 'webdav-server'], 'util/ is a leaf: it imports no other layer'),
  layer(['src/store/**'], ['../*/**', '!../store/**', '!../util/**', '!../remote/types.ts', '!../remote/path.ts', 'webdav-server'], 'store/ imports only util/ and the remote entry types'),
  layer(['src/config/**'], ['../*/**', '!../config/**', '!../util/**', 'webdav-server'], 'config/ imports only util/'),
  layer(['src/api/**'], ['../*/**', '!../api/**', '!../util/**', 'webdav-server'], 'api/ imports only util/'),
  layer(['src/emulator/**'], ['../*/**', '!../emulator/**', '!../util/**', '!../api/types.ts', 'webdav-server'], 'emulator/ imports only api/types.ts and util/, never the client'),
  layer(['src/remote/**'], ['../vfs/**', '../webdav/**', '../cli/**', '../emulator/**', 'webdav-server'], 'remote/ sits below vfs/, webdav/ and cli/'),
  layer(['src/vfs/**'], ['../api/**', '../webdav/**', '../cli/**', '../emulator/**', 'webdav-server'], 'vfs/ speaks to remote/, never to api/, webdav/ or cli/'),
  layer(['src/observe/**'], ['../*/**', '!../observe/**', '!../util/**', '!../api/types.ts', '!../api/pacer.ts', '!../api/observer.ts', '!../vfs/types.ts', 'webdav-server'], 'observe/ imports only util/, the api/ types and stats, and vfs/types.ts'),
  layer(['src/rc/**'], ['../*/**', '!../rc/**', '!../util/**', '!../observe/**', '!../api/types.ts', '!../api/pacer.ts', '!../api/observer.ts', '!../vfs/types.ts', 'webdav-server'], 'rc/ imports only util/, observe/, the api/ types and vfs/types.ts'),
  layer(['src/cli/**'], ['../webdav/handlers/**', 'webdav-server'], 'cli/ starts the server through webdav/index.ts only'),
  layer(['src/account/**'], ['../*/**', '!../account/**', '!../api/**', '!../vfs/**', '!../remote/**', '!../util/**', 'webdav-server'], 'account/ (links, remote uploads) sits on vfs/ and api/ only'),
  // The web UI: its browser code sees only its own folder and the shared contract; its server side is a front end
  // of webdav/ that reaches the account only through the WebUiBackend (adapter.ts is the one file that binds it).
  layer(['src/webui/client/**'], ['../../**', '!../../webui/**', '../server/**', 'node:*', 'webdav-server'], 'webui/client/ is browser code: it imports only webui/client/ and webui/shared/'),
  layer(['src/webui/shared/**'], ['../../**', '../client/**', '../server/**', 'node:*'], 'webui/shared/ is the client/server contract: types and constants only'),
  layer(['src/webui/server/**'], ['../../api/**', '../../emulator/**', '../../cli/**', '../../webdav/handlers/**', '../client/**', 'webdav-server'], 'webui/server/ reaches the account only through WebUiBackend'),
  {
    files: ['src/cli/**', 'scripts/**', 'bin/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.test.ts', 'test/**'],
    rules: { 'no-restricted-imports': 'off', 'no-console': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
