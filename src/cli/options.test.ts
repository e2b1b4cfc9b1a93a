import { Command } from 'commander';
import { describe, it, expect } from 'vitest';
import { flagValues, schemaOption, schemaOptions } from './options.ts';

function program(): { root: Command; seen: { values?: Record<string, unknown> } } {
  const seen: { values?: Record<string, unknown> } = {};
  const root = new Command('t').exitOverride().configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  root.option('--config <file>', 'rclone config').option('-v, --verbose', 'more', (_v: string, prev: number) => prev + 1, 0);
  for (const o of schemaOptions(['logLevel', 'dirCacheTime', 'pacer.minIntervalMs', 'vfsReadChunkSize'])) root.addOption(o);
  const sub = new Command('serve').exitOverride();
  for (const o of schemaOptions(['addr', 'readOnly', 'rcAddr', 'pacer.concurrency'])) sub.addOption(o);
  sub.option('--json', 'json');
  sub.action((_opts: unknown, cmd: Command) => {
    seen.values = flagValues(cmd);
  });
  root.addCommand(sub);
  return { root, seen };
}

describe('schemaOptions', () => {
  it('uses the schema flag names and puts doc, default and env in the help', () => {
    const o = schemaOption('dirCacheTime');
    expect(o.long).toBe('--dir-cache-time');
    expect(o.description).toContain('folder listing');
    expect(o.description).toContain('default: 5m');
    expect(o.description).toContain('RCLONE_DIR_CACHE_TIME');
    expect(schemaOption('vfsReadChunkSizeLimit').description).toContain('default: off');
    expect(schemaOption('vfsReadChunkSize').description).toContain('default: 128Mi');
    expect(schemaOption('readOnly').description).not.toContain('default');
    expect(schemaOption('logFormat').argChoices).toEqual(['text', 'json']);
    expect(() => schemaOption('apiKeyFrom')).toThrow();
    expect(() => schemaOption('nope')).toThrow();
  });
});

describe('flagValues', () => {
  it('returns only what was typed, by dotted path, parsed, from the command and its parents', async () => {
    const { root, seen } = program();
    await root.parseAsync(['--dir-cache-time', '90', 'serve', '--addr', ':9', '--read-only', '--pacer-concurrency', '3', '--pacer-min-interval', '250ms', '-vv', '--json', '--config', '/c'], { from: 'user' });
    expect(seen.values).toEqual({
      addr: ':9',
      readOnly: true,
      'pacer.concurrency': 3,
      json: true,
      dirCacheTime: 90_000,
      'pacer.minIntervalMs': 250,
      verbose: 2,
      config: '/c',
    });
  });

  it('is empty when nothing was typed (defaults stay with resolveSettings)', async () => {
    const { root, seen } = program();
    await root.parseAsync(['serve'], { from: 'user' });
    expect(seen.values).toEqual({});
  });

  it('collects a repeated list flag (--allow-origin) and comma-separated values, canonical', async () => {
    const root = new Command('t').exitOverride();
    for (const o of schemaOptions(['allowOrigin', 'allowHost'])) root.addOption(o);
    let seen: Record<string, unknown> = {};
    root.action((_o: unknown, cmd: Command) => {
      seen = flagValues(cmd);
    });
    await root.parseAsync(['--allow-origin', 'http://LOCALHOST:3000/', '--allow-host', 'a.example', '--allow-origin', 'https://b.example,https://c.example:8443'], { from: 'user' });
    expect(seen).toEqual({ allowOrigin: ['http://localhost:3000', 'https://b.example', 'https://c.example:8443'], allowHost: ['a.example'] });
    await expect(new Command('t').exitOverride().configureOutput({ writeErr: () => undefined }).addOption(schemaOption('allowOrigin')).parseAsync(['--allow-origin', '*'], { from: 'user' })).rejects.toMatchObject({
      code: 'commander.invalidArgument',
    });
  });

  it('turns a bad value into a commander usage error', async () => {
    for (const argv of [['serve', '--rc-addr', '0.0.0.0:1'], ['--vfs-read-chunk-size', '12MB', 'serve'], ['--log-level', 'loud', 'serve'], ['serve', '--pacer-concurrency', '0']]) {
      const { root } = program();
      await expect(root.parseAsync(argv, { from: 'user' })).rejects.toMatchObject({ code: expect.stringMatching(/^commander\.(invalidArgument|invalidOptionArgument)$/) });
    }
  });
});
