import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';
import { redact } from './secret.ts';

/**
 * Structured logging (pino). Every line passes through `redact()` before it is written, so a
 * registered secret (the API key) can never reach a log sink, whatever object a caller logs.
 */
export type Logger = Pick<PinoLogger, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'child' | 'level'>;

export type LogLevel = 'silent' | 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** Names of the log formats: 'text' and its older name 'pretty' are the same human format. */
export type LogFormatName = 'json' | 'text' | 'pretty';

export interface LoggerOptions {
  level?: LogLevel;
  /** 'json' (one JSON object per line) or 'text' (short human lines; 'pretty' is the same). Default 'text'. */
  format?: LogFormatName;
  /** Where lines go; default stderr. Tests pass a collecting stream. */
  destination?: { write(line: string): unknown };
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const sink = opts.destination ?? process.stderr;
  const format = opts.format ?? 'text';
  const stream: DestinationStream = {
    write(line: string) {
      const safe = redact(line);
      sink.write(format === 'json' ? safe : prettyLine(safe));
    },
  };
  return pino({ level: opts.level ?? 'info', base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, stream);
}

/** A logger that drops everything (library default). */
export const silentLogger: Logger = pino({ level: 'silent' });

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

function prettyLine(json: string): string {
  try {
    const o = JSON.parse(json) as Record<string, unknown>;
    const { time, level, msg, ...rest } = o;
    const extra = Object.keys(rest).length ? ' ' + JSON.stringify(rest) : '';
    return `${String(time ?? '')} ${LEVELS[Number(level)] ?? level} ${String(msg ?? '')}${extra}\n`;
  } catch {
    return json;
  }
}
