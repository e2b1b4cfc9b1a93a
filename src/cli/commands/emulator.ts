import { Command, Option } from 'commander';
import { resolve } from 'node:path';
import type { ProfileName } from '../../emulator/index.ts';
import { createLogger } from '../../util/log.ts';
import { Secret } from '../../util/secret.ts';
import { emulatorKeyFor } from '../emulator-key.ts';
import { parseAddr, parseNonNegativeInt } from '../addr.ts';
import { onShutdown } from '../shutdown.ts';
import type { CliIo } from '../context.ts';

interface EmulatorFlags {
  addr: string;
  key?: string;
  data?: string;
  caOut?: string;
  latency: number;
  tokenTtl: number;
  rps: number;
  profile: ProfileName;
  timeScale: number;
  seed: number;
  demo?: boolean;
}

/** Parse --time-scale: a decimal number > 0 (0.02 runs the real rules 50 times faster). */
function parseTimeScale(value: string): number {
  const n = /^\d+(\.\d+)?$|^\.\d+$/.test(value) ? Number(value) : NaN;
  if (!(n > 0)) throw new Error(`invalid --time-scale "${value}": expected a number > 0, e.g. 0.02`);
  return n;
}

/**
 * `fichier-dav emulator`: the local stand-in for 1fichier.com, in the foreground.
 * Prints one line `emulator listening on URL` on stdout when ready (scripts wait for it), then
 * serves until SIGINT/SIGTERM.
 */
export function emulatorCommand(io: CliIo): Command {
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
    .addOption(
      new Option(
        '--profile <name>',
        "realistic: 1fichier's listing limits (3 s apart, a folder once per 30 s, 5,000 entries), user/info once per 5 min, " +
          'escalating bans, listings that lag behind uploads and deletions, end.pl without links, download redirects; ' +
          'lenient: none of it',
      )
        .choices(['realistic', 'lenient'])
        .default('realistic'),
    )
    .option('--time-scale <factor>', 'multiply every limit interval, ban length and consistency delay (e.g. 0.02)', parseTimeScale, 1)
    .option('--seed <n>', "seed of the realistic profile's random choices (plain-text bans, end.pl without links, redirects)", parseNonNegativeInt('--seed'), 1)
    .option('--rps <n>', 'extra flood limit: API calls per second per key before a #374 ban (0 = off)', parseNonNegativeInt('--rps'), 0)
    .option('--demo', 'seed a small demo tree when the account is empty')
    .action(async (flags: EmulatorFlags, cmd: Command) => {
      const verbose = Number(cmd.optsWithGlobals().verbose ?? 0);
      const { host, port } = parseAddr(flags.addr);
      const logger = createLogger({ level: verbose >= 2 ? 'debug' : verbose === 1 ? 'info' : 'warn', destination: io.stderr });
      const dataDir = flags.data ? resolve(io.cwd, flags.data) : undefined;
      const apiKey = new Secret(flags.key ?? io.env.FICHIER_EMULATOR_KEY ?? emulatorKeyFor(dataDir));
      const { createEmulator } = await import('../../emulator/index.ts');
      const emulator = await createEmulator({
        apiKey: apiKey.reveal(),
        dataDir,
        demo: flags.demo ?? false,
        profile: flags.profile,
        timeScale: flags.timeScale,
        seed: flags.seed,
        latencyMs: flags.latency,
        tokenTtlMs: flags.tokenTtl,
        limits: flags.rps > 0 ? { rps: flags.rps } : {},
        logger,
      });
      const { url } = await emulator.listen({ host, port, caOut: flags.caOut ? resolve(io.cwd, flags.caOut) : undefined });
      const stopped = onShutdown(() => emulator.close());
      io.stdout.write(`emulator listening on ${url} (API base ${url}/v1)\n`);
      io.stdout.write(`profile ${flags.profile}, time scale ${flags.timeScale}\n`);
      if (flags.caOut) io.stdout.write(`proxy CA certificate written to ${resolve(io.cwd, flags.caOut)}\n`);
      await stopped;
    });
}
