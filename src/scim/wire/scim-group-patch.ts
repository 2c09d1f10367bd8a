import type { GroupWrite, MembershipChange } from '../../groups/groups.service.js';
import { parseScimPath, ScimFilterError, type AttrPath, type FilterNode } from './scim-filter.js';
import { ScimException } from './scim-exception.js';
import { MAX_MEMBER_VALUES, parseDisplayName, parseMemberId, parseMemberValues, tooManyMembers } from './scim-group.js';
import { SCIM_GROUP_SCHEMA } from './scim-schemas.js';
import { getAttribute, isPlainObject, parseExternalId } from './scim-user.js';

const MAX_OPERATIONS = 1000;
const CORE_URN = SCIM_GROUP_SCHEMA.toLowerCase();

/**
 * Reads a Group PatchOp (RFC 7644 §3.5.2) into one GroupWrite, in every shape the identity
 * providers send (CONTRACT §4 Groups):
 * - Entra: {"op":"Add"|"Remove","path":"members","value":[{"value":id},…]},
 *   {"op":"Replace","path":"displayName","value":"…"}, and with aadOptscim062020
 *   {"op":"remove","path":"members[value eq \"id\"]"};
 * - Okta: {"op":"replace","value":{"id","displayName"}}, {"op":"replace","path":"members","value":[…]}
 *   (an empty list empties the group), {"op":"add","path":"members","value":[{"value","display"}]}.
 * Op names in any case; paths may carry the Group schema URN; "remove" of "members" without a value
 * empties the group. Read-only and unknown attributes (id, meta, schemas, members[…].display,
 * extension schemas) are ignored. Nothing is stored here: the first operation that cannot be
 * applied throws, and the caller then changes nothing (all or none).
 */
export function parseScimGroupPatch(body: unknown): GroupWrite {
  if (!isPlainObject(body)) throw new ScimException(400, 'invalidSyntax', 'The request body must be a JSON object (a PatchOp)');
  const operations = getAttribute(body, 'Operations');
  if (!Array.isArray(operations) || operations.length === 0) {
    throw new ScimException(400, 'invalidSyntax', 'Operations must be a non-empty array of PATCH operations');
  }
  if (operations.length > MAX_OPERATIONS) throw new ScimException(400, 'invalidSyntax', `At most ${MAX_OPERATIONS} operations are accepted in one PATCH`);
  const write: GroupWrite = { memberships: [] };
  let values = 0;
  operations.forEach((operation: unknown, index) => {
    const n = index + 1;
    try {
      applyOperation(write, operation, n);
    } catch (err) {
      if (err instanceof ScimException && !err.detail.startsWith('Operation ')) {
        throw new ScimException(err.getStatus(), err.scimType, `Operation ${n}: ${err.detail}`);
      }
      throw err;
    }
    values = write.memberships.reduce((sum, c) => sum + c.userIds.length, 0);
    if (values > MAX_MEMBER_VALUES) throw tooManyMembers();
  });
  // Consecutive changes of one kind are one statement.
  write.memberships = write.memberships.reduce<MembershipChange[]>((out, change) => {
    const last = out.at(-1);
    if (last && last.kind === change.kind && change.kind !== 'replace') last.userIds.push(...change.userIds);
    else out.push({ kind: change.kind, userIds: [...change.userIds] });
    return out;
  }, []);
  return write;
}

type Op = 'add' | 'replace' | 'remove';

function applyOperation(write: GroupWrite, operation: unknown, n: number): void {
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
    if (!isPlainObject(value)) throw ScimException.invalidValue(`Operation ${n}: without a path, value must be an object of attributes`);
    applyValueObject(write, value, op);
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
  applyPath(write, path, op, value);
}

/** Path-less add/replace (Okta): each key an attribute, or the Group schema URN holding them. */
function applyValueObject(write: GroupWrite, value: Record<string, unknown>, op: Exclude<Op, 'remove'>): void {
  for (const [key, v] of Object.entries(value)) {
    const lower = key.toLowerCase();
    if (lower === CORE_URN) {
      if (!isPlainObject(v)) throw ScimException.invalidValue(`"${SCIM_GROUP_SCHEMA}" must hold an object of attributes`);
      applyValueObject(write, v, op);
      continue;
    }
    let pathText = key;
    if (lower.startsWith(`${CORE_URN}:`)) pathText = key.slice(CORE_URN.length + 1);
    else if (lower.startsWith('urn:') || lower.startsWith('http:') || lower.startsWith('https:')) continue; // an extension schema: not held
    let path: AttrPath;
    try {
      path = parseScimPath(pathText);
    } catch {
      continue; // not an attribute name the schema could hold
    }
    applyPath(write, path, op, v);
  }
}

function applyPath(write: GroupWrite, path: AttrPath, op: Op, value: unknown): void {
  if (path.schema !== undefined && path.schema.toLowerCase() !== CORE_URN) return; // an extension attribute
  const attr = path.attr.toLowerCase();
  if (attr === 'displayname' || attr === 'externalid') {
    if (path.valueFilter || path.subAttr !== undefined) throw new ScimException(400, 'invalidPath', `${path.attr} is single-valued and has no sub-attributes`);
    if (attr === 'displayname') {
      if (op === 'remove') throw ScimException.invalidValue('displayName is required and cannot be removed');
      write.displayName = parseDisplayName(value);
    } else {
      write.externalId = op === 'remove' || value === undefined ? null : parseExternalId(value);
    }
    return;
  }
  if (attr !== 'members') return; // id, meta, schemas, attributes the schema lacks: ignored
  if (path.subAttr !== undefined) {
    // members.value / members[…].display: a member's attributes are the user's, not the group's.
    if (op === 'remove' || path.subAttr.toLowerCase() === 'value') {
      throw new ScimException(400, 'invalidPath', 'Change members as a whole ("members", or "members[value eq \\"id\\"]" to remove one)');
    }
    return;
  }
  if (path.valueFilter) {
    if (op !== 'remove') {
      throw new ScimException(400, 'invalidPath', `A "${op}" of members takes the path "members" and a list of values; a value filter selects members to remove`);
    }
    write.memberships.push({ kind: 'remove', userIds: memberIdsOfFilter(path.valueFilter) });
    return;
  }
  if (op === 'remove') {
    // RFC 7644 §3.5.2.2: with a value, those members leave; without one, all of them.
    if (value === undefined || value === null) write.memberships.push({ kind: 'replace', userIds: [] });
    else write.memberships.push({ kind: 'remove', userIds: parseMemberValues(value, 'members') });
    return;
  }
  write.memberships.push({ kind: op, userIds: parseMemberValues(value, 'members') });
}

/** `members[value eq "id"]`, or several such joined by `or`: the ids selected. */
function memberIdsOfFilter(filter: FilterNode): string[] {
  if (filter.type === 'or') return filter.filters.flatMap(memberIdsOfFilter);
  if (filter.type === 'compare' && filter.op === 'eq' && filter.path.attr.toLowerCase() === 'value' && filter.path.subAttr === undefined) {
    if (typeof filter.value !== 'string') throw new ScimException(400, 'invalidFilter', 'members[value eq "…"] compares value with a quoted user id');
    return [parseMemberId(filter.value, 'members')];
  }
  throw new ScimException(400, 'invalidFilter', 'A members value filter must be value eq "<user id>" (several joined by or)');
}
