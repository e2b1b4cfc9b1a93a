import { Command, Option } from 'commander';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createEmulator } from '../emulator/index.ts';
import { createLogger } from '../util/log.ts';
import { Secret } from '../util/secret.ts';
import { parseAddr, parseNonNegativeInt } from './addr.ts';
import { onShutdown } from './shutdown.ts';

interface EmulatorFlags {
  addr: string;
  key?: string;
  data?: string;
  caOut?: string;
  latency: number;
  tokenTtl: number;
  rps: number;
  demo?: boolean;
  verbose: number;
}

/**
 * `fichier-dav emulator`: the local stand-in for 1fichier.com, in the foreground.
 * Prints one line `emulator listening on URL` on stdout when ready (scripts wait for it), then
 * serves until SIGINT/SIGTERM.
 */
export function emulatorCommand(): Command {
  return new Command('emulator')
    .description(
      'Run the local 1fichier API emulator (plain HTTP API at http://ADDR/v1/; the same port also accepts ' +
        'HTTPS CONNECT for *.1fichier.com, so unmodified clients such as rclone work through HTTPS_PROXY).',
    )
    .option('--addr <host:port>', 'address to listen on', '127.0.0.1:8081')
    .addOption(
      new Option('--key <key>', 'API key the emulated account accepts (default: env FICHIER_EMULATOR_KEY, else a key generated and kept in the data dir)'),
    )
    .option('--data <dir>', 'data directory (metadata + file blobs, survives restarts); in-memory when absent')
    .option('--ca-out <file>', 'write the proxy-mode CA certificate (PEM) to this file')
    .option('--latency <ms>', 'added latency per API call', parseNonNegativeInt('--latency'), 0)
    .option('--token-ttl <ms>', 'download token lifetime', parseNonNegativeInt('--token-ttl'), 300_000)
    .option('--rps <n>', 'flood limit: API calls per second per key before a #374 ban (0 = off)', parseNonNegativeInt('--rps'), 0)
    .option('--demo', 'seed a small demo tree when the account is empty')
    .option('-v, --verbose', 'more logging (repeat for debug)', (_v: string, prev: number) => prev + 1, 0)
    .action(async (flags: EmulatorFlags) => {
      const { host, port } = parseAddr(flags.addr);
      const logger = createLogger({ level: flags.verbose >= 2 ? 'debug' : flags.verbose === 1 ? 'info' : 'warn' });
      const dataDir = flags.data ? resolve(flags.data) : undefined;
      const apiKey = new Secret(flags.key ?? process.env.FICHIER_EMULATOR_KEY ?? keyFromDataDir(dataDir));
      const emulator = await createEmulator({
        apiKey: apiKey.reveal(),
        dataDir,
        demo: flags.demo ?? false,
        latencyMs: flags.latency,
        tokenTtlMs: flags.tokenTtl,
        limits: flags.rps > 0 ? { rps: flags.rps } : {},
        logger,
      });
      const { url } = await emulator.listen({ host, port, caOut: flags.caOut ? resolve(flags.caOut) : undefined });
      const stopped = onShutdown(() => emulator.close());
      process.stdout.write(`emulator listening on ${url} (API base ${url}/v1)\n`);
      if (flags.caOut) process.stdout.write(`proxy CA certificate written to ${resolve(flags.caOut)}\n`);
      await stopped;
    });
}

/** A generated key, kept (mode 0600) in the data dir so restarts accept the same key; random per run in memory mode. */
function keyFromDataDir(dataDir: string | undefined): string {
  const fresh = randomBytes(24).toString('base64url');
  if (!dataDir) return fresh;
  const file = join(dataDir, 'api-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, fresh + '\n', { mode: 0o600 });
  return fresh;
}
