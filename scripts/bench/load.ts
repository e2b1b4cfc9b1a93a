/**
 * The B6 load generator: wrk with a Lua script (PROPFIND, Depth 1, allprop body), installed with
 * `apt-get install -y wrk` when missing and allowed; otherwise a Node generator on an undici Pool (one
 * connection per client, each client sending its next request as soon as the previous answer is read).
 */
import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'undici';
import { PROPFIND_BODY } from './dav.ts';
import { aptInstall, which } from './tools.ts';

export interface LoadResult {
  requests: number;
  rps: number;
  /** Answers other than 207 plus socket errors. */
  errors: number;
}

export interface LoadGenerator {
  /** e.g. "wrk 4.1.0 (2 threads)" or "node undici Pool". */
  name: string;
  /** Sends PROPFIND Depth 1 to `url` from `clients` connections for `seconds`. */
  run(url: string, clients: number, seconds: number): Promise<LoadResult>;
}

const LUA = `wrk.method = "PROPFIND"
wrk.headers["Depth"] = "1"
wrk.headers["Content-Type"] = "application/xml; charset=utf-8"
wrk.body = [[${PROPFIND_BODY}]]
`;

function wrkGenerator(workDir: string, version: string): LoadGenerator {
  const script = join(workDir, 'propfind.lua');
  writeFileSync(script, LUA);
  return {
    name: `${version}, Lua script (PROPFIND Depth 1, allprop body)`,
    run(url, clients, seconds) {
      const threads = Math.max(1, Math.min(clients, 2));
      const args = [`-t${threads}`, `-c${clients}`, `-d${seconds}s`, '--timeout', '30s', '-s', script, url];
      return new Promise((resolve, reject) => {
        execFile('wrk', args, { timeout: (seconds + 60) * 1000 }, (err, stdout) => {
          if (err) return reject(new Error(`wrk: ${err.message}`));
          const num = (re: RegExp) => Number(re.exec(stdout)?.[1] ?? 0);
          const requests = num(/(\d+) requests in/);
          const non2xx = num(/Non-2xx or 3xx responses: (\d+)/);
          const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
          const sockErrors = sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
          resolve({ requests, rps: num(/Requests\/sec:\s+([\d.]+)/), errors: non2xx + sockErrors });
        });
      });
    },
  };
}

function nodeGenerator(): LoadGenerator {
  return {
    name: 'node undici Pool (wrk unavailable)',
    async run(url, clients, seconds) {
      const u = new URL(url);
      const pool = new Pool(u.origin, { connections: clients, pipelining: 1 });
      const deadline = performance.now() + seconds * 1000;
      let requests = 0;
      let errors = 0;
      const t0 = performance.now();
      const client = async () => {
        while (performance.now() < deadline) {
          try {
            const res = await pool.request({ path: u.pathname, method: 'PROPFIND', headers: { depth: '1', 'content-type': 'application/xml' }, body: PROPFIND_BODY });
            await res.body.dump({ limit: Number.MAX_SAFE_INTEGER });
            if (res.statusCode === 207) requests += 1;
            else errors += 1;
          } catch {
            errors += 1;
          }
        }
      };
      await Promise.all(Array.from({ length: clients }, client));
      const elapsed = (performance.now() - t0) / 1000;
      await pool.close();
      return { requests, rps: requests / elapsed, errors };
    },
  };
}

/** wrk when present (or installable with `allowInstall`), else the Node generator. */
export function loadGenerator(workDir: string, allowInstall: boolean, log: (m: string) => void): LoadGenerator {
  let present = which('wrk');
  if (!present && allowInstall) {
    log('B6: wrk is missing; installing it with apt-get install -y wrk');
    present = aptInstall('wrk', 'wrk', (m) => log(`B6: ${m}`));
  }
  if (!present) {
    log('B6: using the Node load generator (undici Pool)');
    return nodeGenerator();
  }
  let out: string;
  try {
    out = execFileSync('wrk', ['-v'], { encoding: 'utf8' });
  } catch (err) {
    // wrk -v prints its version, then the usage, and exits 1.
    out = String((err as { stdout?: unknown }).stdout ?? '');
  }
  return wrkGenerator(workDir, /^wrk \S+/m.exec(out)?.[0] ?? 'wrk');
}
