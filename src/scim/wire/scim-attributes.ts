import { ScimException } from './scim-exception.js';
import { SCIM_GROUP_SCHEMA, SCIM_USER_SCHEMA } from './scim-schemas.js';

/**
 * `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9): which attributes a returned
 * resource carries. One generic projection for every resource type and every response that holds
 * resources (GET of one, lists, and the bodies POST, PUT and PATCH return).
 *
 * - Both are comma-separated attribute paths, `attr` or `attr.sub`, URN-qualified or not
 *   (`urn:ietf:params:scim:schemas:core:2.0:Group:displayName`); names are case-insensitive.
 * - `id`, `schemas` and `meta.resourceType` are always returned (RFC 7643 §3.1: returned "always").
 * - `attributes` keeps only what it names (plus those); `excludedAttributes` then drops what it names.
 *   Given both, both apply in that order (the RFC does not say; a client sending both wants both).
 * - Names the resource does not hold are ignored: the schema may grow; an unknown name selects nothing.
 */
export interface ScimProjection {
  /** null: every attribute returned by default; else top-level name → 'all' or the sub-attributes kept. */
  readonly include: ReadonlyMap<string, Rule> | null;
  readonly exclude: ReadonlyMap<string, Rule>;
}
type Rule = 'all' | ReadonlySet<string>;

/** Every attribute: no projection asked. */
export const FULL_PROJECTION: ScimProjection = { include: null, exclude: new Map() };

const MAX_PARAMETER_LENGTH = 4096;
const MAX_PATHS = 100;
const PATH = /^[A-Za-z$][A-Za-z0-9_$-]*(\.[A-Za-z$][A-Za-z0-9_$-]*)?$/;
/** Core schema URNs: a path qualified by one of them names a top-level attribute. */
const CORE_SCHEMAS = [SCIM_USER_SCHEMA, SCIM_GROUP_SCHEMA].map((s) => s.toLowerCase());
/** Returned whatever the projection says. */
const ALWAYS = new Set(['id', 'schemas']);

export interface ScimProjectionQuery {
  attributes?: unknown;
  excludedAttributes?: unknown;
}

/** Reads the two query parameters; 400 invalidValue naming the parameter when one is malformed. */
export function parseScimProjection(query: ScimProjectionQuery): ScimProjection {
  const include = query.attributes === undefined ? null : parseList(query.attributes, 'attributes');
  const exclude = query.excludedAttributes === undefined ? new Map<string, Rule>() : parseList(query.excludedAttributes, 'excludedAttributes');
  return { include, exclude };
}

/** True when a client asked for a projection (Group PATCH then answers 200 with the resource instead of 204). */
export function projectionAsked(query: ScimProjectionQuery): boolean {
  return query.attributes !== undefined || query.excludedAttributes !== undefined;
}

function parseList(value: unknown, name: string): Map<string, Rule> {
  if (typeof value !== 'string') throw ScimException.invalidValue(`Give ${name} once, as a comma-separated list of attribute names`);
  if (value.length > MAX_PARAMETER_LENGTH) throw ScimException.invalidValue(`${name} is longer than ${MAX_PARAMETER_LENGTH} characters`);
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (entries.length > MAX_PATHS) throw ScimException.invalidValue(`${name} names more than ${MAX_PATHS} attributes`);
  const rules = new Map<string, Rule>();
  for (const entry of entries) {
    const [top, sub] = splitPath(entry, name);
    const current = rules.get(top);
    if (current === 'all') continue;
    if (sub === undefined) rules.set(top, 'all');
    else rules.set(top, new Set([...(current ?? []), sub]));
  }
  return rules;
}

/** `[urn:…:]attr[.sub]` → [top-level key, sub-attribute], lowercased. An extension URN is itself the top-level key. */
function splitPath(entry: string, name: string): [string, string | undefined] {
  const lower = entry.toLowerCase();
  let path = entry;
  if (lower.startsWith('urn:')) {
    if (CORE_SCHEMAS.includes(lower)) return ['*core*', undefined];
    const core = CORE_SCHEMAS.find((s) => lower.startsWith(`${s}:`));
    if (core) {
      path = entry.slice(core.length + 1);
    } else {
      // An extension: `urn:…:enterprise:2.0:User:employeeNumber` is employeeNumber inside the
      // extension's object, whose key is the URN.
      const colon = entry.lastIndexOf(':');
      const attr = entry.slice(colon + 1);
      if (colon <= 4 || !PATH.test(attr)) throw ScimException.invalidValue(`${name}: ${JSON.stringify(entry)} is not an attribute path`);
      return [lower.slice(0, colon), attr.toLowerCase()];
    }
  }
  if (!PATH.test(path)) throw ScimException.invalidValue(`${name}: ${JSON.stringify(entry)} is not an attribute path`);
  const [top, sub] = path.toLowerCase().split('.') as [string, string | undefined];
  return [top, sub];
}

/**
 * What becomes of one top-level attribute: null when it is dropped, else a function giving its
 * projected value (applied to each element of a multi-valued attribute). The streaming Group
 * writer uses it for `members` element by element; projectResource for everything else.
 */
export function attributeProjection(p: ScimProjection, key: string): ((value: unknown) => unknown) | null {
  const k = key.toLowerCase();
  if (ALWAYS.has(k)) return (v) => v;
  let keep: Rule = 'all';
  if (p.include !== null && !p.include.has('*core*')) {
    const rule = p.include.get(k);
    if (rule === undefined) return k === 'meta' ? (v) => pick(v, new Set(['resourcetype'])) : null;
    keep = rule;
  }
  const drop = p.exclude.get(k);
  if (drop === 'all') return k === 'meta' ? (v) => pick(v, new Set(['resourcetype'])) : null;
  return (value) => {
    let out = keep === 'all' ? value : pick(value, k === 'meta' ? new Set([...keep, 'resourcetype']) : keep);
    if (drop) out = omit(out, k === 'meta' ? new Set([...drop].filter((s) => s !== 'resourcetype')) : drop);
    return out;
  };
}

/** True when the projection returns the attribute whole (so a writer may serialise it without projecting). */
export function returnedWhole(p: ScimProjection, key: string): boolean {
  const k = key.toLowerCase();
  const included = p.include === null || p.include.has('*core*') || p.include.get(k) === 'all';
  return included && !p.exclude.has(k);
}

/** The resource with only the attributes the projection returns, in their original order. */
export function projectResource<T extends object>(resource: T, p: ScimProjection): Partial<T> {
  if (p.include === null && p.exclude.size === 0) return resource;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resource)) {
    const project = attributeProjection(p, key);
    if (project) out[key] = project(value);
  }
  return out as Partial<T>;
}

/** Each resource of a ListResponse projected; the envelope unchanged. */
export function projectList<L extends { Resources: object[] }>(list: L, p: ScimProjection): L {
  if (p.include === null && p.exclude.size === 0) return list;
  return { ...list, Resources: list.Resources.map((r) => projectResource(r, p)) };
}

/** Keeps the named sub-attributes of a complex value, or of each element of a multi-valued one. */
function pick(value: unknown, subs: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => pick(v, subs));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => subs.has(k.toLowerCase())));
}

function omit(value: unknown, subs: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => omit(v, subs));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => !subs.has(k.toLowerCase())));
}
