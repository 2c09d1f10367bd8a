import { describe, expect, it } from '@jest/globals';
import type { GroupMember } from '../../groups/group.entity.js';
import { FULL_PROJECTION, parseScimProjection } from './scim-attributes.js';
import { groupsJson } from './scim-group-json.js';
import type { ScimGroupHead } from './scim-group.js';

const head = (id: string, displayName: string): ScimGroupHead => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
  id,
  displayName,
  meta: { resourceType: 'Group', created: 'c', lastModified: 'l', location: `loc/${id}`, version: 'W/"1"' },
});
const member = (groupId: string, userId: string): GroupMember => ({ groupId, userId, display: `name ${userId}` });

async function text(chunks: AsyncGenerator<string>): Promise<{ json: unknown; pieces: number }> {
  let all = '';
  let pieces = 0;
  for await (const chunk of chunks) {
    all += chunk;
    pieces += 1;
  }
  return { json: JSON.parse(`[${all}]`), pieces };
}

async function* chunks(...lists: GroupMember[][]): AsyncGenerator<GroupMember[]> {
  for (const list of lists) yield list;
}

describe('groupsJson (streamed Group resources)', () => {
  it('writes each group with its own members, merged from one (group, user)-ordered walk in chunks', async () => {
    const out = await text(
      groupsJson([head('a', 'A "quoted"'), head('b', 'B'), head('c', 'C')], FULL_PROJECTION, chunks([member('a', 'u1'), member('a', 'u2')], [member('a', 'u3'), member('c', 'u1')], [member('c', 'u2')]), 'base/Users'),
    );
    const members = (ids: string[]) => ids.map((u) => ({ value: u, display: `name ${u}`, $ref: `base/Users/${u}`, type: 'User' }));
    expect(out.json).toEqual([
      { ...head('a', 'A "quoted"'), members: members(['u1', 'u2', 'u3']) },
      { ...head('b', 'B'), members: [] },
      { ...head('c', 'C'), members: members(['u1', 'u2']) },
    ]);
    expect(Object.keys((out.json as object[])[0]!)).toEqual(['schemas', 'id', 'displayName', 'members', 'meta']);
    expect(out.pieces).toBeGreaterThan(6);
  });

  it('does not read members at all when the projection leaves them out', async () => {
    const untouchable = {
      [Symbol.asyncIterator]: () => {
        throw new Error('members were read');
      },
    } as AsyncIterable<GroupMember[]>;
    const out = await text(groupsJson([head('a', 'A')], parseScimProjection({ excludedAttributes: 'members' }), untouchable, 'base/Users'));
    expect(out.json).toEqual([head('a', 'A')]);
  });

  it('projects each member element', async () => {
    const out = await text(groupsJson([head('a', 'A')], parseScimProjection({ attributes: 'members.value' }), chunks([member('a', 'u1')]), 'base/Users'));
    expect(out.json).toEqual([{ schemas: head('a', 'A').schemas, id: 'a', members: [{ value: 'u1' }], meta: { resourceType: 'Group' } }]);
  });
});
