/**
 * A seeded pseudo-random generator for property-style tests: mulberry32 (a public-domain 32-bit
 * generator, a dozen lines), so that a failing seed replays exactly. Math.random cannot be seeded.
 */
export interface Prng {
  /** a float in [0, 1) */
  next(): number;
  /** an integer in [0, n) */
  int(n: number): number;
  /** one element of a non-empty list */
  pick<T>(list: readonly T[]): T;
  /** true with probability p */
  chance(p: number): boolean;
}

export function createPrng(seed: number): Prng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: (list) => list[int(list.length)]!, chance: (p) => next() < p };
}
