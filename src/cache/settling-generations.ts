import { LRUCache } from 'lru-cache';

/** Generations remembered: beyond them, the least recently seen is forgotten, and is young again when seen next. */
const REMEMBERED = 10_000;

/**
 * Whether any of a read's generations is younger than `settleMs`, counted from when this process first saw it, on
 * its own monotonic clock: a write elsewhere shows here as a generation not seen before, and no host's clock, nor
 * what another program or an older polystore wrote under the key, can make it look settled sooner.
 */
export function settlingGenerations(settleMs: number): (generations: readonly string[]) => boolean {
  const firstSeen = new LRUCache<string, number>({ max: REMEMBERED });
  return (generations) => {
    const now = performance.now();
    let settling = false;
    for (const generation of generations) {
      const seen = firstSeen.get(generation) ?? firstSeen.set(generation, now).get(generation)!;
      if (now - seen < settleMs) settling = true;
    }
    return settling;
  };
}
