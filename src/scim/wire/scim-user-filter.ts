import type { UserCriteria, UserTextField, UserTimeField } from '../../users/user-criteria.js';
import { parseScimFilter, ScimFilterError, stringifyScimPath, type AttrPath, type CompareOp, type CompValue, type FilterNode } from './scim-filter.js';
import { ScimException } from './scim-exception.js';
import { SCIM_USER_SCHEMA } from './scim-schemas.js';

const CORE_URN = SCIM_USER_SCHEMA.toLowerCase();
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** A real day and time: JavaScript's Date would roll "2024-02-30" over to 1 March without a word. */
function isCalendarDateTime(value: string): boolean {
  const [y, m, d, hh = 0, mm = 0, ss = 0] = (value.match(/\d+/g) ?? []).map(Number) as number[];
  if (y === undefined || m === undefined || d === undefined) return false;
  const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth && hh <= 23 && mm <= 59 && ss <= 60;
}

/** An attribute the filter can test: a column, or a constant of the one emails element. */
type Operand =
  | { kind: 'text'; field: UserTextField; caseInsensitive: boolean }
  | { kind: 'time'; field: UserTimeField }
  | { kind: 'bool' }
  | { kind: 'constText'; value: string }
  | { kind: 'constBool'; value: boolean };

function invalid(detail: string): ScimException {
  return new ScimException(400, 'invalidFilter', detail);
}

/**
 * Parses a `filter` query parameter and maps it onto user columns: userName, externalId, id,
 * active, displayName, name.givenName, name.familyName, emails (value, type, primary, and
 * emails[type eq "work"].value), meta.created, meta.lastModified. Any other attribute, or an
 * operator the attribute's type does not allow, is 400 invalidFilter.
 */
export function scimFilterToCriteria(filter: string): UserCriteria {
  let node: FilterNode;
  try {
    node = parseScimFilter(filter);
  } catch (err) {
    if (err instanceof ScimFilterError) throw invalid(err.message);
    throw err;
  }
  return compile(node, false);
}

function compile(node: FilterNode, inEmails: boolean): UserCriteria {
  switch (node.type) {
    case 'and':
    case 'or':
      return { kind: node.type, items: node.filters.map((f) => compile(f, inEmails)) };
    case 'not':
      return { kind: 'not', item: compile(node.filter, inEmails) };
    case 'valuePath':
      // emails[...] alone: true when the user's one email element matches.
      if (node.path.attr.toLowerCase() !== 'emails' || !schemaOk(node.path)) {
        throw invalid(`Filtering on ${stringifyScimPath(node.path)} is not supported`);
      }
      return compile(node.path.valueFilter, true);
    case 'present': {
      const operand = resolve(node.path, inEmails);
      if (operand.kind === 'constText' || operand.kind === 'constBool') return { kind: 'const', value: true };
      if (operand.kind === 'bool') return { kind: 'present', field: 'active' };
      return { kind: 'present', field: operand.field };
    }
    case 'compare': {
      // emails[type eq "work"].value eq "x": the element filter and the comparison hold for the
      // same (the one) element, so they are simply both required.
      const criteria = compare(resolve(node.path, inEmails), node.op, node.value, node.path);
      return node.path.valueFilter ? { kind: 'and', items: [compile(node.path.valueFilter, true), criteria] } : criteria;
    }
  }
}

function schemaOk(path: AttrPath): boolean {
  return path.schema === undefined || path.schema.toLowerCase() === CORE_URN;
}

function resolve(path: AttrPath, inEmails: boolean): Operand {
  const unsupported = () => invalid(`Filtering on ${stringifyScimPath(path)} is not supported`);
  if (!schemaOk(path)) throw unsupported();
  const attr = path.attr.toLowerCase();
  const sub = path.subAttr?.toLowerCase();
  if (inEmails) {
    // Inside emails[...]: the sub-attributes of the one email element.
    const operand = emailsSubAttribute(attr);
    if (!operand || sub !== undefined) throw unsupported();
    return operand;
  }
  if (path.valueFilter && attr !== 'emails') throw unsupported();
  switch (attr) {
    case 'username':
      if (sub !== undefined) throw unsupported();
      return { kind: 'text', field: 'email', caseInsensitive: true };
    case 'externalid':
      if (sub !== undefined) throw unsupported();
      return { kind: 'text', field: 'externalId', caseInsensitive: false };
    case 'id':
      if (sub !== undefined) throw unsupported();
      return { kind: 'text', field: 'id', caseInsensitive: false };
    case 'displayname':
      if (sub !== undefined) throw unsupported();
      return { kind: 'text', field: 'displayName', caseInsensitive: true };
    case 'active':
      if (sub !== undefined) throw unsupported();
      return { kind: 'bool' };
    case 'name':
      if (sub === 'givenname') return { kind: 'text', field: 'givenName', caseInsensitive: true };
      if (sub === 'familyname') return { kind: 'text', field: 'familyName', caseInsensitive: true };
      throw unsupported();
    case 'emails': {
      // "emails" alone compares its primary value sub-attribute (RFC 7643 §2.4).
      const operand = emailsSubAttribute(sub ?? 'value');
      if (!operand) throw unsupported();
      return operand;
    }
    case 'meta':
      if (sub === 'created') return { kind: 'time', field: 'createdAt' };
      if (sub === 'lastmodified') return { kind: 'time', field: 'updatedAt' };
      throw unsupported();
    default:
      throw unsupported();
  }
}

function emailsSubAttribute(sub: string): Operand | null {
  if (sub === 'value') return { kind: 'text', field: 'email', caseInsensitive: true };
  if (sub === 'type') return { kind: 'constText', value: 'work' };
  if (sub === 'primary') return { kind: 'constBool', value: true };
  return null;
}

function compare(operand: Operand, op: CompareOp, value: CompValue, path: AttrPath): UserCriteria {
  const name = stringifyScimPath(path);
  switch (operand.kind) {
    case 'text':
      if (value === null) {
        if (op !== 'eq' && op !== 'ne') throw invalid(`Operator ${op} cannot compare ${name} with null`);
        return { kind: 'text', field: operand.field, op, value: null, caseInsensitive: operand.caseInsensitive };
      }
      if (typeof value !== 'string') throw invalid(`${name} is a string: compare it with a quoted value`);
      if (value.includes('\u0000')) throw invalid('Filter values must not contain NUL characters');
      return { kind: 'text', field: operand.field, op, value, caseInsensitive: operand.caseInsensitive };
    case 'time': {
      if (op === 'co' || op === 'sw' || op === 'ew') throw invalid(`Operator ${op} is not supported on the dateTime ${name}`);
      const at = typeof value === 'string' && ISO_DATE.test(value) && isCalendarDateTime(value) ? new Date(value) : null;
      if (!at || Number.isNaN(at.getTime())) throw invalid(`${name} is a dateTime: compare it with a quoted ISO 8601 value`);
      return { kind: 'time', field: operand.field, op, value: at };
    }
    case 'bool':
      return { kind: 'bool', field: 'active', op: boolOp(op, name), value: boolValue(value, name) };
    case 'constBool': {
      const equal = boolValue(value, name) === operand.value;
      return { kind: 'const', value: boolOp(op, name) === 'eq' ? equal : !equal };
    }
    case 'constText': {
      if (typeof value !== 'string') throw invalid(`${name} is a string: compare it with a quoted value`);
      return { kind: 'const', value: compareText(operand.value, op, value.toLowerCase()) };
    }
  }
}

function boolOp(op: CompareOp, name: string): 'eq' | 'ne' {
  if (op !== 'eq' && op !== 'ne') throw invalid(`Operator ${op} is not supported on the boolean ${name}`);
  return op;
}

function boolValue(value: CompValue, name: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw invalid(`${name} is a boolean: compare it with true or false`);
}

function compareText(actual: string, op: CompareOp, value: string): boolean {
  switch (op) {
    case 'eq':
      return actual === value;
    case 'ne':
      return actual !== value;
    case 'co':
      return actual.includes(value);
    case 'sw':
      return actual.startsWith(value);
    case 'ew':
      return actual.endsWith(value);
    case 'gt':
      return actual > value;
    case 'ge':
      return actual >= value;
    case 'lt':
      return actual < value;
    case 'le':
      return actual <= value;
  }
}
