/**
 * Per-item failures of the commands that work on many files (delete, link): each failure is one line on
 * stderr, the other items still run, and the command exits 1 at the end.
 */
import { redact } from '../../util/secret.ts';
import { CliError, type CliIo } from '../context.ts';
import { errorMessage } from '../errors.ts';

export class Failures {
  #count = 0;

  constructor(private readonly io: CliIo) {}

  /** Prints `fichier-dav: <what>: <error>` on stderr and counts it. */
  report(what: string, err: unknown): void {
    this.#count++;
    this.io.stderr.write(`fichier-dav: ${redact(`${what === '' ? '/' : what}: ${errorMessage(err)}`)}\n`);
  }

  get count(): number {
    return this.#count;
  }

  /** Throws CliError (exit 1) `N of TOTAL <noun> failed` when anything failed; returns otherwise. */
  throwIfAny(total: number, noun: string): void {
    if (this.#count > 0) throw new CliError(`${this.#count} of ${total} ${noun} failed`);
  }
}
