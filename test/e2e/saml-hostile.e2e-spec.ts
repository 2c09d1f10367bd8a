import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { DOMParser } from '@xmldom/xmldom';
import { acsUrl, createSamlTenant, expectRefused, expectSignedIn, lastSamlAudit, postAcs } from '../factories/saml.factory.js';
import type { TenantFixture } from '../factories/tenant.factory.js';
import { generateTestCertificate, type TestCertificate } from '../utils/certificates.js';
import { buildIdpResponse, type IdpResponseOptions } from '../utils/fake-idp.js';
import { queryDatabase } from '../utils/test-database.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';
import { inResponseExtensions, nestedNamespaceDeclarations } from '../utils/xml-attacks.js';
import { SamlResponseValidator } from '../../src/saml/saml-response.validator.js';

const ALICE = 'alice@acme.test';
const MIN = 60_000;
const GROUPS = 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups';

/** Hostile input at the ACS (issue 9): XML cost, assertion age and expiry, weak keys. */
describe('SAML ACS against hostile input', () => {
  let t: TestApp;
  let tenant: TenantFixture;
  let idp: TestCertificate;
  let acs: string;
  const entra = (o: Partial<IdpResponseOptions> = {}) => buildIdpResponse({ preset: 'entra', key: idp.keyPem, cert: idp.certPem, acsUrl: acs, nameId: ALICE, ...o });
  const okta = (o: Partial<IdpResponseOptions> = {}) => buildIdpResponse({ preset: 'okta', key: idp.keyPem, cert: idp.certPem, acsUrl: acs, nameId: ALICE, ...o });
  const post = (base64: string) => postAcs(t, tenant.slug, base64);
  const home = () => `/t/${tenant.slug}/app`;

  beforeAll(async () => {
    t = await startTestApp();
    idp = generateTestCertificate({ cn: 'Fake IdP' });
    ({ tenant, acs } = await createSamlTenant(t, idp.certPem, ALICE));
  });
  afterAll(async () => {
    await t.close();
  });

  describe('XML cost (finding 1)', () => {
    it('refuses nested namespace declarations outside the signed assertion before any DOM is built, naming the limit', async () => {
      // A genuinely signed response; the attack rides in samlp:Extensions, which the assertion signature does not cover.
      const r = await entra({ afterSign: (xml) => inResponseExtensions(xml, nestedNamespaceDeclarations(3000)) });
      const parse = jest.spyOn(DOMParser.prototype, 'parseFromString');
      try {
        const res = await post(r.base64);
        expectRefused(res, 400, 'too complex to be read: more than 24 namespace declarations in scope at one element');
        expect(parse).not.toHaveBeenCalled();
      } finally {
        parse.mockRestore();
      }
      expect(await lastSamlAudit(t, tenant.id)).toMatchObject({ outcome: 'failure', reason: 'SAMLResponse XML over a limit: more than 24 namespace declarations in scope at one element' });
    });

    it('accepts an Entra response with 150 group claims and an Okta one with 300 groups (xs/xsi declared on every value)', async () => {
      const groups = Array.from({ length: 150 }, (_, i) => `${String(i).padStart(8, '0')}-1111-2222-3333-444444444444`);
      const big = await entra({ attributes: { 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress': ALICE, [GROUPS]: groups } });
      expect(big.xml.length).toBeGreaterThan(9_000);
      expectSignedIn(await post(big.base64), home());
      const oktaGroups = Array.from({ length: 300 }, (_, i) => `Okta Group ${i}`);
      expectSignedIn(await post((await okta({ attributes: { email: ALICE, groups: oktaGroups } })).base64), home());
    });

    it('parses the response as often with four stored certificates as with one (xml-crypto gets only the signer)', async () => {
      const others = [1, 2, 3].map(() => generateTestCertificate({ cn: 'Rolled-over IdP key' }).certPem);
      const fullParses = async (slug: string, r: { base64: string; xml: string }) => {
        const parse = jest.spyOn(DOMParser.prototype, 'parseFromString');
        try {
          expectSignedIn(await postAcs(t, slug, r.base64), `/t/${slug}/app`);
          return parse.mock.calls.filter(([source]) => String(source).length > r.xml.length / 2).length;
        } finally {
          parse.mockRestore();
        }
      };
      // The signer last: every other one would be tried first.
      const { tenant: four } = await createSamlTenant(t, [...others, idp.certPem], ALICE);
      const build = (slug: string) => buildIdpResponse({ preset: 'entra', key: idp.keyPem, cert: idp.certPem, acsUrl: acsUrl(slug), nameId: ALICE });
      const withOne = await fullParses(tenant.slug, await build(tenant.slug));
      const withFour = await fullParses(four.slug, await build(four.slug));
      expect(withFour).toBe(withOne);
      expect(withOne).toBeLessThanOrEqual(3);
      // A signature no stored certificate verifies stops before node-saml.
      const stranger = generateTestCertificate({ cn: 'Fake IdP' });
      const forged = await buildIdpResponse({ preset: 'entra', key: stranger.keyPem, cert: stranger.certPem, acsUrl: acsUrl(four.slug), nameId: ALICE });
      expectRefused(await postAcs(t, four.slug, forged.base64), 403, 'signature does not verify');
      expect((await lastSamlAudit(t, four.id)).reason).toMatch(/^Invalid signature: it does not verify with any of the 4 uploaded certificate/);
    });
  });

  describe('assertion age and expiry (finding 7, contract v2 section 3)', () => {
    it('refuses the year-old assertion with attribute-less Conditions and an empty SubjectConfirmationData', async () => {
      const yearAgo = new Date(Date.now() - 365 * 24 * 60 * MIN);
      const r = await entra({ issueInstant: yearAgo, notBefore: null, notOnOrAfter: null, subjectNotOnOrAfter: null, recipient: null });
      expect(r.xml).toContain('<Conditions><AudienceRestriction>');
      expect(r.xml).toContain('<SubjectConfirmationData/>');
      const res = await post(r.base64);
      expectRefused(res, 403, 'carries no expiry (NotOnOrAfter)');
      expect((await lastSamlAudit(t, tenant.id)).reason).toBe('the assertion has no expiry: neither Conditions nor SubjectConfirmationData carries NotOnOrAfter');
    });

    it('refuses an IssueInstant older than SAML_MAX_ASSERTION_AGE_SECONDS (300 s) or in the future, both beyond the skew', async () => {
      const old = await entra({ issueInstant: new Date(Date.now() - 6 * MIN - 30_000) });
      expectRefused(await post(old.base64), 403, 'issued too long ago');
      expect((await lastSamlAudit(t, tenant.id)).reason).toMatch(/^assertion IssueInstant \S+ is 39\d s old, over SAML_MAX_ASSERTION_AGE_SECONDS=300 \(clock skew 60 s\)$/);
      const future = await entra({ issueInstant: new Date(Date.now() + 2 * MIN) });
      expectRefused(await post(future.base64), 403, 'issued too long ago (or its issue time is in the future)');
      expect((await lastSamlAudit(t, tenant.id)).reason).toMatch(/is in the future \(clock skew 60 s\)$/);
      // Within the skew both ways: accepted.
      expectSignedIn(await post((await entra({ issueInstant: new Date(Date.now() - 5 * MIN - 30_000) })).base64), home());
      expectSignedIn(await post((await entra({ issueInstant: new Date(Date.now() + 30_000) })).base64), home());
    });

    it('keeps the replay record as long as the assertion could be accepted, and no longer: once purgeable, the same response is refused', async () => {
      const validator = t.app.get(SamlResponseValidator);
      const trust = { acsUrl: acs, certificates: [idp.certPem], idpEntityId: null, spKeys: [] };
      const now = Date.now();
      // Both time rules must hold, so the earlier deadline ends acceptance: a 30 s NotOnOrAfter ends
      // it at 30 s (+ skew), a year-long one at IssueInstant + SAML_MAX_ASSERTION_AGE_SECONDS (+ skew).
      const short = await okta({ notOnOrAfter: new Date(now + 30_000), subjectNotOnOrAfter: new Date(now + 30_000) });
      const long = await okta({ notOnOrAfter: new Date(now + 365 * 86_400_000), subjectNotOnOrAfter: new Date(now + 365 * 86_400_000) });
      for (const [r, keptFor] of [[short, 30_000 + 60_000], [long, 300_000 + 60_000]] as const) {
        expectSignedIn(await post(r.base64), home());
        const [row] = await queryDatabase<{ expires_at: Date }>(t.db, 'SELECT expires_at FROM saml_assertion_ids WHERE tenant_id = $1 AND assertion_id = $2', [tenant.id, r.assertionId]);
        expect(row!.expires_at.getTime()).toBeGreaterThanOrEqual(now + keptFor - 5_000);
        expect(row!.expires_at.getTime()).toBeLessThanOrEqual(Date.now() + keptFor + 5_000);
        // At the first instant the purge may drop the record, the time rules refuse the response.
        await expect(validator.validate(r.base64, trust, row!.expires_at.getTime())).rejects.toMatchObject({
          reason: expect.stringMatching(/over SAML_MAX_ASSERTION_AGE_SECONDS|NotOnOrAfter .* is past|expired/),
        });
      }
    });
  });

  describe('ACS throttle per client address (finding 5)', () => {
    it('answers 429 with Retry-After after SAML_ACS_FAILURES_PER_ADDRESS refusals; successes do not count; throttled posts are not audited', async () => {
      const limited = await startTestApp({ SAML_ACS_FAILURES_PER_ADDRESS: '3' }, t.db);
      try {
        const { tenant: tt } = await createSamlTenant(limited, idp.certPem, ALICE);
        const build = (o: Partial<IdpResponseOptions> = {}) => buildIdpResponse({ preset: 'okta', key: idp.keyPem, cert: idp.certPem, acsUrl: acsUrl(tt.slug), nameId: ALICE, ...o });
        for (let i = 0; i < 4; i++) expectSignedIn(await postAcs(limited, tt.slug, (await build()).base64), `/t/${tt.slug}/app`);
        for (let i = 0; i < 3; i++) expectRefused(await postAcs(limited, tt.slug, (await build({ nameId: 'nobody@acme.test' })).base64), 403, 'No account for nobody@acme.test');
        const res = await postAcs(limited, tt.slug, (await build()).base64); // even a good response, from this address
        expectRefused(res, 429, 'Too many failed sign-in attempts');
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
        // The three refusals were audited (identical ones coalesce into one row with a count); the 429 was not.
        const failures = await queryDatabase<{ n: number }>(t.db, "SELECT coalesce(sum(count), 0)::int AS n FROM audit_events WHERE tenant_id = $1 AND kind = 'saml_login' AND outcome = 'failure'", [tt.id]);
        expect(failures[0]!.n).toBe(3);
        expect(limited.logs.some((l) => l.includes('SAML sign-in throttled'))).toBe(true);
      } finally {
        await limited.close();
      }
    });
    it('lets a burst of simultaneous good sign-ins from one address past the limit, and writes no counter for them', async () => {
      const limited = await startTestApp({ SAML_ACS_FAILURES_PER_ADDRESS: '3' }, t.db);
      try {
        const { tenant: tt } = await createSamlTenant(limited, idp.certPem, ALICE);
        const responses = await Promise.all(
          Array.from({ length: 10 }, () => buildIdpResponse({ preset: 'entra', key: idp.keyPem, cert: idp.certPem, acsUrl: acsUrl(tt.slug), nameId: ALICE })),
        );
        // One office behind one address at 9:00: none of them failed, so none counts against it.
        const results = await Promise.all(responses.map((r) => postAcs(limited, tt.slug, r.base64)));
        for (const res of results) expectSignedIn(res, `/t/${tt.slug}/app`);
        const counters = await queryDatabase<{ key: string }>(t.db, "SELECT key FROM login_throttle WHERE tenant_id = $1 AND key LIKE 'saml-ip:%'", [tt.id]);
        expect(counters).toEqual([]);
      } finally {
        await limited.close();
      }
    });

    it('once the address has a refusal, counts each post before reading it: parallel posts cannot slip under the limit', async () => {
      const limited = await startTestApp({ SAML_ACS_FAILURES_PER_ADDRESS: '3' }, t.db);
      try {
        const { tenant: tt } = await createSamlTenant(limited, idp.certPem, ALICE);
        const bad = () => buildIdpResponse({ preset: 'okta', key: idp.keyPem, cert: idp.certPem, acsUrl: acsUrl(tt.slug), nameId: 'nobody@acme.test' });
        expectRefused(await postAcs(limited, tt.slug, (await bad()).base64), 403, 'No account for nobody@acme.test');
        const burst = await Promise.all(Array.from({ length: 6 }, bad));
        const results = await Promise.all(burst.map((r) => postAcs(limited, tt.slug, r.base64)));
        // One refusal counted, three allowed: two more are read and refused, the other four never are.
        expect(results.map((r) => r.status).sort()).toEqual([403, 403, 429, 429, 429, 429]);
        for (const res of results.filter((r) => r.status === 429)) expectRefused(res, 429, 'Too many failed sign-in attempts');
        // The counter holds the limit at least (a post refused by the first read adds nothing, one
        // refused by its reservation adds one: how many of each depends on timing), so the address
        // stays blocked, even for a good response.
        const [counter] = await queryDatabase<{ failures: number }>(t.db, "SELECT failures FROM login_throttle WHERE tenant_id = $1 AND key LIKE 'saml-ip:%'", [tt.id]);
        expect(counter!.failures).toBeGreaterThanOrEqual(3);
        expect(counter!.failures).toBeLessThanOrEqual(7);
        const good = await buildIdpResponse({ preset: 'okta', key: idp.keyPem, cert: idp.certPem, acsUrl: acsUrl(tt.slug), nameId: ALICE });
        expectRefused(await postAcs(limited, tt.slug, good.base64), 429, 'Too many failed sign-in attempts');
      } finally {
        await limited.close();
      }
    });
  });

  describe('weak IdP keys (finding 9)', () => {
    it('no longer verifies with a stored certificate whose key is under 2048 bits', async () => {
      const weak = generateTestCertificate({ cn: 'Old IdP', modulusLength: 1024 });
      const { tenant: legacy } = await createSamlTenant(t, idp.certPem, ALICE);
      // Stored before the upload refused such keys.
      await queryDatabase(t.db, `UPDATE tenant_security_settings SET saml_certificates = $2::jsonb WHERE tenant_id = $1`, [legacy.id, JSON.stringify([{ pem: weak.certPem }])]);
      const r = await buildIdpResponse({ preset: 'entra', key: weak.keyPem, cert: weak.certPem, acsUrl: acsUrl(legacy.slug), nameId: ALICE });
      expectRefused(await postAcs(t, legacy.slug, r.base64), 403, 'signed with a key shorter than 2048 bits');
      expect((await lastSamlAudit(t, legacy.id)).reason).toMatch(/^signed by uploaded certificate [0-9A-F:]+, but its RSA key is 1024 bits; at least 2048 bits are required$/);
    });
  });
});
