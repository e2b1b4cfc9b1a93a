/** What the run was measured on, read at run time: CPU, core count, memory, kernel and tool versions. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, release } from 'node:os';

export interface MachineInfo {
  cpu: string;
  /** nproc. */
  cores: number;
  /** From `free -m`: total and available memory in MiB. */
  memTotalMiB: number | null;
  memAvailableMiB: number | null;
  kernel: string;
  os: string;
  node: string;
  rclone: string;
  curl: string;
}

function run(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
  } catch {
    return '';
  }
}

export function machineInfo(): MachineInfo {
  const cpuinfo = (() => {
    try {
      return readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      return '';
    }
  })();
  const models = [...cpuinfo.matchAll(/^model name\s*:\s*(.+)$/gm)].map((m) => m[1]!.trim());
  const mhz = /^cpu MHz\s*:\s*([\d.]+)/m.exec(cpuinfo)?.[1];
  const nproc = Number(run('nproc', []).trim()) || availableParallelism();
  const mem = /^Mem:\s+(\d+)\s+\d+\s+\d+\s+\d+\s+\d+\s+(\d+)/m.exec(run('free', ['-m']));
  const osRelease = (() => {
    try {
      return /^PRETTY_NAME="?([^"\n]+)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? '';
    } catch {
      return '';
    }
  })();
  return {
    cpu: `${models[0] ?? 'unknown'}${mhz ? ` @ ${Number(mhz).toFixed(0)} MHz` : ''} (${models.length} logical CPUs in /proc/cpuinfo)`,
    cores: nproc,
    memTotalMiB: mem ? Number(mem[1]) : null,
    memAvailableMiB: mem ? Number(mem[2]) : null,
    kernel: release(),
    os: osRelease,
    node: process.version,
    rclone: run('rclone', ['version']).split('\n')[0]?.trim() || 'not found',
    curl: run('curl', ['--version']).split('\n')[0]?.split(' ').slice(0, 2).join(' ') || 'not found',
  };
}
