/**
 * What a command needs from its surroundings, injected so tests run commands in-process: the output streams,
 * the environment and the working directory. Commands never touch process.stdout/env/cwd directly.
 */
export interface CliStream {
  write(text: string): unknown;
  /** True when the stream is a terminal (progress bars draw only then). */
  isTTY?: boolean;
  /** Terminal width when isTTY. */
  columns?: number;
}

export interface CliIo {
  stdout: CliStream;
  stderr: CliStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** A usage or runtime failure a command reports: printed as `fichier-dav: <message>`, exit status `exitCode`. */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode = 1, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** The real process streams, environment and directory. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}
