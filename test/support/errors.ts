import { isFsError } from '../../src/core/errors.ts';

/** The error `fn` throws, which must be a `type` (anything else is rethrown); throws when `fn` returns. */
export function thrownBy<E>(fn: () => unknown, type: abstract new (...args: never[]) => E): E {
  try {
    fn();
  } catch (err) {
    if (err instanceof type) return err;
    throw err;
  }
  throw new Error(`expected a ${type.name}`);
}

/**
 * The FsError code (core/errors.ts) a promise rejects with, 'resolved' if it does not reject, or a
 * description of a foreign error (so an assertion on the code shows what came instead).
 */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return isFsError(err) ? err.code : `not an FsError: ${String(err)}`;
  }
}
