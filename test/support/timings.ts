/**
 * The gateway's timings for a gateway a test starts over a test emulator, whose realistic rules run at
 * TEST_TIME_SCALE: as mount.json settings (commands run in-process, cli.ts) or as environment variables (a child
 * process with its own flags and mount.json, serve-process.ts).
 */
import { gatewayTimings } from '../../src/app/timings.ts';
import { FIELDS } from '../../src/config/schema.ts';
import { TEST_TIME_SCALE } from './emulator.ts';

/**
 * The gateway's listing budget, ban cooldowns and consistency grace at TEST_TIME_SCALE, as the test emulator's
 * rules are, by setting path (src/config/schema.ts), in ms.
 */
function testBudget(): Record<string, number> {
  const t = gatewayTimings(TEST_TIME_SCALE);
  return {
    consistencyGrace: t.consistencyGraceMs,
    'pacer.listIntervalMs': t.listIntervalMs,
    'pacer.listFolderIntervalMs': t.listFolderIntervalMs,
    'pacer.banCooldownMs': t.floodCooldownMs,
    'pacer.banCooldownEscalatedMs': t.floodEscalatedCooldownMs,
  };
}

/** The mount.json settings of a command run by a test: API calls `minIntervalMs` apart, and testBudget(). */
export function testTimingSettings(minIntervalMs: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const pacer: Record<string, number> = { minIntervalMs };
  for (const [path, ms] of Object.entries(testBudget())) {
    if (path.startsWith('pacer.')) pacer[path.slice('pacer.'.length)] = ms;
    else out[path] = `${ms}ms`;
  }
  return { ...out, pacer };
}

/**
 * testBudget() as environment variables (FICHIER_DAV_LIST_INTERVAL=30ms, ...), for a gateway started as a child
 * process with its own flags or mount.json: the environment beats mount.json and the flags beat both, so a caller
 * that sets one of these itself must do it with a flag.
 */
export function testTimingEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, ms] of Object.entries(testBudget())) {
    const name = FIELDS.find((f) => f.path === path)?.env[0];
    if (name === undefined) throw new Error(`no environment variable sets ${path}`);
    out[name] = `${ms}ms`;
  }
  return out;
}
