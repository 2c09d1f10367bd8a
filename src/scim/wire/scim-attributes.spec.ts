import { describe, expect, it } from '@jest/globals';
import { FULL_PROJECTION, parseScimProjection, projectList, projectResource, projectionAsked } from './scim-attributes.js';
import { ScimException } from './scim-exception.js';

const USER = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  id: 'u1',
  externalId: 'x1',
  userName: 'ada@example.com',
  name: { givenName: 'Ada', familyName: 'Lovelace' },
  displayName: 'Ada Lovelace',
  active: true,
  emails: [{ value: 'ada@example.com', type: 'work', primary: true }],
  meta: { resourceType: 'User', created: 'c', lastModified: 'l', location: 'loc', version: 'W/"1"' },
};

const GROUP = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
  id: 'g1',
  displayName: 'Sales',
  members: [{ value: 'u1', display: 'Ada', $ref: 'r', type: 'User' }],
  meta: { resourceType: 'Group', created: 'c', lastModified: 'l', location: 'loc', version: 'W/"2"' },
};

const project = (resource: object, query: Record<string, string>) => projectResource(resource, parseScimProjection(query));

describe('attributes / excludedAttributes (RFC 7644 §3.4.2.5)', () => {
  it('returns everything when neither is given (the same object)', () => {
    expect(projectResource(USER, FULL_PROJECTION)).toBe(USER);
    expect(projectionAsked({})).toBe(false);
    expect(projectionAsked({ excludedAttributes: 'members' })).toBe(true);
  });

  it('attributes keeps the named ones plus id, schemas and meta.resourceType, in the resource order', () => {
    expect(project(USER, { attributes: 'userName,active' })).toEqual({ schemas: USER.schemas, id: 'u1', userName: 'ada@example.com', active: true, meta: { resourceType: 'User' } });
    expect(Object.keys(project(USER, { attributes: 'active,userName' }))).toEqual(['schemas', 'id', 'userName', 'active', 'meta']);
  });

  it('names are case-insensitive and may be URN-qualified; sub-attributes select parts of complex and multi-valued attributes', () => {
    expect(project(USER, { attributes: 'urn:ietf:params:scim:schemas:core:2.0:User:NAME.givenname, emails.value' })).toEqual({
      schemas: USER.schemas,
      id: 'u1',
      name: { givenName: 'Ada' },
      emails: [{ value: 'ada@example.com' }],
      meta: { resourceType: 'User' },
    });
    expect(project(GROUP, { attributes: 'members.value,meta.version' })).toEqual({
      schemas: GROUP.schemas,
      id: 'g1',
      members: [{ value: 'u1' }],
      meta: { resourceType: 'Group', version: 'W/"2"' },
    });
  });

  it('excludedAttributes drops the named ones and never id, schemas or meta.resourceType', () => {
    expect(project(GROUP, { excludedAttributes: 'members' })).toEqual({ schemas: GROUP.schemas, id: 'g1', displayName: 'Sales', meta: GROUP.meta });
    expect(project(GROUP, { excludedAttributes: 'id,schemas,meta' })).toEqual({ schemas: GROUP.schemas, id: 'g1', displayName: 'Sales', members: GROUP.members, meta: { resourceType: 'Group' } });
    expect(project(GROUP, { excludedAttributes: 'meta.resourceType,meta.location,members.$ref' })).toEqual({
      ...GROUP,
      members: [{ value: 'u1', display: 'Ada', type: 'User' }],
      meta: { resourceType: 'Group', created: 'c', lastModified: 'l', version: 'W/"2"' },
    });
  });

  it('both given: attributes first, then excludedAttributes', () => {
    expect(project(USER, { attributes: 'name,userName', excludedAttributes: 'name.familyName' })).toEqual({
      schemas: USER.schemas,
      id: 'u1',
      userName: 'ada@example.com',
      name: { givenName: 'Ada' },
      meta: { resourceType: 'User' },
    });
  });

  it('unknown names select nothing; extension URNs name the extension object; a bare core schema URN selects all', () => {
    expect(project(USER, { attributes: 'nickName' })).toEqual({ schemas: USER.schemas, id: 'u1', meta: { resourceType: 'User' } });
    const withExt = { ...USER, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'R&D', manager: 'm' } };
    expect(project(withExt, { attributes: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department' })).toEqual({
      schemas: USER.schemas,
      id: 'u1',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'R&D' },
      meta: { resourceType: 'User' },
    });
    expect(project(USER, { attributes: 'urn:ietf:params:scim:schemas:core:2.0:User' })).toEqual(USER);
  });

  it('projects every resource of a list and leaves the envelope', () => {
    const list = { schemas: ['x'], totalResults: 1, Resources: [GROUP] };
    expect(projectList(list, parseScimProjection({ attributes: 'displayName' }))).toEqual({ ...list, Resources: [{ schemas: GROUP.schemas, id: 'g1', displayName: 'Sales', meta: { resourceType: 'Group' } }] });
  });

  it('refuses malformed parameters with 400 invalidValue naming the parameter', () => {
    for (const query of [{ attributes: 'user name' }, { excludedAttributes: 'a..b' }, { attributes: ['a', 'b'] }, { attributes: 'x,'.repeat(101) }, { attributes: 'a'.repeat(5000) }]) {
      let error: unknown;
      try {
        parseScimProjection(query);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ScimException);
      expect((error as ScimException).scimType).toBe('invalidValue');
      expect((error as ScimException).detail).toMatch(/attributes|excludedAttributes/);
    }
  });
});
