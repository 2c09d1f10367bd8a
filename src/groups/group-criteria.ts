/**
 * A storage-neutral condition on groups, built by callers that speak another query language (the
 * SCIM filter) and turned into parameterised SQL by the groups repository: every listed condition
 * must hold (a conjunction). Values never become SQL text.
 */
export interface GroupCriteria {
  /** displayName equal to each, by the ASCII-only case fold of the unique index. */
  displayNames: string[];
  externalIds: string[];
  ids: string[];
  /** The group has each of these users as a member. */
  memberIds: string[];
  /** Decided without the database: nothing matches (an id that is not a UUID, for example). */
  none: boolean;
}

export function emptyGroupCriteria(): GroupCriteria {
  return { displayNames: [], externalIds: [], ids: [], memberIds: [], none: false };
}

/** Where a keyset page starts: after (forward) or before (backward) a group, in the list order. */
export interface GroupKeyset {
  groupId: string;
  backward: boolean;
}
