import { describe, expect, it } from '@jest/globals';
import { emailKeySql } from '../../users/email-key.js';
import { userCountSql, userCriteriaToSql, userSearchSql } from '../../users/user-criteria-sql.js';
import { USER_COLUMNS } from '../../users/user-row.js';

const EK = emailKeySql('u.email');
import { ScimException } from './scim-exception.js';
import { scimFilterToCriteria } from './scim-user-filter.js';

function sql(filter: string): { where: string; params: unknown[] } {
  const params: unknown[] = [];
  return { where: userCriteriaToSql(scimFilterToCriteria(filter), params), params };
}

describe('scimFilterToCriteria + userCriteriaToSql', () => {
  it('turns userName eq into the indexed email-key equality, the value keyed (ASCII letters only) as a parameter', () => {
    expect(sql('userName eq "Ada@Example.com"')).toEqual({ where: `${EK} = $1`, params: ['ada@example.com'] });
    expect(sql('userName eq "ADM\u0130N@\u212Acme.test"').params).toEqual(['adm\u0130n@\u212Acme.test']);
    expect(sql('UserName EQ "x"').where).toBe(`${EK} = $1`);
    expect(sql('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"').where).toBe(`${EK} = $1`);
  });

  it('never puts a value into the SQL text', () => {
    const hostile = `x' OR 1=1; DROP TABLE users; --`;
    for (const f of [`userName eq "${hostile}"`, `externalId co "${hostile}"`, `name.givenName sw "${hostile}"`]) {
      const { where, params } = sql(f);
      expect(where).not.toContain('DROP');
      expect(params).toContainEqual(expect.stringMatching(/DROP TABLE/i)); // the userName value is keyed (lowered A-Z)
    }
  });

  it('maps every supported attribute', () => {
    expect(sql('externalId eq "E1"')).toEqual({ where: 'u.external_id = $1', params: ['E1'] });
    expect(sql('id eq "2819c223-7f76-453a-919d-413861904646"')).toEqual({ where: 'u.id = $1::uuid', params: ['2819c223-7f76-453a-919d-413861904646'] });
    expect(sql('id eq "not-a-uuid"')).toEqual({ where: 'FALSE', params: [] });
    expect(sql('active eq false')).toEqual({ where: 'u.active = $1', params: [false] });
    expect(sql('name.givenName co "a%b_"')).toEqual({ where: "lower(u.given_name) LIKE '%' || lower($1) || '%'", params: ['a\\%b\\_'] });
    expect(sql('name.familyName sw "Lo"').where).toBe("lower(u.family_name) LIKE lower($1) || '%'");
    expect(sql('emails.value ew "@example.com"').where).toBe(`${EK} LIKE '%' || $1`);
    expect(sql('meta.created gt "2020-01-01T00:00:00Z"')).toEqual({ where: 'u.created_at > $1::timestamptz', params: [new Date('2020-01-01T00:00:00Z')] });
    expect(sql('meta.lastModified le "2030-01-01"').where).toBe('u.updated_at <= $1::timestamptz');
    expect(sql('externalId pr').where).toBe("(u.external_id IS NOT NULL AND u.external_id <> '')");
    expect(sql('userName ne "a"').where).toBe(`${EK} IS DISTINCT FROM $1`);
  });

  it('handles the emails forms Entra and its validator send', () => {
    expect(sql('emails[type eq "work"].value eq "a@b.c"')).toEqual({ where: `(TRUE AND ${EK} = $1)`, params: ['a@b.c'] });
    expect(sql('emails[type eq "home"].value eq "a@b.c"').where).toBe(`(FALSE AND ${EK} = $1)`);
    expect(sql('emails[type eq "work"]').where).toBe('TRUE');
    expect(sql('emails[value eq "a@b.c" and primary eq true]').where).toBe(`(${EK} = $1 AND TRUE)`);
    expect(sql('emails co "example.com"').where).toBe(`${EK} LIKE '%' || $1 || '%'`);
  });

  it('turns an OR of equalities on one attribute into one = ANY($n), so the column expression is computed once per row', () => {
    expect(sql('userName eq "A@x.test" or userName eq "b@x.test" or userName eq "a@x.test"')).toEqual({ where: `(${EK} = ANY($1::text[]))`, params: [['a@x.test', 'b@x.test']] });
    expect(sql('externalId eq "e1" or userName eq "a" or externalId eq "e2" or name.givenName eq "g"')).toEqual({
      where: `(u.external_id = ANY($1::text[]) OR ${EK} = $2 OR lower(u.given_name) = lower($3))`,
      params: [['e1', 'e2'], 'a', 'g'],
    });
    expect(sql('not (userName eq "a" or userName eq "b")').where).toBe(`NOT coalesce((${EK} = ANY($1::text[])), FALSE)`);
  });

  it('keeps and/or/not structure and precedence', () => {
    expect(sql('userName eq "a" and externalId eq "b"').where).toBe(`(${EK} = $1 AND u.external_id = $2)`);
    expect(sql('userName eq "a" or externalId eq "b" and active eq true').where).toBe(
      `(${EK} = $1 OR (u.external_id = $2 AND u.active = $3))`,
    );
    expect(sql('not (active eq true)').where).toBe('NOT coalesce(u.active = $1, FALSE)');
  });

  it.each([
    ['nickName eq "x"'],
    ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "1"'],
    ['name.formatted eq "x"'],
    ['name eq "x"'],
    ['name[givenName eq "x"].familyName eq "y"'],
    ['emails.display eq "x"'],
    ['meta.version eq "x"'],
    ['active gt true'],
    ['active eq "maybe"'],
    ['userName eq 42'],
    ['userName gt null'],
    ['meta.created co "2020"'],
    ['meta.created gt "yesterday"'],
    ['meta.created gt "2024-02-30T00:00:00Z"'],
    ['meta.lastModified lt "2023-13-01"'],
    ['meta.created gt "2024-01-01T24:00:00Z"'],
    ['userName eq "a\\u0000b"'],
    ['userName regex "x"'],
    ['userName eq'],
  ])('answers 400 invalidFilter for %s', (filter) => {
    let error: unknown;
    try {
      scimFilterToCriteria(filter);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScimException);
    expect((error as ScimException).getStatus()).toBe(400);
    expect((error as ScimException).scimType).toBe('invalidFilter');
  });

  it('builds the page query with the tenant first, users the IdP removed left out, and limit/offset as parameters', () => {
    const q = userSearchSql('t-1', scimFilterToCriteria('userName eq "a@b.c"'), 0, 100);
    expect(q.sql).toBe(
      `SELECT ${USER_COLUMNS} FROM users u WHERE u.tenant_id = $1 AND u.scim_removed_at IS NULL AND ${EK} = $2 ORDER BY u.created_at, u.id LIMIT $3 OFFSET $4`,
    );
    expect(q.params).toEqual(['t-1', 'a@b.c', 100, 0]);
  });

  it('starts a keyset page after (or, backward, before) a user, by primary key, with the filter kept', () => {
    const id = '00000000-0000-4000-8000-000000000001';
    const forward = userSearchSql('t-1', scimFilterToCriteria('active eq true'), 0, 10, { userId: id, backward: false });
    expect(forward.sql).toContain(
      'AND u.active = $2 AND (u.created_at, u.id) > (SELECT k.created_at, k.id FROM users k WHERE k.tenant_id = $1 AND k.id = $3::uuid) ORDER BY u.created_at, u.id LIMIT $4 OFFSET $5',
    );
    expect(forward.params).toEqual(['t-1', true, id, 10, 0]);
    const backward = userSearchSql('t-1', null, 0, 11, { userId: id, backward: true });
    expect(backward.sql).toContain(
      'WHERE u.tenant_id = $1 AND u.scim_removed_at IS NULL AND (u.created_at, u.id) < (SELECT k.created_at, k.id FROM users k WHERE k.tenant_id = $1 AND k.id = $2::uuid) ORDER BY u.created_at DESC, u.id DESC LIMIT $3 OFFSET $4',
    );
    expect(backward.params).toEqual(['t-1', id, 11, 0]);
  });

  it('counts with the list version of the same snapshot: members unfiltered, changes filtered', () => {
    const all = userCountSql('t-1', null);
    expect(all.sql.replace(/\s+/g, ' ')).toBe(
      'SELECT count(*)::int AS total, coalesce((SELECT v.members FROM user_list_versions v WHERE v.tenant_id = $1), 0)::float8 AS version FROM users u WHERE u.tenant_id = $1 AND u.scim_removed_at IS NULL',
    );
    const filtered = userCountSql('t-1', scimFilterToCriteria('displayName eq "A B"'));
    expect(filtered.sql).toContain('SELECT v.changes FROM user_list_versions');
    expect(filtered.sql).toContain("lower(coalesce(u.display_name, btrim(u.given_name || ' ' || u.family_name))) = lower($2)");
    expect(filtered.params).toEqual(['t-1', 'A B']);
  });
});
