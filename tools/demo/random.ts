/** Deterministic PRNG (mulberry32): the same demo data on every machine for the same `today`. */
export function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface Rng {
  (): number;
  pick<T>(xs: ArrayLike<T>): T;
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** A version-4-shaped uuid from the generator, so two loads on the same day give the same ids. */
  uuid(): string;
}

export function rng(seed: number): Rng {
  const next = prng(seed);
  const r = (() => next()) as Rng;
  r.pick = <T>(xs: ArrayLike<T>): T => xs[Math.floor(next() * xs.length)]!;
  r.int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  r.chance = (p) => next() < p;
  r.uuid = () => {
    const hex = Array.from({ length: 32 }, () => Math.floor(next() * 16).toString(16)).join('');
    const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20)}`;
  };
  return r;
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
