/**
 * A real Debian redis-server for tests: on 127.0.0.1 at a port picked free, no persistence (`--save ''
 * --appendonly no`), stopped by `stop()`. `restart()` starts it again on the same port (empty, as a restarted
 * Redis without persistence is), for the tests of a Redis that goes away and comes back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';

export interface TestRedis {
  port: number;
  url: string;
  /** Stops the server (SIGTERM, then SIGKILL); resolves once it exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  restart(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function launch(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server did not start on ${port}: ${out}`));
    }, 10_000);
    // Ready once a connection is accepted. (Probing by binding the port ourselves would race redis-server for
    // it: a probe that holds the port at the moment redis binds makes it exit with "Address already in use".)
    const probe = setInterval(() => {
      const c = connect(port, '127.0.0.1');
      c.once('error', () => c.destroy());
      c.once('connect', () => {
        c.destroy();
        clearInterval(probe);
        clearTimeout(timer);
        resolve(child);
      });
    }, 20);
    child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
    child.once('exit', (code) => {
      clearInterval(probe);
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code}): ${out}`));
    });
  });
}

async function kill(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(t);
}

/** A port picked free can be taken by another process before redis-server binds it: pick again, a few times. */
async function launchOnFreePort(): Promise<{ port: number; child: ChildProcess }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return { port, child: await launch(port) };
    } catch (err) {
      if (attempt >= 3 || !/Address already in use/.test(String(err))) throw err;
    }
  }
}

export async function startRedis(): Promise<TestRedis> {
  const started = await launchOnFreePort();
  const port = started.port;
  let child: ChildProcess | undefined = started.child;
  return {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    stop: async () => {
      await kill(child);
      child = undefined;
    },
    restart: async () => {
      await kill(child);
      child = await launch(port);
    },
  };
}
