import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { BENCH_BIG_GROUP, BENCH_PATCH_GROUPS, insertBenchGroups, sampleUserIds } from '../../src/tools/bench-groups.js';
import { insertBenchUsers } from '../../src/tools/bench-users.js';
import { createTenant } from '../factories/tenant.factory.js';
import { acsUrl, expectSignedIn, postAcs, setUpSaml } from '../factories/saml.factory.js';
import { signIn, type Session } from '../factories/session.factory.js';
import { generateTestCertificate, type TestCertificate } from '../utils/certificates.js';
import { buildIdpResponse } from '../utils/fake-idp.js';
import { PATCH_OP, ScimClient } from '../utils/scim-fixtures.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';

/** The benchmark measures the seed's users: they must be ordinary, valid users for every endpoint. */
describe('seed:bench users', () => {
  let t: TestApp;
  let slug: string;
  let tenantId: string;
  let admin: Session;
  let scim: ScimClient;
  let idp: TestCertificate;

  beforeAll(async () => {
    t = await startTestApp();
    const tenant = await createTenant(t);
    slug = tenant.slug;
    tenantId = tenant.id;
    admin = await signIn(t, slug, tenant.admin.email, tenant.admin.password);
    idp = generateTestCertificate({ cn: 'Bench IdP' });
    await setUpSaml(admin, idp.certPem);
    const enabled = await admin.put('settings/scim', { enabled: true });
    scim = new ScimClient(t, slug, enabled.body.scim.token as string);
    const dataSource = t.app.get<DataSource>(getDataSourceToken());
    expect(await insertBenchUsers(dataSource, tenantId, 300)).toBe(300);
    // Idempotent: a second run with a larger N adds only the missing users.
    expect(await insertBenchUsers(dataSource, tenantId, 310)).toBe(10);
  });
  afterAll(async () => {
    await t.close();
  });

  it('are found by SCIM userName (any case), read by id, listed and paged', async () => {
    const found = await scim.get(`Users?filter=${encodeURIComponent('userName eq "USER7@bench.test"')}`);
    expect(found.status).toBe(200);
    expect(found.body.totalResults).toBe(1);
    const user = found.body.Resources[0];
    expect(user).toMatchObject({ userName: 'user7@bench.test', name: { givenName: 'Given7', familyName: 'Family7' }, active: true, externalId: 'bench-7' });
    expect((await scim.get(`Users/${user.id}`)).body).toEqual(user);
    const deep = await scim.get('Users?startIndex=302&count=100');
    expect(deep.status).toBe(200);
    expect(deep.body.totalResults).toBe(311); // 310 seeded + the admin
    expect(deep.body.Resources).toHaveLength(10);
  });

  it('take SCIM writes: PATCH deactivation, PUT, and POST of new users beside them', async () => {
    const id = (await scim.get(`Users?filter=${encodeURIComponent('userName eq "user300@bench.test"')}`)).body.Resources[0].id as string;
    const off = await scim.patch(`Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    const put = await scim.put(`Users/${id}`, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'user300@bench.test', name: { givenName: 'G', familyName: 'F' }, active: true });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ active: true, name: { givenName: 'G', familyName: 'F' } });
    const post = await scim.post('Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'user400@bench.test', name: { givenName: 'N', familyName: 'U' } });
    expect(post.status).toBe(201);
    const dup = await scim.post('Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'user5@bench.test', name: { givenName: 'N', familyName: 'U' } });
    expect(dup.status).toBe(409);
  });

  it('get the groups of the group scenarios, idempotently, with consistent member counts', async () => {
    const dataSource = t.app.get<DataSource>(getDataSourceToken());
    const groups = await insertBenchGroups(dataSource, tenantId);
    expect(await insertBenchGroups(dataSource, tenantId)).toEqual(groups);
    expect(groups.patchTargets).toHaveLength(BENCH_PATCH_GROUPS);
    const big = await scim.get(`Groups?filter=${encodeURIComponent(`displayName eq "${BENCH_BIG_GROUP}"`)}&excludedAttributes=members`);
    expect(big.body.Resources).toEqual([expect.objectContaining({ id: groups.big, displayName: BENCH_BIG_GROUP })]);
    expect((await scim.get(`Groups/${groups.big}`)).body.members).toHaveLength(311); // every seeded SCIM user (310 + user400)
    expect((await scim.get(`Groups/${groups.small}`)).body.members).toHaveLength(10);
    const ids = await sampleUserIds(dataSource, tenantId, 50);
    expect(new Set(ids).size).toBe(50);
    const add = await scim.patch(`Groups/${groups.patchTargets[0]}`, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: ids.map((value) => ({ value })) }] });
    expect(add.status).toBe(204);
  });

  it('sign in by SAML and appear in the admin User List', async () => {
    const { base64 } = await buildIdpResponse({ preset: 'okta', key: idp.keyPem, cert: idp.certPem, acsUrl: acsUrl(slug), nameId: 'user42@bench.test' });
    expectSignedIn(await postAcs(t, slug, base64), `/t/${slug}/app`);
    const listed = await admin.get('users?search=user42@bench.test');
    expect(listed.body.items).toEqual([expect.objectContaining({ email: 'user42@bench.test', source: 'scim', licenses: [], lastLoginAt: expect.any(String) })]);
  });
});
