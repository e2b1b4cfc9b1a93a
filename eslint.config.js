// Style and the layer boundaries of ../shared/design.md:
//   cli/, webdav/ -> vfs/ -> remote/ -> api/ ; store/ and util/ are leaves; core/ (FsError, paths, dead
//   properties) is the bottom leaf everyone may import; emulator/ sees only api/types.ts;
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
  layer(['src/core/**'], ['../*/**', '!../core/**', 'webdav-server'], 'core/ is the bottom leaf: it imports no other layer'),
  layer(['src/util/**'], ['../*/**', '!../util/**', '!../core/**', 'webdav-server'], 'util/ is a leaf: it imports only core/'),
  layer(['src/store/**'], ['../*/**', '!../store/**', '!../util/**', '!../core/**', '!../remote/types.ts', 'webdav-server'], 'store/ imports only core/, util/ and the remote entry types'),
  layer(['src/config/**'], ['../*/**', '!../config/**', '!../util/**', '!../core/**', 'webdav-server'], 'config/ imports only core/ and util/'),
  layer(['src/api/**'], ['../*/**', '!../api/**', '!../util/**', '!../core/**', 'webdav-server'], 'api/ imports only core/ and util/'),
  layer(['src/emulator/**'], ['../*/**', '!../emulator/**', '!../util/**', '!../core/**', '!../api/types.ts', 'webdav-server'], 'emulator/ imports only api/types.ts, core/ and util/, never the client'),
  layer(['src/remote/**'], ['../vfs/**', '../webdav/**', '../cli/**', '../emulator/**', 'webdav-server'], 'remote/ sits below vfs/, webdav/ and cli/'),
  layer(['src/vfs/**'], ['../api/**', '../webdav/**', '../cli/**', '../emulator/**', 'webdav-server'], 'vfs/ speaks to remote/, never to api/, webdav/ or cli/'),
  layer(['src/observe/**'], ['../*/**', '!../observe/**', '!../util/**', '!../core/**', '!../api/types.ts', '!../api/pacer.ts', '!../api/observer.ts', '!../vfs/types.ts', 'webdav-server'], 'observe/ imports only util/, the api/ types and stats, and vfs/types.ts'),
  layer(['src/rc/**'], ['../*/**', '!../rc/**', '!../util/**', '!../core/**', '!../observe/**', '!../api/types.ts', '!../api/pacer.ts', '!../api/observer.ts', '!../vfs/types.ts', 'webdav-server'], 'rc/ imports only util/, observe/, the api/ types and vfs/types.ts'),
  layer(['src/cli/**'], ['../webdav/handlers/**', 'webdav-server'], 'cli/ starts the server through webdav/index.ts only'),
  {
    files: ['src/cli/**', 'scripts/**', 'bin/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.test.ts', 'test/**'],
    rules: { 'no-restricted-imports': 'off', 'no-console': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
