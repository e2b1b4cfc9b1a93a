import { describe, expect, it } from 'vitest';
import { runCli } from '../../test/support/cli.ts';
import { CliError } from './context.ts';
import { accountPath, parseCliPath } from './paths.ts';

describe('parseCliPath', () => {
  it('reads remote:path as rclone does, normalising the path', () => {
    expect(parseCliPath('fichier:')).toEqual({ kind: 'remote', remote: 'fichier', path: '' });
    expect(parseCliPath('fichier:/Media//Movies/')).toEqual({ kind: 'remote', remote: 'fichier', path: 'Media/Movies' });
    expect(parseCliPath('my remote:a:b')).toEqual({ kind: 'remote', remote: 'my remote', path: 'a:b' });
    expect(parseCliPath('./fichier:x')).toEqual({ kind: 'local', path: './fichier:x' });
    expect(parseCliPath('/tmp/a:b')).toEqual({ kind: 'local', path: '/tmp/a:b' });
    expect(parseCliPath('C:\\Users', 'win32')).toEqual({ kind: 'local', path: 'C:\\Users' });
    expect(parseCliPath('C:\\Users', 'linux')).toEqual({ kind: 'remote', remote: 'C', path: '\\Users' });
  });

  it('refuses "." and ".." segments in an account path (exit 2), whatever their place', () => {
    for (const arg of ['fichier:..', 'fichier:A/../B', 'fichier:./A', 'fichier:A/.']) {
      expect(() => parseCliPath(arg), arg).toThrow(CliError);
    }
    expect(() => accountPath('A/../B')).toThrow(CliError);
    expect(accountPath('/A/B/')).toEqual({ path: 'A/B' });
  });
});

/**
 * Every command that takes a `remote:path` reads it with parseCliPath: the same argument is refused by each with the
 * same message and exit 2, before anything is opened (so this runs without an account or a network).
 */
describe('one reading of remote:path across the commands', () => {
  const BAD = 'fichier:A/../B';
  const message = 'fichier-dav: invalid path "A/../B": "." and ".." are not allowed in account paths\n';

  it.each([
    [['serve', 'webdav', BAD]],
    [['mount', BAD, '/nonexistent-mount-point']],
    [['ls', BAD]],
    [['lsd', BAD]],
    [['lsjson', BAD]],
    [['mkdir', BAD]],
    [['rmdir', BAD]],
    [['delete', BAD]],
    [['link', BAD]],
    [['copy', BAD, '/tmp/x']],
    [['copyto', '/tmp/x', BAD]],
    [['moveto', BAD, '/tmp/x']],
    [['about', BAD]],
    [['config', 'show', BAD]],
    [['remote-upload', 'https://example.com/a.zip', '--to', BAD]],
  ])('%j', async (argv) => {
    const r = await runCli(argv, { env: { HOME: '/nonexistent-home' }, cwd: '/nonexistent-cwd' });
    expect({ code: r.code, stderr: r.stderr, stdout: r.stdout }).toEqual({ code: 2, stderr: message, stdout: '' });
  });
});
