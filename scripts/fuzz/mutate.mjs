// Generic mutations of JSON values and of request text, shared by the families.
import { nestedJson, wideJson } from './prng.mjs';

const DEEP = '\u0000__DEEP__\u0000';
const WIDE = '\u0000__WIDE__\u0000';

/** Replaces, removes or wraps one value somewhere in a copy of `value`. */
export function mutateValue(rng, value, times = 1) {
  let out = structuredClone(value);
  for (let i = 0; i < times; i++) out = mutateOnce(rng, out);
  return out;
}

function containers(value, acc = []) {
  if (value && typeof value === 'object') {
    acc.push(value);
    for (const v of Object.values(value)) containers(v, acc);
  }
  return acc;
}

function mutateOnce(rng, root) {
  const all = containers(root);
  if (all.length === 0) return rng.oddValue();
  const target = rng.pick(all);
  const keys = Object.keys(target);
  const key = keys.length && rng.chance(0.8) ? rng.pick(keys) : Array.isArray(target) ? target.length : rng.pick(['extra', '__proto__', 'constructor', 'userName', 'USERNAME', '']);
  const op = rng.weighted([
    [5, 'replace'],
    [2, 'delete'],
    [2, 'wrap'],
    [1, 'deep'],
    [1, 'wide'],
    [1, 'duplicate'],
  ]);
  // Own properties only, defined rather than assigned: "__proto__" and "constructor" become
  // plain keys of the JSON text (the prototype-poisoning shapes), never the prototype itself.
  const get = () => (Object.hasOwn(target, key) ? target[key] : null);
  const set = (v) => Object.defineProperty(target, key, { value: v, enumerable: true, writable: true, configurable: true });
  switch (op) {
    case 'replace':
      set(rng.oddValue());
      break;
    case 'delete':
      if (Array.isArray(target)) target.splice(Number(key), 1);
      else delete target[key];
      break;
    case 'wrap':
      set(rng.chance(0.5) ? [get()] : { value: get() });
      break;
    case 'deep':
      set(DEEP);
      break;
    case 'wide':
      set(WIDE);
      break;
    case 'duplicate': {
      const v = get();
      if (Array.isArray(target)) target.push(...Array.from({ length: rng.size(200) }, () => structuredClone(v)));
      else Object.defineProperty(target, `${key}`.toUpperCase(), { value: structuredClone(v), enumerable: true, writable: true, configurable: true });
      break;
    }
  }
  return root;
}

/** Serialises a (mutated) value, expanding the deep/wide markers into their text shapes. */
export function toJsonText(rng, value) {
  let text = JSON.stringify(value) ?? 'null';
  text = text.replace(/"\\u0000__DEEP__\\u0000"/g, () => nestedJson(rng.weighted([[3, rng.int(1, 200)], [2, rng.int(1000, 4000)], [1, rng.int(5000, 20000)]]), rng.pick(['object', 'array'])));
  text = text.replace(/"\\u0000__WIDE__\\u0000"/g, () => wideJson(rng.size(60_000), rng.pick(['1', '"x"', '{}', '[]', '{"value":"a@b.test"}'])));
  return text;
}

/** Damages JSON (or any) text: truncation, stray bytes, duplicate keys, BOM, odd numbers. */
export function mutateText(rng, text) {
  const at = rng.int(0, text.length);
  return rng.weighted([
    [3, () => text.slice(0, at)],
    [2, () => `${text.slice(0, at)}${rng.pick(['\u0000', '"', '{', ']', ',', '\\', '\\u', '\ud800', '1e999', '-', '\n', 'null', '}}}}'])}${text.slice(at)}`],
    [1, () => `\ufeff${text}`],
    [1, () => `${text}${rng.pick(['garbage', '\u0000', ' ', '{}', '\n\n'])}`],
    [1, () => text.replace(/^\{/, '{"__proto__":{"polluted":1},')],
    [1, () => text.replace(/^\{/, '{"constructor":{"prototype":{"polluted":1}},')],
    [1, () => text.replace(/"(\w+)":/, '"$1":1,"$1":')],
    [1, () => text.replace(/\d+/, '123456789012345678901234567890e400')],
    [1, () => ''],
  ])();
}

/** A JSON body from a valid value: usually mutated as a value, sometimes as text. */
export function jsonBody(rng, value, { valid = 0.15 } = {}) {
  if (rng.chance(valid)) return JSON.stringify(value);
  const mutated = mutateValue(rng, value, rng.int(1, 3));
  const text = toJsonText(rng, mutated);
  return rng.chance(0.2) ? mutateText(rng, text) : text;
}
