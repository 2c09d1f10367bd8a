import { parseScimPath, ScimFilterError, type AttrPath } from './scim-filter.js';
import { ScimException } from './scim-exception.js';
import { SCIM_USER_SCHEMA } from './scim-schemas.js';
import { getAttribute, isPlainObject, parseActive, parseDisplayName, parseExternalId, parseNamePart, parseUserName, type ScimUserState } from './scim-user.js';

type PatchOpName = 'add' | 'replace' | 'remove';
/** What a path designates on a Latchkey user; 'ignored' for read-only and unknown attributes. */
type Target = 'userName' | 'givenName' | 'familyName' | 'name' | 'active' | 'externalId' | 'displayName' | 'ignored';

export interface ScimPatchResult {
  state: ScimUserState;
  /** Attributes whose value differs from before (empty: the PATCH changed nothing). */
  changed: (keyof ScimUserState)[];
}

const MAX_OPERATIONS = 1000;
const CORE_URN = SCIM_USER_SCHEMA.toLowerCase();

/**
 * Applies a PatchOp (RFC 7644 §3.5.2) to a copy of the user's writable state, as identity
 * providers really send it: op names in any case (Entra: "Replace"), booleans as "True"/"False",
 * path-less values with nested, dotted ("name.givenName") or schema-URN-prefixed keys, JSON null
 * for optional values. Read-only targets (emails…, id, meta) and attributes the
 * schema lacks (enterprise extension, nickName) are ignored. The first operation that cannot be
 * applied throws a ScimException; the caller stores nothing then (all or none).
 */
export function applyScimPatch(current: ScimUserState, body: unknown): ScimPatchResult {
  if (!isPlainObject(body)) throw new ScimException(400, 'invalidSyntax', 'The request body must be a JSON object (a PatchOp)');
  const operations = getAttribute(body, 'Operations');
  if (!Array.isArray(operations) || operations.length === 0) {
    throw new ScimException(400, 'invalidSyntax', 'Operations must be a non-empty array of PATCH operations');
  }
  if (operations.length > MAX_OPERATIONS) {
    throw new ScimException(400, 'invalidSyntax', `At most ${MAX_OPERATIONS} operations are accepted in one PATCH`);
  }
  const state: ScimUserState = { ...current };
  operations.forEach((operation: unknown, index) => {
    const n = index + 1;
    try {
      applyOperation(state, operation, n);
    } catch (err) {
      // Say which operation failed when the value check did not.
      if (err instanceof ScimException && !err.detail.startsWith('Operation ')) {
        throw new ScimException(err.getStatus(), err.scimType, `Operation ${n}: ${err.detail}`);
      }
      throw err;
    }
  });
  const changed = (Object.keys(state) as (keyof ScimUserState)[]).filter((k) => state[k] !== current[k]);
  return { state, changed };
}

function applyOperation(state: ScimUserState, operation: unknown, n: number): void {
  if (!isPlainObject(operation)) throw new ScimException(400, 'invalidSyntax', `Operation ${n} must be an object with "op"`);
  const rawOp = getAttribute(operation, 'op');
  const op = typeof rawOp === 'string' ? rawOp.trim().toLowerCase() : undefined;
  if (op !== 'add' && op !== 'replace' && op !== 'remove') {
    throw new ScimException(400, 'invalidSyntax', `Operation ${n}: op must be "add", "replace" or "remove"`);
  }
  const rawPath = getAttribute(operation, 'path');
  const value = getAttribute(operation, 'value');

  if (rawPath === undefined || rawPath === null || rawPath === '') {
    if (op === 'remove') throw new ScimException(400, 'noTarget', `Operation ${n}: "remove" needs a path`);
    if (!isPlainObject(value)) {
      throw ScimException.invalidValue(`Operation ${n}: without a path, value must be an object of attributes`);
    }
    applyValueObject(state, value, op, n);
    return;
  }
  if (typeof rawPath !== 'string') throw new ScimException(400, 'invalidPath', `Operation ${n}: path must be a string`);
  let path: AttrPath;
  try {
    path = parseScimPath(rawPath);
  } catch (err) {
    if (err instanceof ScimFilterError) throw new ScimException(400, 'invalidPath', `Operation ${n}: ${err.message}`);
    throw err;
  }
  apply(state, resolveTarget(path, n), op, value, n);
}

/** A path-less add/replace: each key is an attribute, a dotted path, or a schema URN (prefix). */
function applyValueObject(state: ScimUserState, value: Record<string, unknown>, op: PatchOpName, n: number): void {
  for (const [key, v] of Object.entries(value)) {
    const lower = key.toLowerCase();
    if (lower === CORE_URN) {
      if (!isPlainObject(v)) throw ScimException.invalidValue(`Operation ${n}: "${SCIM_USER_SCHEMA}" must hold an object of attributes`);
      applyValueObject(state, v, op, n);
      continue;
    }
    let pathText = key;
    if (lower.startsWith(`${CORE_URN}:`)) pathText = key.slice(CORE_URN.length + 1);
    else if (lower.startsWith('urn:')) continue; // an extension schema (enterprise…): not held
    let path: AttrPath;
    try {
      path = parseScimPath(pathText);
    } catch {
      continue; // not an attribute name the schema could hold
    }
    apply(state, resolveTarget(path, n), op, v, n);
  }
}

function resolveTarget(path: AttrPath, n: number): Target {
  if (path.schema !== undefined && path.schema.toLowerCase() !== CORE_URN) return 'ignored';
  const attr = path.attr.toLowerCase();
  const sub = path.subAttr?.toLowerCase();
  const single = (target: Target): Target => {
    if (path.valueFilter) throw new ScimException(400, 'invalidPath', `Operation ${n}: ${path.attr} is single-valued and takes no [filter]`);
    if (sub !== undefined) throw new ScimException(400, 'invalidPath', `Operation ${n}: ${path.attr} has no sub-attribute ${path.subAttr}`);
    return target;
  };
  switch (attr) {
    case 'username':
      return single('userName');
    case 'active':
      return single('active');
    case 'externalid':
      return single('externalId');
    case 'displayname':
      return single('displayName');
    case 'name':
      if (path.valueFilter) throw new ScimException(400, 'invalidPath', `Operation ${n}: name is single-valued and takes no [filter]`);
      if (sub === undefined) return 'name';
      if (sub === 'givenname') return 'givenName';
      if (sub === 'familyname') return 'familyName';
      return 'ignored'; // name.formatted, name.middleName…: not held
    default:
      // Read-only (id, meta, emails…) or not in the schema (nickName, title…).
      return 'ignored';
  }
}

function apply(state: ScimUserState, target: Target, op: PatchOpName, value: unknown, n: number): void {
  if (target === 'ignored') return;
  if (op === 'remove') {
    if (target === 'externalId' || target === 'displayName') {
      state[target] = null;
      return;
    }
    if (target === 'active') throw new ScimException(400, 'mutability', `Operation ${n}: active cannot be removed; replace it with true or false`);
    const what = target === 'name' ? 'name' : target === 'userName' ? 'userName' : `name.${target}`;
    throw ScimException.invalidValue(`Operation ${n}: ${what} is required and cannot be removed`);
  }
  switch (target) {
    case 'userName':
      state.userName = parseUserName(value);
      return;
    case 'givenName':
      state.givenName = parseNamePart(value, 'name.givenName');
      return;
    case 'familyName':
      state.familyName = parseNamePart(value, 'name.familyName');
      return;
    case 'active':
      if (value === null || value === undefined) throw ScimException.invalidValue(`Operation ${n}: active needs a value (true or false)`);
      state.active = parseActive(value);
      return;
    case 'externalId':
      state.externalId = value === undefined ? null : parseExternalId(value);
      return;
    case 'displayName':
      state.displayName = value === undefined ? null : parseDisplayName(value);
      return;
    case 'name': {
      if (!isPlainObject(value)) throw ScimException.invalidValue(`Operation ${n}: name must be an object with givenName and/or familyName`);
      const given = getAttribute(value, 'givenName');
      const family = getAttribute(value, 'familyName');
      if (given !== undefined) state.givenName = parseNamePart(given, 'name.givenName');
      if (family !== undefined) state.familyName = parseNamePart(family, 'name.familyName');
      return;
    }
  }
}
