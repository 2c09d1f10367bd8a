import { isEmailAddress } from '../../common/validation/email.js';
import type { UserEntity } from '../../users/user.entity.js';
import { ScimException } from './scim-exception.js';
import { SCIM_USER_SCHEMA } from './scim-schemas.js';

/** The writable SCIM view of a user: what POST, PUT and PATCH can change. */
export interface ScimUserState {
  userName: string;
  givenName: string;
  familyName: string;
  active: boolean;
  externalId: string | null;
  /** As the client sent it; null: never sent (or unassigned), shown derived from the names. */
  displayName: string | null;
}

/** A POST or PUT body after validation; optional attributes left out by the client are undefined. */
export interface ScimUserInput {
  userName: string;
  givenName: string;
  familyName: string;
  active?: boolean;
  externalId?: string | null;
  displayName?: string | null;
}

export interface ScimUser {
  schemas: string[];
  id: string;
  externalId?: string;
  userName: string;
  name: { givenName: string; familyName: string };
  displayName: string;
  active: boolean;
  emails: { value: string; type: 'work'; primary: true }[];
  meta: { resourceType: 'User'; created: string; lastModified: string; location: string; version: string };
}

const NAME_MAX = 200;
const EXTERNAL_ID_MAX = 255;
const DISPLAY_NAME_MAX = 400;

/** The weak ETag of a user version, as sent in the ETag header and meta.version. */
export function userEtag(version: number): string {
  return `W/"${version}"`;
}

export function displayNameOf(givenName: string, familyName: string): string {
  return `${givenName} ${familyName}`.trim();
}

/** The SCIM User resource of a stored user (RFC 7643 §4.1, restricted to what Latchkey keeps). */
export function toScimUser(user: UserEntity, location: string): ScimUser {
  return {
    schemas: [SCIM_USER_SCHEMA],
    id: user.id,
    ...(user.externalId ? { externalId: user.externalId } : {}),
    userName: user.email,
    name: { givenName: user.givenName, familyName: user.familyName },
    displayName: user.displayName ?? displayNameOf(user.givenName, user.familyName),
    active: user.active,
    emails: [{ value: user.email, type: 'work', primary: true }],
    meta: {
      resourceType: 'User',
      created: user.createdAt.toISOString(),
      lastModified: user.updatedAt.toISOString(),
      location,
      version: userEtag(user.version),
    },
  };
}

export function stateOf(user: UserEntity): ScimUserState {
  return { userName: user.email, givenName: user.givenName, familyName: user.familyName, active: user.active, externalId: user.externalId, displayName: user.displayName };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Attribute names are case-insensitive in SCIM (RFC 7643 §2.1): OneLogin sends "name.GivenName",
 * Microsoft's test collection "Department". An exact match wins over a case-insensitive one.
 */
export function getAttribute(obj: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(obj, name)) return obj[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(obj)) {
    if (key.toLowerCase() === lower) return obj[key];
  }
  return undefined;
}

function cleanString(value: string, attribute: string): string {
  // PostgreSQL text cannot hold NUL; a client sending one gets a 400, not a 500.
  if (value.includes('\u0000')) throw ScimException.invalidValue(`${attribute} must not contain NUL characters`);
  return value.trim();
}

export function parseUserName(value: unknown): string {
  if (value === undefined || value === null) throw ScimException.invalidValue('userName is required');
  if (typeof value !== 'string') throw ScimException.invalidValue('userName must be a string (an email address)');
  const userName = cleanString(value, 'userName');
  if (!isEmailAddress(userName)) throw ScimException.invalidValue('userName must be an email address');
  return userName;
}

export function parseNamePart(value: unknown, attribute: 'name.givenName' | 'name.familyName'): string {
  if (value === undefined || value === null) throw ScimException.invalidValue(`${attribute} is required`);
  if (typeof value !== 'string') throw ScimException.invalidValue(`${attribute} must be a string`);
  const text = cleanString(value, attribute);
  if (text === '') throw ScimException.invalidValue(`${attribute} is required and must not be empty`);
  if (text.length > NAME_MAX) throw ScimException.invalidValue(`${attribute} must be at most ${NAME_MAX} characters`);
  return text;
}

/** Booleans also arrive as the strings "True"/"False" (Entra without aadOptscim062020). */
export function parseActive(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const v = value.trim().toLowerCase();
    if (v === 'true') return true;
    if (v === 'false') return false;
  }
  throw ScimException.invalidValue('active must be a boolean (true or false)');
}

/** null (or an empty string) unassigns externalId. */
export function parseExternalId(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') throw ScimException.invalidValue('externalId must be a string');
  const text = cleanString(value, 'externalId');
  if (text.length > EXTERNAL_ID_MAX) throw ScimException.invalidValue(`externalId must be at most ${EXTERNAL_ID_MAX} characters`);
  return text === '' ? null : text;
}

/** displayName as sent (trimmed); null (or an empty string) unassigns it: shown derived from the names again. */
export function parseDisplayName(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') throw ScimException.invalidValue('displayName must be a string');
  const text = cleanString(value, 'displayName');
  if (text.length > DISPLAY_NAME_MAX) throw ScimException.invalidValue(`displayName must be at most ${DISPLAY_NAME_MAX} characters`);
  return text === '' ? null : text;
}

/**
 * Reads a POST or PUT body. Read-only attributes (id, meta, emails), attributes the
 * schema lacks (password, groups, locale, enterprise extension…) and unknown schema URNs are
 * ignored; JSON null for an optional attribute unassigns it.
 */
export function readScimUserInput(body: unknown): ScimUserInput {
  if (!isPlainObject(body)) throw new ScimException(400, 'invalidSyntax', 'The request body must be a JSON object (a SCIM User resource)');
  const userName = parseUserName(getAttribute(body, 'userName'));
  const name = getAttribute(body, 'name');
  if (name === undefined || name === null) throw ScimException.invalidValue('name.givenName and name.familyName are required');
  if (!isPlainObject(name)) throw ScimException.invalidValue('name must be an object with givenName and familyName');
  const input: ScimUserInput = {
    userName,
    givenName: parseNamePart(getAttribute(name, 'givenName'), 'name.givenName'),
    familyName: parseNamePart(getAttribute(name, 'familyName'), 'name.familyName'),
  };
  const active = getAttribute(body, 'active');
  if (active !== undefined && active !== null) input.active = parseActive(active);
  const externalId = getAttribute(body, 'externalId');
  if (externalId !== undefined) input.externalId = parseExternalId(externalId);
  const displayName = getAttribute(body, 'displayName');
  if (displayName !== undefined) input.displayName = parseDisplayName(displayName);
  return input;
}
