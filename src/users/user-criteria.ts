/**
 * A storage-neutral condition on users, built by callers that speak another query language (the
 * SCIM filter) and turned into parameterised SQL by the users repository. Values never become SQL
 * text.
 */
export type UserTextField = 'email' | 'externalId' | 'id' | 'givenName' | 'familyName' | 'displayName';
export type UserTimeField = 'createdAt' | 'updatedAt';
export type UserField = UserTextField | UserTimeField | 'active';

export type UserTextOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type UserOrderOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

export type UserCriteria =
  /** Text comparison; caseInsensitive compares email by its key (email-key.ts), other text by lower(). null value: eq = unassigned, ne = assigned. */
  | { kind: 'text'; field: UserTextField; op: UserTextOp; value: string | null; caseInsensitive: boolean }
  | { kind: 'time'; field: UserTimeField; op: UserOrderOp; value: Date }
  | { kind: 'bool'; field: 'active'; op: 'eq' | 'ne'; value: boolean }
  /** The attribute has a non-empty value. */
  | { kind: 'present'; field: UserField }
  | { kind: 'and' | 'or'; items: UserCriteria[] }
  | { kind: 'not'; item: UserCriteria }
  /** Decided without looking at the row (for example a filter on a constant such as emails.type). */
  | { kind: 'const'; value: boolean };
