import { describe, expect, it } from '@jest/globals';
import { applyScimPatch } from './scim-patch.js';
import { ScimException } from './scim-exception.js';
import type { ScimUserState } from './scim-user.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const base: ScimUserState = { userName: 'ada@example.com', givenName: 'Ada', familyName: 'Lovelace', active: true, externalId: 'ext-1', displayName: null };
const patch = (...Operations: unknown[]) => applyScimPatch(base, { schemas: [PATCH_OP], Operations });

function failure(fn: () => unknown): ScimException {
  try {
    fn();
  } catch (e) {
    if (e instanceof ScimException) return e;
    throw e;
  }
  throw new Error('expected a ScimException');
}

describe('applyScimPatch', () => {
  it('applies Entra replace operations with paths and capitalised op names', () => {
    const r = patch(
      { op: 'Replace', path: 'name.givenName', value: 'Gtfd' },
      { op: 'Replace', path: 'name.familyName', value: 'Pkqf' },
      { op: 'Replace', path: 'externalId', value: 'Eqpj' },
      { op: 'Replace', path: 'userName', value: 'new@example.com' },
    );
    expect(r.state).toEqual({ userName: 'new@example.com', givenName: 'Gtfd', familyName: 'Pkqf', active: true, externalId: 'Eqpj', displayName: null });
    expect(r.changed.sort()).toEqual(['externalId', 'familyName', 'givenName', 'userName']);
  });

  it('accepts booleans as "True"/"False" strings and real booleans', () => {
    expect(patch({ op: 'Replace', path: 'active', value: 'False' }).state.active).toBe(false);
    expect(applyScimPatch({ ...base, active: false }, { Operations: [{ op: 'replace', path: 'active', value: 'True' }] }).state.active).toBe(true);
    expect(patch({ op: 'replace', path: 'active', value: false }).state.active).toBe(false);
    expect(patch({ op: 'ADD', path: 'active', value: 'false' }).state.active).toBe(false);
  });

  it('applies path-less value objects: plain, nested, dotted and URN-prefixed keys (Okta, Entra aadOptscim062020)', () => {
    expect(patch({ op: 'replace', value: { active: false } }).state.active).toBe(false);
    expect(patch({ op: 'replace', value: { 'name.givenName': 'A' } }).state.givenName).toBe('A');
    expect(patch({ op: 'replace', value: { name: { givenName: 'B' } } }).state).toMatchObject({ givenName: 'B', familyName: 'Lovelace' });
    expect(patch({ op: 'add', value: { 'urn:ietf:params:scim:schemas:core:2.0:User:name.familyName': 'C' } }).state.familyName).toBe('C');
    expect(patch({ op: 'replace', value: { 'urn:ietf:params:scim:schemas:core:2.0:User': { userName: 'x@example.com' } } }).state.userName).toBe('x@example.com');
    const entra = patch(
      { op: 'replace', path: 'emails[type eq "work"].value', value: 'TestMhvaes@test.microsoft.com' },
      {
        op: 'replace',
        value: {
          displayName: 'Bjfe',
          'name.givenName': 'Kkom',
          'name.familyName': 'Unua',
          'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber': 'Aklq',
        },
      },
    );
    expect(entra.state).toEqual({ ...base, givenName: 'Kkom', familyName: 'Unua', displayName: 'Bjfe' });
  });

  it('ignores read-only and unknown targets', () => {
    const r = patch(
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'other@example.com' },
      { op: 'replace', path: 'id', value: 'x' },
      { op: 'replace', path: 'meta.lastModified', value: 'x' },
      { op: 'Add', path: 'nickName', value: 'Babs' },
      { op: 'Replace', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber', value: 'Eqpj' },
      { op: 'remove', path: 'emails' },
      { op: 'replace', path: 'name.middleName', value: 'M' },
      { op: 'replace', value: { nickName: 'B', emails: [{ value: 'z@example.com' }], password: 'p', groups: [] } },
    );
    expect(r.state).toEqual(base);
    expect(r.changed).toEqual([]);
  });

  it('writes displayName by path, path-less and URN-prefixed; remove and null unassign it (derived again)', () => {
    expect(patch({ op: 'Replace', path: 'displayName', value: ' Someone Else ' })).toEqual({ state: { ...base, displayName: 'Someone Else' }, changed: ['displayName'] });
    expect(patch({ op: 'add', value: { DisplayName: 'D' } }).state.displayName).toBe('D');
    expect(patch({ op: 'replace', value: { 'urn:ietf:params:scim:schemas:core:2.0:User:displayName': 'U' } }).state.displayName).toBe('U');
    const named = { ...base, displayName: 'Named' };
    expect(applyScimPatch(named, { Operations: [{ op: 'remove', path: 'displayName' }] }).state.displayName).toBeNull();
    expect(applyScimPatch(named, { Operations: [{ op: 'replace', path: 'displayName', value: null }] }).state.displayName).toBeNull();
    expect(applyScimPatch(named, { Operations: [{ op: 'replace', value: { displayName: '' } }] }).state.displayName).toBeNull();
  });

  it('refuses a displayName over 400 characters, or not a string, naming it', () => {
    expect(patch({ op: 'replace', path: 'displayName', value: 'd'.repeat(400) }).state.displayName).toHaveLength(400);
    for (const value of ['d'.repeat(401), 42, { a: 1 }, 'nul\u0000']) {
      const e = failure(() => patch({ op: 'replace', path: 'displayName', value }));
      expect([e.getStatus(), e.scimType, e.detail]).toEqual([400, 'invalidValue', expect.stringMatching(/^Operation 1: displayName /)]);
    }
    expect(failure(() => patch({ op: 'replace', path: 'displayName[value eq "x"]', value: 'y' })).scimType).toBe('invalidPath');
  });

  it('takes JSON null and remove for the optional externalId', () => {
    expect(patch({ op: 'replace', path: 'externalId', value: null }).state.externalId).toBeNull();
    expect(patch({ op: 'remove', path: 'externalId' }).state.externalId).toBeNull();
    expect(patch({ op: 'replace', value: { externalId: null } }).state.externalId).toBeNull();
  });

  it('applies operations in order, each on the result of the previous one', () => {
    const r = patch({ op: 'replace', path: 'active', value: false }, { op: 'replace', path: 'active', value: true });
    expect(r.state.active).toBe(true);
    expect(r.changed).toEqual([]);
  });

  it.each([
    ['a body that is no object', [1, 2], 'invalidSyntax'],
    ['no Operations', { schemas: [PATCH_OP] }, 'invalidSyntax'],
    ['empty Operations', { Operations: [] }, 'invalidSyntax'],
    ['an unknown op', { Operations: [{ op: 'move', path: 'active', value: true }] }, 'invalidSyntax'],
    ['an op that is no object', { Operations: ['replace'] }, 'invalidSyntax'],
    ['remove without path', { Operations: [{ op: 'remove' }] }, 'noTarget'],
    ['a malformed path', { Operations: [{ op: 'replace', path: 'name..givenName', value: 'x' }] }, 'invalidPath'],
    ['a path that is no string', { Operations: [{ op: 'replace', path: 7, value: 'x' }] }, 'invalidPath'],
    ['a filter on a single-valued attribute', { Operations: [{ op: 'replace', path: 'userName[value eq "x"]', value: 'x' }] }, 'invalidPath'],
    ['userName that is no email', { Operations: [{ op: 'replace', path: 'userName', value: 'not-an-email' }] }, 'invalidValue'],
    ['userName null', { Operations: [{ op: 'replace', path: 'userName', value: null }] }, 'invalidValue'],
    ['removing userName', { Operations: [{ op: 'remove', path: 'userName' }] }, 'invalidValue'],
    ['removing name.givenName', { Operations: [{ op: 'remove', path: 'name.givenName' }] }, 'invalidValue'],
    ['removing name', { Operations: [{ op: 'remove', path: 'name' }] }, 'invalidValue'],
    ['an empty familyName', { Operations: [{ op: 'replace', path: 'name.familyName', value: '  ' }] }, 'invalidValue'],
    ['a givenName of the wrong type', { Operations: [{ op: 'replace', path: 'name.givenName', value: 42 }] }, 'invalidValue'],
    ['a 1 MB givenName', { Operations: [{ op: 'replace', path: 'name.givenName', value: 'x'.repeat(1_000_000) }] }, 'invalidValue'],
    ['a NUL in a name', { Operations: [{ op: 'replace', path: 'name.givenName', value: 'a\u0000b' }] }, 'invalidValue'],
    ['active that is no boolean', { Operations: [{ op: 'replace', path: 'active', value: 'yes' }] }, 'invalidValue'],
    ['active null', { Operations: [{ op: 'replace', path: 'active', value: null }] }, 'invalidValue'],
    ['removing active', { Operations: [{ op: 'remove', path: 'active' }] }, 'mutability'],
    ['a path-less value that is no object', { Operations: [{ op: 'replace', value: false }] }, 'invalidValue'],
    ['name that is no object', { Operations: [{ op: 'replace', path: 'name', value: 'Ada' }] }, 'invalidValue'],
  ])('answers 400 for %s', (_label, body, scimType) => {
    const e = failure(() => applyScimPatch(base, body));
    expect(e.getStatus()).toBe(400);
    expect(e.scimType).toBe(scimType);
    expect(e.detail.length).toBeGreaterThan(0);
  });

  it('is all or nothing: a failing later operation leaves the input untouched', () => {
    const input = { ...base };
    const e = failure(() =>
      applyScimPatch(input, { Operations: [{ op: 'replace', path: 'name.givenName', value: 'Changed' }, { op: 'replace', path: 'userName', value: 'bad' }] }),
    );
    expect(e.scimType).toBe('invalidValue');
    expect(e.detail).toMatch(/^Operation 2: /);
    expect(input).toEqual(base);
  });
});
