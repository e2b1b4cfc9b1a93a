/**
 * `fichier-dav mount [remote:path] MOUNTPOINT`: a FUSE mount of the account (or of one of its folders) in one command.
 *
 * Design: the command runs the gateway in-process (the same session and WebDAV server as `serve webdav`) on a
 * private 127.0.0.1 port with a generated user and password, and Debian's `rclone mount :webdav:` as a child for
 * the FUSE side (see mount-rclone.ts for its command line and environment). Not a native FUSE binding: the npm
 * ones (fuse-native 2.2.6 and its forks) target the FUSE 2 API, need libfuse2 and are no longer maintained, while
 * rclone's mount is maintained, runs on FUSE 3, macFUSE and WinFsp, and its VFS cache is what editors need.
 * Generated credentials matter because any local user can connect to a loopback port.
 *
 * Lifecycle: checks (rclone installed, mount point an empty directory), gateway up, rclone started, "mounted"
 * printed only once the mount point is a mount and a readdir through it works. Then it waits for the first of:
 * SIGINT/SIGTERM (exit 0), rclone exiting (0 when someone unmounted it, else EXIT_RCLONE_DIED), the gateway's
 * server closing (EXIT_GATEWAY_DIED). Whatever happened, it unmounts (lazily when busy), stops rclone and the
 * gateway, and removes its pid file; a crash of this process still kills rclone and lazily unmounts (exit hook).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import type { Settings } from '../../config/settings.ts';
import { Secret } from '../../util/secret.ts';
import { CliError, type CliIo } from '../context.ts';
import { startGateway } from '../gateway.ts';
import { schemaOptions } from '../options.ts';
import { parseCliPath, remoteSpec } from '../paths.ts';
import { settingsFor } from '../run.ts';
import { loggerFor, openSession, type Session } from '../session.ts';
import { onStopSignal } from '../shutdown.ts';
import { checkPidFile, isDaemonChild, removePidFile, startDaemon, tellParentMounted, writePidFile } from './mount-daemon.ts';
import { checkMountPoint, unmount, unmountSyncArgs, waitMounted } from './mount-point.ts';
import { EXIT_NO_RCLONE, findRclone, pendingUploads, rcloneMountInvocation } from './mount-rclone.ts';

/** The settings `mount` takes besides the global ones: the gateway's and rclone's mount options. */
export const MOUNT_FIELDS = ['readOnly', 'rc', 'rcAddr', 'mount.vfsCacheMode', 'mount.allowOther', 'mount.allowNonEmpty', 'mount.daemon', 'mount.pidFile'];

/** Exit status when the rclone child died while mounted. */
export const EXIT_RCLONE_DIED = 3;
/** Exit status when the gateway stopped while mounted. */
export const EXIT_GATEWAY_DIED = 4;

/** How long the mount may take to answer (rclone's own --daemon-wait default). */
const MOUNT_WAIT_MS = 60_000;
/** How long rclone gets to exit after the unmount (it flushes its cache state), before SIGTERM, then SIGKILL. */
const RCLONE_EXIT_GRACE_MS = 10_000;

const EXIT_HELP = `
Exit status:
  0   stopped by Ctrl-C or SIGTERM (unmounted), or unmounted from outside (fusermount3 -u)
  1   could not start or mount (the reason and rclone's last lines are printed)
  2   usage error: bad flag, or a mount point that is missing, not a directory, not empty or already mounted
  ${EXIT_RCLONE_DIED}   the rclone process died while mounted (the gateway was stopped, the mount point unmounted)
  ${EXIT_GATEWAY_DIED}   the gateway stopped while mounted (rclone was stopped, the mount point unmounted)
  ${EXIT_NO_RCLONE}  rclone is not installed
  70  internal error (crash report on stderr; rclone is stopped and the mount point lazily unmounted)

Examples:
  fichier-dav mount fichier: ~/fichier
  fichier-dav mount fichier:Media ~/media --read-only               # one folder of the account as the mount's root
  fichier-dav mount ~/fichier --read-only --allow-other            # for a media server's account
  fichier-dav mount fichier: ~/fichier --daemon                    # returns once mounted; stop: kill $(cat PIDFILE)`;

/**
 * `[remote:path] MOUNTPOINT` as typed: one argument is the mount point, two are the remote (with the folder to mount
 * as the root, if any) and the mount point.
 */
function mountArgs(first: string, second: string | undefined): { remote?: string; root?: string; mountPoint: string } {
  if (second === undefined) return { mountPoint: first };
  const p = parseCliPath(first);
  if (p.kind !== 'remote') throw new CliError(`expected a remote such as fichier: before the mount point, got "${first}"`, 2);
  return { remote: p.remote, root: p.path, mountPoint: second };
}

/** This mount point's private directory under the cache dir: rclone's cache, the default pid file, the daemon log. */
export function mountStateDir(cacheDir: string, mountPoint: string): string {
  const slug = mountPoint.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(-60) || 'root';
  const hash = createHash('sha256').update(mountPoint).digest('hex').slice(0, 8);
  return join(cacheDir, 'mounts', `${slug}-${hash}`);
}

/** Writes the child's output lines to `stderr` as `rclone: ...`; returns the last lines for error messages. */
function forwardOutput(child: ChildProcess, io: CliIo): () => string {
  const tail: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        io.stderr.write(`rclone: ${line}\n`);
        tail.push(line);
        if (tail.length > 15) tail.shift();
      }
    });
  }
  return () => (tail.length > 0 ? `\nrclone said:\n${tail.join('\n')}` : '');
}

/** Ends the child: waits for it to exit after the unmount, then SIGTERM, then SIGKILL. Never rejects. */
async function stopChild(child: ChildProcess): Promise<void> {
  const running = () => child.exitCode === null && child.signalCode === null;
  if (!running()) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const within = (ms: number) => Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
  if (await within(RCLONE_EXIT_GRACE_MS)) return;
  child.kill('SIGTERM');
  if (await within(RCLONE_EXIT_GRACE_MS)) return;
  child.kill('SIGKILL');
  await exited;
}

/** How long a stop waits for rclone to upload the files written just before it (they resume at the next mount). */
const UPLOAD_WAIT_MS = 120_000;

/**
 * Before unmounting on a stop signal: waits while rclone's cache still holds files to upload (written in the last
 * seconds: rclone uploads a file 5 s after it is closed), at most UPLOAD_WAIT_MS, or until `hurry()` says stop.
 */
async function waitForUploads(cacheDir: string, io: CliIo, hurry: () => boolean): Promise<void> {
  const deadline = Date.now() + UPLOAD_WAIT_MS;
  let told = -1;
  for (let n = await pendingUploads(cacheDir); n > 0 && !hurry() && Date.now() < deadline; n = await pendingUploads(cacheDir)) {
    if (n !== told) io.stderr.write(`fichier-dav: waiting for ${n} file(s) to finish uploading before unmounting (signal again to stop now; they resume at the next mount)\n`);
    told = n;
    await new Promise((r) => setTimeout(r, 250));
  }
}

type StopReason = 'signal' | 'rclone' | 'gateway';

interface MountPlan {
  rclone: string;
  mountPoint: string;
  stateDir: string;
  pidFile?: string;
  /** The private gateway's generated credentials (its only user). */
  creds: { user: string; pass: string };
}

async function runMount(session: Session, io: CliIo, plan: MountPlan): Promise<void> {
  const settings: Settings = session.resolved.settings;
  const creds = plan.creds;
  const gateway = await startGateway(session, { host: '127.0.0.1', port: 0 });
  const cacheDir = join(plan.stateDir, 'rclone');
  const configFile = join(plan.stateDir, 'rclone.conf');
  mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
  const inv = rcloneMountInvocation({ mountPoint: plan.mountPoint, url: gateway.url, user: creds.user, pass: creds.pass, settings, cacheDir, configFile, env: io.env });
  writeFileSync(configFile, inv.config, { mode: 0o600 });
  // A process group of its own: a terminal's Ctrl-C (sent to the whole foreground group) reaches only this process,
  // which waits for rclone's pending uploads before unmounting; rclone interrupted directly would drop them.
  // (Not on Windows, where a detached child would get a console window of its own.)
  const child = spawn(plan.rclone, inv.args, { env: inv.env, stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
  const rcloneSaid = forwardOutput(child, io);
  let exited: string | undefined;
  child.once('error', (err) => (exited ??= `could not start rclone: ${err.message}`));
  child.once('exit', (code, signal) => (exited ??= signal !== null ? `rclone was killed by ${signal}` : `rclone exited with status ${code}`));
  const crashNet = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const lazy = unmountSyncArgs(plan.mountPoint);
    if (lazy) spawnSync(lazy[0], lazy[1], { stdio: 'ignore', timeout: 5_000 });
  };
  process.on('exit', crashNet);
  const stopAll = async (): Promise<boolean> => {
    const unmounted = await unmount(plan.mountPoint);
    await stopChild(child);
    await gateway.close();
    rmSync(configFile, { force: true });
    if (plan.pidFile !== undefined) removePidFile(plan.pidFile);
    process.off('exit', crashNet);
    return unmounted;
  };

  let reason: StopReason;
  try {
    let dispose = (): void => undefined;
    let signalled = false;
    reason = await new Promise<StopReason>((resolveReason, reject) => {
      dispose = onStopSignal(() => {
        signalled = true;
        resolveReason('signal');
      });
      // A signal before the mount answers stops the wait too (and nothing is announced).
      waitMounted(plan.mountPoint, { timeoutMs: MOUNT_WAIT_MS, failed: () => exited ?? (signalled ? 'stopped by a signal' : undefined) })
        .then(() => {
          if (signalled) return;
          if (plan.pidFile !== undefined) writePidFile(plan.pidFile);
          io.stdout.write(`mounted ${remoteSpec(settings.remote, settings.root)} on ${plan.mountPoint}${settings.readOnly ? ' (read-only)' : ''}; Ctrl-C or SIGTERM unmounts\n`);
          if (isDaemonChild(io.env)) tellParentMounted();
          child.once('exit', () => resolveReason('rclone'));
          if (exited !== undefined) resolveReason('rclone');
          gateway.server.once('close', () => resolveReason('gateway'));
        })
        .catch(reject);
    }).finally(() => dispose());
  } catch (err) {
    await stopAll();
    throw new CliError(`could not mount ${plan.mountPoint}: ${(err as Error).message}${rcloneSaid()}`, 1);
  }
  const rcloneStatus = exited;
  // From here a signal cuts the upload wait short; the next one exits at once (the exit hook still unmounts).
  let hurry = false;
  const disposeLate = onStopSignal(() => (hurry = true));
  let unmounted: boolean;
  try {
    if (reason === 'signal') await waitForUploads(cacheDir, io, () => hurry);
    unmounted = await stopAll();
  } finally {
    disposeLate();
  }
  if (reason === 'rclone') {
    if (child.exitCode === 0) {
      io.stderr.write(`fichier-dav: ${plan.mountPoint} was unmounted from outside; stopped\n`);
      return;
    }
    throw new CliError(`${rcloneStatus ?? 'rclone stopped'} while mounted: the gateway was stopped and ${plan.mountPoint} ${unmounted ? 'unmounted' : 'could NOT be unmounted'}${rcloneSaid()}`, EXIT_RCLONE_DIED);
  }
  if (reason === 'gateway') {
    throw new CliError(`the gateway stopped while mounted: rclone was stopped and ${plan.mountPoint} ${unmounted ? 'unmounted' : 'could NOT be unmounted'}`, EXIT_GATEWAY_DIED);
  }
  if (!unmounted) throw new CliError(`stopped, but ${plan.mountPoint} could not be unmounted (busy?): fusermount3 -uz ${plan.mountPoint}`, 1);
}

export function mountCommand(io: CliIo): Command {
  const cmd = new Command('mount')
    .description(
      'Mount the account as a FUSE file system (runs the gateway on a private loopback port and rclone mount in front of it; ' +
        'needs rclone and fuse3, or macFUSE / WinFsp). Prints "mounted" once the mount point answers.',
    )
    .usage('[options] [remote:path] <mountpoint>')
    .argument('<remote-or-mountpoint>', 'the rclone remote (default fichier:) with the folder to mount as the root (fichier:Media; default the whole account, or mount.json root), or the mount point when it is the only argument')
    .argument('[mountpoint]', 'an empty directory (on Windows: an unused drive letter such as X:)')
    .addHelpText('after', EXIT_HELP);
  for (const opt of schemaOptions(MOUNT_FIELDS)) cmd.addOption(opt);
  cmd.action(async (first: string, second: string | undefined, _flags: unknown, self: Command) => {
    const { remote, root, mountPoint } = mountArgs(first, second);
    const resolved = settingsFor(self, io, remote, root);
    const { settings } = resolved;
    const rclone = findRclone(io.env);
    const path = await checkMountPoint(mountPoint, io.cwd, settings.mount.allowNonEmpty);
    const stateDir = mountStateDir(resolve(io.cwd, settings.cacheDir), path);
    const pidFile = settings.mount.pidFile !== undefined ? resolve(io.cwd, settings.mount.pidFile) : settings.mount.daemon ? join(stateDir, 'fichier-dav.pid') : undefined;
    if (pidFile !== undefined) checkPidFile(pidFile);
    if (settings.mount.daemon && !isDaemonChild(io.env)) {
      const logFile = join(stateDir, 'fichier-dav.log');
      const { pid } = await startDaemon({ env: io.env, cwd: io.cwd, logFile, timeoutMs: MOUNT_WAIT_MS + 30_000 });
      io.stdout.write(
        `mounted ${remoteSpec(settings.remote, settings.root)} on ${path} in the background (pid ${pid}; pid file ${pidFile}; log ${logFile})\n` +
          `  stop it with: kill ${pid}   (or: fusermount3 -u ${path})\n`,
      );
      return;
    }
    // Generated for this run only: other local users cannot use the private port without them.
    const creds = { user: `fichier-dav-${randomBytes(6).toString('hex')}`, pass: randomBytes(24).toString('base64url') };
    new Secret(creds.pass); // registered with redact(): the password cannot reach any output
    const server = { baseUrl: settings.baseurl, readOnly: settings.readOnly, users: [creds], allowAnonymous: false };
    const session = await openSession(resolved, io, loggerFor(resolved, io), { server, served: true });
    try {
      await runMount(session, io, { rclone, mountPoint: path, stateDir, creds, ...(pidFile !== undefined ? { pidFile } : {}) });
    } finally {
      await session.close();
    }
  });
  return cmd;
}
