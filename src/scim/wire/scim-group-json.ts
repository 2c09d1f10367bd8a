import type { GroupMember } from '../../groups/group.entity.js';
import { attributeProjection, projectResource, returnedWhole, type ScimProjection } from './scim-attributes.js';
import { toScimMember, type ScimGroupHead } from './scim-group.js';

/** Stands where `members` goes while the rest of the resource is serialised; NUL never occurs in stored text. */
const MEMBERS_MARK = '\u0000latchkey-members\u0000';
const MEMBERS_MARK_JSON = JSON.stringify(MEMBERS_MARK);

/**
 * Group resources as JSON text, written piece by piece: everything but `members` is serialised
 * (and projected) at once, the members are written as their chunks arrive from the database. A
 * 100,000-member group is therefore never held as one array, nor as one string.
 *
 * `heads` are the groups in id order; `members` yields the members of all of them in (group id,
 * user id) order (one keyset walk for a whole list page), or is null when the projection leaves
 * members out (then the database is not asked for them at all).
 */
export async function* groupsJson(
  heads: readonly ScimGroupHead[],
  projection: ScimProjection,
  members: AsyncIterable<GroupMember[]> | null,
  usersBase: string,
): AsyncGenerator<string> {
  const element = attributeProjection(projection, 'members');
  // Members returned whole (the usual read) are written from a template: ids are UUIDs from the
  // database and need no escaping; the display name is escaped by JSON.stringify.
  const memberJson = returnedWhole(projection, 'members')
    ? (m: GroupMember) => `{"value":"${m.userId}","display":${JSON.stringify(m.display)},"$ref":"${usersBase}/${m.userId}","type":"User"}`
    : (m: GroupMember) => JSON.stringify(element!(toScimMember(m, usersBase)));
  const source = members && element ? members[Symbol.asyncIterator]() : null;
  let pending: GroupMember[] = [];
  let done = source === null;
  for (const [index, head] of heads.entries()) {
    const separator = index === 0 ? '' : ',';
    if (!element) {
      yield separator + JSON.stringify(projectResource(head, projection));
      continue;
    }
    const [before, after] = JSON.stringify(projectResource(withMembersMark(head), projection)).split(MEMBERS_MARK_JSON) as [string, string];
    yield `${separator}${before}[`;
    let first = true;
    for (;;) {
      // Skip what belongs to earlier groups (none, in id order), write this group's, stop at the next group's.
      while (pending.length > 0 && pending[0]!.groupId < head.id) pending.shift();
      const mine = pending.findIndex((m) => m.groupId !== head.id);
      const take = mine === -1 ? pending : pending.slice(0, mine);
      if (take.length > 0) {
        yield (first ? '' : ',') + take.map(memberJson).join(',');
        first = false;
      }
      pending = mine === -1 ? [] : pending.slice(mine);
      if (pending.length > 0 || done) break;
      const next = await source!.next();
      if (next.done) done = true;
      else pending = next.value;
    }
    yield `]${after}`;
  }
}

/** The head with `members` in its place (after displayName, before meta), to be filled in by the writer. */
function withMembersMark(head: ScimGroupHead): Record<string, unknown> {
  const { meta, ...rest } = head;
  return { ...rest, members: MEMBERS_MARK, meta };
}
