import { describe, expect, it } from '@jest/globals';
import { scimFilterToGroupCriteria } from './scim-group-filter.js';

const A = '11111111-1111-4111-8111-111111111111';

describe('Group filters', () => {
  it('maps displayName, externalId, id and membership equalities joined by and', () => {
    expect(scimFilterToGroupCriteria(`displayName eq "Sales" and externalId eq "e" and id eq "${A.toUpperCase()}" and members[value eq "${A}"] and members.value eq "${A}"`)).toEqual({
      displayNames: ['Sales'],
      externalIds: ['e'],
      ids: [A],
      memberIds: [A, A],
      none: false,
    });
    expect(scimFilterToGroupCriteria('urn:ietf:params:scim:schemas:core:2.0:Group:DISPLAYNAME EQ "x"').displayNames).toEqual(['x']);
  });

  it('an id or member value that is no UUID matches nothing', () => {
    expect(scimFilterToGroupCriteria('id eq "x"').none).toBe(true);
    expect(scimFilterToGroupCriteria('members.value eq "x"').none).toBe(true);
  });

  it('refuses other operators, or, not, other attributes with 400 invalidFilter', () => {
    for (const filter of ['displayName sw "a"', 'displayName eq "a" or id eq "b"', 'not (displayName eq "a")', 'members.display eq "a"', 'meta.created gt "2020-01-01"', 'displayName eq 1', 'displayName pr']) {
      expect(() => scimFilterToGroupCriteria(filter)).toThrow(expect.objectContaining({ scimType: 'invalidFilter' }));
    }
  });
});
