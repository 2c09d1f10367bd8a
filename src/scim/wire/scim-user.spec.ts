import { describe, expect, it } from '@jest/globals';
import { UserEntity } from '../../users/user.entity.js';
import { ScimException } from './scim-exception.js';
import { readScimUserInput, toScimUser } from './scim-user.js';

function user(overrides: Partial<UserEntity> = {}): UserEntity {
  return Object.assign(new UserEntity(), {
    tenantId: 't',
    id: '2819c223-7f76-453a-919d-413861904646',
    email: 'Ada@Example.com',
    givenName: 'Ada',
    familyName: 'Lovelace',
    active: true,
    role: 'system_admin',
    passwordHash: 'scrypt$secret',
    licenses: ['crm'],
    source: 'manual',
    externalId: null,
    createdAt: new Date('2026-01-02T03:04:05.000Z'),
    updatedAt: new Date('2026-02-03T04:05:06.000Z'),
    lastLoginAt: null,
    version: 7,
    displayName: null,
    scimRemovedAt: null,
    ...overrides,
  });
}

describe('toScimUser', () => {
  it('maps a stored user to the SCIM User resource, emails and displayName derived, nothing internal leaked', () => {
    expect(toScimUser(user(), 'https://id.example/scim/v2/acme/Users/2819c223-7f76-453a-919d-413861904646')).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      id: '2819c223-7f76-453a-919d-413861904646',
      userName: 'Ada@Example.com',
      name: { givenName: 'Ada', familyName: 'Lovelace' },
      displayName: 'Ada Lovelace',
      active: true,
      emails: [{ value: 'Ada@Example.com', type: 'work', primary: true }],
      meta: {
        resourceType: 'User',
        created: '2026-01-02T03:04:05.000Z',
        lastModified: '2026-02-03T04:05:06.000Z',
        location: 'https://id.example/scim/v2/acme/Users/2819c223-7f76-453a-919d-413861904646',
        version: 'W/"7"',
      },
    });
  });

  it('shows displayName as stored, derived from the names only when never sent', () => {
    expect(toScimUser(user({ displayName: 'The Countess' }), 'x').displayName).toBe('The Countess');
    expect(toScimUser(user({ displayName: null, givenName: 'A', familyName: 'B' }), 'x').displayName).toBe('A B');
  });

  it('includes externalId only when set', () => {
    expect(toScimUser(user({ externalId: 'E-1' }), 'x').externalId).toBe('E-1');
    expect(toScimUser(user(), 'x')).not.toHaveProperty('externalId');
  });
});

describe('readScimUserInput', () => {
  it('reads userName, names, active, externalId and displayName, case-insensitively, trimming, ignoring everything else', () => {
    expect(
      readScimUserInput({
        UserName: ' ada@example.com ',
        Name: { GivenName: ' Ada ', familyname: 'Lovelace', middleName: 'x' },
        ACTIVE: 'False',
        externalId: 'E',
        id: 'ignored',
        password: 'ignored',
        groups: [],
        emails: [{ value: 'other@example.com' }],
        DisplayName: ' Countess ',
      }),
    ).toEqual({ userName: 'ada@example.com', givenName: 'Ada', familyName: 'Lovelace', active: false, externalId: 'E', displayName: 'Countess' });
  });

  it('leaves optional attributes undefined when absent, null externalId when null, active ignored when null', () => {
    expect(readScimUserInput({ userName: 'a@b.co', name: { givenName: 'A', familyName: 'B' }, active: null })).toEqual({ userName: 'a@b.co', givenName: 'A', familyName: 'B' });
    expect(readScimUserInput({ userName: 'a@b.co', name: { givenName: 'A', familyName: 'B' }, externalId: null }).externalId).toBeNull();
    expect(readScimUserInput({ userName: 'a@b.co', name: { givenName: 'A', familyName: 'B' }, externalId: '' }).externalId).toBeNull();
    expect(readScimUserInput({ userName: 'a@b.co', name: { givenName: 'A', familyName: 'B' }, displayName: null }).displayName).toBeNull();
  });

  it.each([
    [null, 'invalidSyntax'],
    [[], 'invalidSyntax'],
    ['x', 'invalidSyntax'],
    [{ name: { givenName: 'A', familyName: 'B' } }, 'invalidValue'],
    [{ userName: 'nope', name: { givenName: 'A', familyName: 'B' } }, 'invalidValue'],
    [{ userName: 'a@b.co' }, 'invalidValue'],
    [{ userName: 'a@b.co', name: { givenName: 'A' } }, 'invalidValue'],
    [{ userName: 'a@b.co', name: { givenName: 'A', familyName: 'B' }, active: 1 }, 'invalidValue'],
    [{ userName: 'a@b.co', name: { givenName: 'A', familyName: 'B' }, externalId: {} }, 'invalidValue'],
    [{ userName: 'a@b.co', name: { givenName: 'A', familyName: 'B' }, displayName: 'd'.repeat(401) }, 'invalidValue'],
    [{ userName: 'a@b.co', name: { givenName: 'A', familyName: 'B' }, displayName: ['D'] }, 'invalidValue'],
  ])('refuses %j with 400 %s', (body, scimType) => {
    let error: unknown;
    try {
      readScimUserInput(body);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScimException);
    expect((error as ScimException).getStatus()).toBe(400);
    expect((error as ScimException).scimType).toBe(scimType);
  });
});
