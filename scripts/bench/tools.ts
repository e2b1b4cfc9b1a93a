/** External tools of the bench: is a command on PATH, and installing a Debian package when allowed. */
import { execFileSync } from 'node:child_process';

export function which(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * `apt-get install -y <pkg>` (after `apt-get update` if the first try fails); true when `cmd` is then on PATH.
 * Says what it runs through `log`.
 */
export function aptInstall(pkg: string, cmd: string, log: (m: string) => void): boolean {
  const apt = (args: string[]) => execFileSync('apt-get', args, { stdio: 'ignore', timeout: 300_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  for (const steps of [[['install', '-y', pkg]], [['update'], ['install', '-y', pkg]]]) {
    try {
      for (const s of steps) {
        log(`running apt-get ${s.join(' ')}`);
        apt(s);
      }
      if (which(cmd)) return true;
    } catch (err) {
      log(`apt-get failed: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  return false;
}
