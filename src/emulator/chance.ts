import { seededRandom } from '../util/random.ts';

/**
 * The seeded draws behind the realistic profile's "sometimes" (a ban answered as plain text, an end.pl
 * without links, a download redirect), so a run is reproducible from its seed. Each kind of draw has its
 * own stream: one more upload does not change which ban answers are plain text.
 */
export type ChanceStream = 'banText' | 'endPl' | 'redirect';

const STREAMS: readonly ChanceStream[] = ['banText', 'endPl', 'redirect'];

export class Chance {
  private readonly streams: Map<ChanceStream, () => number>;

  constructor(seed: number) {
    this.streams = new Map(STREAMS.map((name, i) => [name, seededRandom((seed >>> 0) * 7919 + i * 104_729 + 1)]));
  }

  /** A number in [0, 1) from `stream`. */
  next(stream: ChanceStream): number {
    return this.streams.get(stream)!();
  }

  /** True with probability `p`; p <= 0 is never and p >= 1 always, without consuming a draw. */
  roll(stream: ChanceStream, p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.next(stream) < p;
  }
}
