import { describe, expect, it } from '@jest/globals';
import { parseScimGroupPatch } from './scim-group-patch.js';
import { ScimException } from './scim-exception.js';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const C = '33333333-3333-4333-8333-333333333333';
const op = (...Operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations });

function refusal(body: unknown): ScimException {
  try {
    parseScimGroupPatch(body);
  } catch (err) {
    if (err instanceof ScimException) return err;
    throw err;
  }
  throw new Error('not refused');
}

describe('Group PATCH shapes', () => {
  it('Entra: Add / Remove with many values, Replace displayName; consecutive adds become one change', () => {
    expect(
      parseScimGroupPatch(
        op(
          { op: 'Add', path: 'members', value: [{ $ref: null, value: A }, { value: B }] },
          { op: 'Add', path: 'members', value: [{ value: C }] },
          { op: 'Remove', path: 'members', value: [{ value: A }] },
          { op: 'Replace', path: 'displayName', value: ' Sales ' },
        ),
      ),
    ).toEqual({ displayName: 'Sales', memberships: [{ kind: 'add', userIds: [A, B, C] }, { kind: 'remove', userIds: [A] }] });
  });

  it('Entra aadOptscim062020: remove with members[value eq "id"] (several joined by or)', () => {
    expect(parseScimGroupPatch(op({ op: 'remove', path: `members[value eq "${A}"]` }, { op: 'remove', path: `members[value eq "${B}" or value eq "${C}"]` }))).toEqual({
      memberships: [{ kind: 'remove', userIds: [A, B, C] }],
    });
  });

  it('Okta: path-less replace {id, displayName}, replace members (empty empties), add with display', () => {
    expect(parseScimGroupPatch(op({ op: 'replace', value: { id: 'ignored', displayName: 'Eng', schemas: [] } }))).toEqual({ displayName: 'Eng', memberships: [] });
    expect(parseScimGroupPatch(op({ op: 'replace', path: 'members', value: [] }))).toEqual({ memberships: [{ kind: 'replace', userIds: [] }] });
    expect(parseScimGroupPatch(op({ op: 'add', path: 'members', value: [{ value: A.toUpperCase(), display: 'a' }] }))).toEqual({ memberships: [{ kind: 'add', userIds: [A] }] });
  });

  it('URN-qualified paths, externalId, remove of all members, ignored read-only and extension attributes', () => {
    expect(
      parseScimGroupPatch(
        op(
          { op: 'replace', path: 'urn:ietf:params:scim:schemas:core:2.0:Group:displayName', value: 'X' },
          { op: 'replace', path: 'externalId', value: 'e1' },
          { op: 'remove', path: 'members' },
          { op: 'replace', path: 'meta', value: {} },
          { op: 'replace', value: { 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group': { x: 1 } } },
        ),
      ),
    ).toEqual({ displayName: 'X', externalId: 'e1', memberships: [{ kind: 'replace', userIds: [] }] });
  });

  it('refuses what it cannot apply, naming the operation', () => {
    expect(refusal(op({ op: 'copy', path: 'members' }))).toMatchObject({ scimType: 'invalidSyntax', detail: 'Operation 1: op must be "add", "replace" or "remove"' });
    expect(refusal(op({ op: 'add', path: 'displayName', value: 'x' }, { op: 'remove', path: 'displayName' }))).toMatchObject({ scimType: 'invalidValue', detail: expect.stringMatching(/^Operation 2: /) });
    expect(refusal(op({ op: 'add', path: 'members', value: [{ value: 'bob' }] }))).toMatchObject({ scimType: 'invalidValue', detail: expect.stringContaining('"bob"') });
    expect(refusal(op({ op: 'add', path: `members[value eq "${A}"]`, value: [] }))).toMatchObject({ scimType: 'invalidPath' });
    expect(refusal(op({ op: 'remove', path: 'members[display eq "x"]' }))).toMatchObject({ scimType: 'invalidFilter' });
    expect(refusal(op({ op: 'add', path: 'members', value: Array.from({ length: 10_001 }, () => ({ value: A })) }))).toMatchObject({ scimType: 'invalidValue' });
    expect(refusal({ Operations: [] })).toMatchObject({ scimType: 'invalidSyntax' });
  });
});
