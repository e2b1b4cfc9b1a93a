/**
 * The layer rules of eslint.config.js hold at any depth: a forbidden import written in a nested folder fails
 * lint, and an allowed one passes. The probe files are virtual (ESLint's lintText with a path that does not
 * exist); the modules they import are real, and each case first checks that its import resolves, because a
 * rule on resolved paths says nothing about an import it cannot resolve.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const eslint = new ESLint({ cwd: ROOT });

/** The layer-rule messages lint gives for a file at `file` (relative to the root) importing `spec`. */
async function layerErrors(file: string, spec: string): Promise<string[]> {
  const target = resolve(ROOT, dirname(file), spec);
  expect(existsSync(target) || existsSync(join(target, 'index.ts')), `${spec} from ${file} must exist`).toBe(true);
  const code = `import * as probe from '${spec}';\nexport const used = probe;\n`;
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'import-x/no-restricted-paths').map((m) => m.message);
}

describe('layer rules on nested folders', () => {
  it.each([
    ['src/remote/fichier/deep/probe.ts', '../../../vfs/index.ts', 'remote/ sits below vfs/'],
    ['src/remote/fichier/deep/probe.ts', '../../../vfs', 'remote/ sits below vfs/'],
    ['src/remote/fichier/deep/probe.ts', '../../../emulator/index.ts', 'remote/ sits below vfs/'],
    ['src/remote/memory/deep/probe.ts', '../../../api/client.ts', 'only the 1fichier remotes (remote/fichier/, remote/shared-folder/) speak the 1fichier API'],
    ['src/webdav/handlers/deep/probe.ts', '../../../api/client.ts', 'webdav/ serves the VFS'],
    ['src/webdav/handlers/deep/probe.ts', '../../../store/index.ts', 'webdav/ serves the VFS'],
    ['src/cli/commands/deep/probe.ts', '../../../api/client.ts', 'cli/ works through the VFS'],
    ['src/cli/transfer/probe.ts', '../../emulator/index.ts', 'cli/ works through the VFS'],
    ['src/vfs/a/probe.ts', '../../remote/fichier/index.ts', 'vfs/ speaks to the Remote contract'],
    ['src/util/a/b/probe.ts', '../../../vfs/types.ts', 'util/ is a leaf'],
    ['src/util/a/b/probe.ts', '../../../../test/support/emulator.ts', 'production code never imports test code'],
    ['src/account/a/probe.ts', '../../api/client.ts', 'account/ (links, remote uploads) works through the VFS'],
    ['src/account/a/probe.ts', '../../remote/fichier/commands.ts', 'account/ (links, remote uploads) works through the VFS'],
    ['src/webui/client/a/probe.ts', '../../server/guard.ts', 'webui/client/ is browser code'],
    ['src/webui/client/a/probe.ts', '../../../util/log.ts', 'webui/client/ is browser code'],
    ['src/webui/server/a/probe.ts', '../../../api/client.ts', 'webui/server/ is a front end of webdav/'],
    ['src/webui/server/a/probe.ts', '../../../remote/fichier/errors.ts', 'webui/server/ is a front end of webdav/'],
    ['src/webui/shared/a/probe.ts', '../../../core/errors.ts', 'webui/shared/ is the client/server contract'],
  ])('%s importing %s is refused', { timeout: 30_000 }, async (file, spec, why) => {
    const errors = await layerErrors(file, spec);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(why);
  });

  it.each([
    ['src/remote/fichier/deep/probe.ts', '../../../api/client.ts'],
    ['src/remote/shared-folder/deep/probe.ts', '../../../api/client.ts'],
    ['src/webdav/handlers/deep/probe.ts', '../../../vfs/types.ts'],
    ['src/cli/commands/deep/probe.ts', '../../../core/errors.ts'],
    ['src/cli/commands/emulator.ts', '../../emulator/index.ts'],
    ['src/account/a/probe.ts', '../../remote/commands.ts'],
    ['src/webui/client/a/probe.ts', '../../shared/api.ts'],
    ['src/webui/server/a/probe.ts', '../../../account/index.ts'],
  ])('%s importing %s is allowed', { timeout: 30_000 }, async (file, spec) => {
    expect(await layerErrors(file, spec)).toEqual([]);
  });

  it('the web UI\'s browser code imports no node module', { timeout: 30_000 }, async () => {
    const [result] = await eslint.lintText(`import { readFileSync } from 'node:fs';\nexport const used = readFileSync;\n`, { filePath: join(ROOT, 'src/webui/client/probe.ts') });
    expect((result?.messages ?? []).map((m) => m.ruleId)).toEqual(['import-x/no-nodejs-modules']);
  });

  it('test files may import test code', { timeout: 30_000 }, async () => {
    expect(await layerErrors('src/store/deep/probe.test.ts', '../../../test/support/emulator.ts')).toEqual([]);
  });
});
