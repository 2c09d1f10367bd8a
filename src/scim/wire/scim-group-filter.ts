import { isUuid } from '../../common/validation/uuid.js';
import { emptyGroupCriteria, type GroupCriteria } from '../../groups/group-criteria.js';
import { parseScimFilter, ScimFilterError, stringifyScimPath, type AttrPath, type CompareNode, type FilterNode } from './scim-filter.js';
import { ScimException } from './scim-exception.js';
import { SCIM_GROUP_SCHEMA } from './scim-schemas.js';

const CORE_URN = SCIM_GROUP_SCHEMA.toLowerCase();
const SUPPORTED = 'displayName eq, externalId eq, id eq, members[value eq "…"] and members.value eq, joined by and';

function invalid(detail: string): ScimException {
  return new ScimException(400, 'invalidFilter', detail);
}

/**
 * Parses a /Groups `filter` into group criteria: equality on displayName (compared without regard
 * to ASCII case, as the unique index folds it), externalId, id, and membership
 * (`members[value eq "id"]`, `members.value eq "id"`), joined by `and`, as Entra and Okta send
 * them. Anything else is 400 invalidFilter naming what is supported.
 */
export function scimFilterToGroupCriteria(filter: string): GroupCriteria {
  let node: FilterNode;
  try {
    node = parseScimFilter(filter);
  } catch (err) {
    if (err instanceof ScimFilterError) throw invalid(err.message);
    throw err;
  }
  const criteria = emptyGroupCriteria();
  for (const term of node.type === 'and' ? node.filters : [node]) addTerm(criteria, term);
  return criteria;
}

function addTerm(criteria: GroupCriteria, node: FilterNode): void {
  if (node.type === 'valuePath') {
    // members[value eq "id"] alone: the group has that member.
    if (!isMembers(node.path) || node.path.valueFilter.type !== 'compare') throw unsupported(stringifyScimPath(node.path));
    const inner = node.path.valueFilter;
    if (inner.path.attr.toLowerCase() !== 'value' || inner.path.subAttr !== undefined) throw unsupported(stringifyScimPath(node.path));
    addMember(criteria, inner);
    return;
  }
  if (node.type !== 'compare') throw invalid(`Only ${SUPPORTED} are supported`);
  if (node.op !== 'eq') throw invalid(`Operator ${node.op} is not supported on Groups: ${SUPPORTED}`);
  const path = node.path;
  if (path.schema !== undefined && path.schema.toLowerCase() !== CORE_URN) throw unsupported(stringifyScimPath(path));
  const attr = path.attr.toLowerCase();
  if (attr === 'members') {
    if (path.valueFilter || path.subAttr?.toLowerCase() !== 'value') throw unsupported(stringifyScimPath(path));
    addMember(criteria, node);
    return;
  }
  if (path.valueFilter || path.subAttr !== undefined) throw unsupported(stringifyScimPath(path));
  const value = text(node);
  switch (attr) {
    case 'displayname':
      criteria.displayNames.push(value);
      return;
    case 'externalid':
      criteria.externalIds.push(value);
      return;
    case 'id':
      if (isUuid(value)) criteria.ids.push(value.toLowerCase());
      else criteria.none = true; // no group has that id
      return;
    default:
      throw unsupported(stringifyScimPath(path));
  }
}

function addMember(criteria: GroupCriteria, node: CompareNode): void {
  if (node.op !== 'eq') throw invalid(`Operator ${node.op} is not supported on members: ${SUPPORTED}`);
  const value = text(node);
  if (isUuid(value)) criteria.memberIds.push(value.toLowerCase());
  else criteria.none = true;
}

function isMembers(path: AttrPath): path is AttrPath & { valueFilter: FilterNode } {
  return path.attr.toLowerCase() === 'members' && (path.schema === undefined || path.schema.toLowerCase() === CORE_URN) && path.valueFilter !== undefined;
}

function text(node: CompareNode): string {
  if (typeof node.value !== 'string') throw invalid(`${stringifyScimPath(node.path)} is a string: compare it with a quoted value`);
  if (node.value.includes('\u0000')) throw invalid('Filter values must not contain NUL characters');
  return node.value;
}

function unsupported(name: string): ScimException {
  return invalid(`Filtering Groups on ${name} is not supported: ${SUPPORTED}`);
}
