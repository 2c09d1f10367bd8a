import { isUuid } from '../../common/validation/uuid.js';
import type { GroupEntity, GroupMember } from '../../groups/group.entity.js';
import { ScimException } from './scim-exception.js';
import { SCIM_GROUP_SCHEMA } from './scim-schemas.js';
import { getAttribute, isPlainObject, parseExternalId } from './scim-user.js';

export interface ScimGroupMember {
  value: string;
  display: string;
  $ref: string;
  type: 'User';
}

/** The Group resource (RFC 7643 §4.2) without its members: those are streamed in by the writer. */
export interface ScimGroupHead {
  schemas: [typeof SCIM_GROUP_SCHEMA];
  id: string;
  externalId?: string;
  displayName: string;
  meta: { resourceType: 'Group'; created: string; lastModified: string; location: string; version: string };
}

/** A POST or PUT body after validation. */
export interface ScimGroupInput {
  displayName: string;
  /** null when not sent: PUT replaces the resource (RFC 7644 §3.5.1), so an omitted externalId is cleared. */
  externalId: string | null;
  memberIds: string[];
}

/**
 * Most member values one request may carry, over all its operations. Entra sends a few hundred at
 * a time and Okta one group's changes; 10,000 bounds one request's statements (each an unnest of
 * at most this many ids) and stays well inside the 1 MiB SCIM body limit (~15,000 members).
 */
export const MAX_MEMBER_VALUES = 10_000;
const DISPLAY_NAME_MAX = 400;

/** The weak ETag of a group version, as sent in the ETag header and meta.version. */
export function groupEtag(version: number): string {
  return `W/"${version}"`;
}

export function toScimGroupHead(group: GroupEntity, location: string): ScimGroupHead {
  return {
    schemas: [SCIM_GROUP_SCHEMA],
    id: group.id,
    ...(group.externalId ? { externalId: group.externalId } : {}),
    displayName: group.displayName,
    meta: {
      resourceType: 'Group',
      created: group.createdAt.toISOString(),
      lastModified: group.updatedAt.toISOString(),
      location,
      version: groupEtag(group.version),
    },
  };
}

/** A member as Groups show it; `usersBase` is {scim base}/Users. */
export function toScimMember(member: GroupMember, usersBase: string): ScimGroupMember {
  return { value: member.userId, display: member.display, $ref: `${usersBase}/${member.userId}`, type: 'User' };
}

export function parseDisplayName(value: unknown): string {
  if (value === undefined || value === null) throw ScimException.invalidValue('displayName is required');
  if (typeof value !== 'string') throw ScimException.invalidValue('displayName must be a string');
  if (value.includes('\u0000')) throw ScimException.invalidValue('displayName must not contain NUL characters');
  const name = value.trim();
  if (name === '') throw ScimException.invalidValue('displayName is required and must not be empty');
  if (name.length > DISPLAY_NAME_MAX) throw ScimException.invalidValue(`displayName must be at most ${DISPLAY_NAME_MAX} characters`);
  return name;
}

/**
 * A members value: an array of {"value": <user id>, "display"?, "$ref"?, "type"?} (a single object
 * is taken as a list of one). `display` and `$ref` are ignored (the user's own name is shown);
 * a `type` other than "User" is refused: groups do not nest here.
 */
export function parseMemberValues(value: unknown, what: string): string[] {
  if (value === null || value === undefined) return [];
  const items = Array.isArray(value) ? value : [value];
  if (items.length > MAX_MEMBER_VALUES) throw tooManyMembers();
  return items.map((item, i) => {
    if (!isPlainObject(item)) throw ScimException.invalidValue(`${what}: member ${i + 1} must be an object with "value" (a user id)`);
    const type = getAttribute(item, 'type');
    if (type !== undefined && type !== null && (typeof type !== 'string' || type.toLowerCase() !== 'user')) {
      throw ScimException.invalidValue(`${what}: member ${i + 1} has type ${JSON.stringify(type)}; only users can be members (groups do not nest)`);
    }
    return parseMemberId(getAttribute(item, 'value'), what);
  });
}

/** A member value must be a user id this service issued (a UUID); anything else names no user. */
export function parseMemberId(value: unknown, what: string): string {
  if (typeof value !== 'string') throw ScimException.invalidValue(`${what}: each member needs "value", the id of a user`);
  const id = value.trim();
  if (!isUuid(id)) throw ScimException.invalidValue(`${what}: ${JSON.stringify(value.slice(0, 100))} is not a user of this tenant`);
  return id.toLowerCase();
}

export function tooManyMembers(): ScimException {
  return ScimException.invalidValue(`At most ${MAX_MEMBER_VALUES} member values are accepted in one request; send the rest in further requests`);
}

/**
 * Reads a POST or PUT body: displayName required, externalId and members optional. Read-only and
 * unknown attributes (id, meta, schemas, the Entra extension
 * http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group) are ignored.
 */
export function readScimGroupInput(body: unknown): ScimGroupInput {
  if (!isPlainObject(body)) throw new ScimException(400, 'invalidSyntax', 'The request body must be a JSON object (a SCIM Group resource)');
  const externalId = getAttribute(body, 'externalId');
  return {
    displayName: parseDisplayName(getAttribute(body, 'displayName')),
    externalId: externalId === undefined ? null : parseExternalId(externalId),
    memberIds: parseMemberValues(getAttribute(body, 'members'), 'members'),
  };
}
