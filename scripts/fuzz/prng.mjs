// A small seeded PRNG (mulberry32) and the helpers the mutation families draw from. Every case
// gets its own generator derived from (seed, case number), so one case can be replayed alone
// (`npm run fuzz -- --seed S --case N`) without generating the ones before it.

/** mulberry32: 32-bit state, good enough spread for fuzzing, fully deterministic. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes the run seed and the case number into one 32-bit seed (splitmix-style finaliser). */
export function caseSeed(seed, index) {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** The drawing helpers a family uses; `r` is a function returning [0, 1). */
export class Rng {
  constructor(seed) {
    this.next = mulberry32(seed);
  }
  /** Integer in [min, max]. */
  int(min, max) {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p) {
    return this.next() < p;
  }
  pick(list) {
    return list[Math.floor(this.next() * list.length)];
  }
  /** Picks by weight: entries are [weight, value]. */
  weighted(entries) {
    const total = entries.reduce((s, [w]) => s + w, 0);
    let x = this.next() * total;
    for (const [w, v] of entries) {
      x -= w;
      if (x < 0) return v;
    }
    return entries.at(-1)[1];
  }
  /** A size skewed towards small values but reaching `max` now and then (log-uniform). */
  size(max) {
    if (this.chance(0.03)) return max;
    return Math.floor(Math.exp(this.next() * Math.log(max + 1))) - 1;
  }
  /** A string that makes parsers, databases and normalisers work. */
  oddString() {
    return this.weighted([
      [3, () => ''],
      [3, () => ' '],
      [4, () => this.pick(UNICODE)],
      [3, () => this.pick(INJECTIONS)],
      [2, () => 'x'.repeat(this.size(70_000))],
      [2, () => this.pick(UNICODE).repeat(this.size(4000))],
      [2, () => String.fromCharCode(...Array.from({ length: this.int(1, 40) }, () => this.int(0, 0xffff)))],
      [2, () => `${this.pick(['user', 'admİn', 'a', 'ǅ'])}${this.int(0, 99)}@${this.pick(['example.test', 'EXAMPLE.TEST', 'xn--e1afmkfd.test', 'ex ample.test', 'ẞ.test'])}`],
      [1, () => '\u0000'],
      [1, () => '\ud800'],
    ])();
  }
  /** Any JSON value, of the wrong type as often as not. */
  oddValue(depth = 0) {
    return this.weighted([
      [4, () => this.oddString()],
      [2, () => this.pick([0, -1, 1.5, 1e308, -0, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER])],
      [2, () => this.pick([true, false, null])],
      [depth < 3 ? 2 : 0, () => Array.from({ length: this.int(0, 4) }, () => this.oddValue(depth + 1))],
      [depth < 3 ? 2 : 0, () => Object.fromEntries(Array.from({ length: this.int(0, 4) }, () => [this.pick(KEYS), this.oddValue(depth + 1)]))],
    ])();
  }
}

export const UNICODE = ['é', 'İ', 'ı', '\u212a', 'ß', 'ﬀ', '\u200b', '\u202e', '😀', '\ufeff', 'Ω', 'Å', 'ǅ', '\u0301', '𝒜', '\u00a0', '\u2028'];
export const INJECTIONS = ["'", '"', '\\', "'; DROP TABLE users;--", '%', '_', '%00', '${7*7}', '{{7*7}}', '<script>alert(1)</script>', '../../etc/passwd', '\r\nX-Injected: 1', '*', '\\u0000', 'null', 'undefined', '__proto__', 'constructor'];
export const KEYS = ['a', 'value', 'op', 'path', 'schemas', 'userName', 'emails', 'name', '__proto__', 'constructor', 'prototype', '', ' ', 'ü', '$ref', 'id'];

/** `{"a":{"a":…}}` or `[[[…]]]` text, `depth` levels: the shape that overflows recursive walkers. */
export function nestedJson(depth, kind = 'object', leaf = '1') {
  if (kind === 'array') return `${'['.repeat(depth)}${leaf}${']'.repeat(depth)}`;
  return `${'{"a":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`;
}

/** A wide JSON array of `n` small items: cheap to send, costly to validate element by element. */
export function wideJson(n, item = '"x"') {
  return `[${Array.from({ length: n }, () => item).join(',')}]`;
}

/** encodeURIComponent that accepts lone surrogates (they become U+FFFD, as a browser sends them). */
export function enc(s) {
  return encodeURIComponent(String(s).toWellFormed());
}
