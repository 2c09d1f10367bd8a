import { X509Certificate } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { HousekeepingService } from '../../src/housekeeping/housekeeping.service.js';
import { MetadataFetcher } from '../../src/saml/metadata-fetcher.js';
import { acsUrl, expectRefused, expectSignedIn, postAcs } from '../factories/saml.factory.js';
import { createUser, signIn, type Session } from '../factories/session.factory.js';
import { createTenant, type TenantFixture } from '../factories/tenant.factory.js';
import { entraFederationMetadata } from '../fixtures/saml/idp-metadata.js';
import { generateTestCertificate, type TestCertificate } from '../utils/certificates.js';
import { buildIdpResponse, PRESETS } from '../utils/fake-idp.js';
import { MetadataServer } from '../utils/metadata-server.js';
import { nestedNamespaceDeclarations } from '../utils/xml-attacks.js';
import { queryDatabase } from '../utils/test-database.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';

const ENTRA_ID = PRESETS.entra.idpEntityId;
const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;
const metadata = (...certs: TestCertificate[]) => entraFederationMetadata({ entityId: ENTRA_ID, signing: certs.map((c) => c.certPem) });
const REFRESH_HOURS = 12;

interface SamlView {
  certificates: { sha256Fingerprint: string }[];
  idpEntityId: string | null;
  metadataUrl: string | null;
  metadataRefreshedAt: string | null;
  metadataError: string | null;
}

interface AuditRow {
  action: string;
  actor: string | null;
  outcome: string;
  reason: string | null;
  details: Record<string, unknown> | null;
}

describe('SAML metadata URL: fetched on save, on demand and on a schedule; certificate rollover', () => {
  let t: TestApp;
  let idp: MetadataServer;
  let tenant: TenantFixture;
  let admin: Session;
  let oldKey: TestCertificate;
  let newKey: TestCertificate;
  const alice = 'alice@acme.test';

  beforeAll(async () => {
    t = await startTestApp();
    idp = await MetadataServer.start();
    oldKey = generateTestCertificate({ cn: 'Microsoft Azure Federated SSO Certificate' });
    newKey = generateTestCertificate({ cn: 'Microsoft Azure Federated SSO Certificate (rolled)' });
    tenant = await createTenant(t);
    admin = await signIn(t, tenant.slug, tenant.admin.email, tenant.admin.password);
    await createUser(admin, { email: alice });
  });
  afterAll(async () => {
    await idp?.close();
    await t?.close();
  });
  afterEach(() => {
    t.app.get(MetadataFetcher).limits.timeoutMs = 10_000;
  });

  const saml = async (): Promise<SamlView> => {
    const res = await admin.get('settings/security');
    expect(res.status).toBe(200);
    return res.body.saml as SamlView;
  };
  const fingerprints = (view: SamlView) => view.certificates.map((c) => c.sha256Fingerprint);
  const signInWith = async (key: TestCertificate) => {
    const response = await buildIdpResponse({ key: key.keyPem, cert: key.certPem, acsUrl: acsUrl(tenant.slug), nameId: alice });
    return postAcs(t, tenant.slug, response.base64);
  };
  const audits = (since: Date) =>
    queryDatabase<AuditRow>(
      t.db,
      "SELECT action, actor, outcome, reason, details FROM audit_events WHERE tenant_id = $1 AND kind = 'settings' AND action LIKE 'saml.metadata%' AND coalesce(last_at, at) >= $2 ORDER BY id",
      [tenant.id, since],
    );
  const refresh = () => admin.post('settings/saml/metadata/refresh');
  // The database's clock, which stamps audit rows: a window opened by it never takes in the rows
  // of a test that ran a moment before (a window of "now minus a second" did, on a fast machine).
  const dbNow = async () => (await queryDatabase<{ now: Date }>(t.db, 'SELECT clock_timestamp() AS now'))[0]!.now;

  it('PUT saves the URL and fetches it at once: the certificates become the metadata\'s, with its entity ID', async () => {
    idp.reset(metadata(oldKey));
    const since = await dbNow();
    const res = await admin.put('settings/saml', { enabled: true, metadataUrl: idp.url() });
    expect(res.status).toBe(200);
    expect(res.body.saml).toMatchObject({ enabled: true, metadataUrl: idp.url(), metadataError: null, idpEntityId: ENTRA_ID });
    // The fetched metadata's HTTP-Redirect SingleSignOnService becomes the IdP SSO URL (SP-initiated sign-on).
    expect(res.body.saml.idpSsoUrl).toBe('https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/saml2');
    expect(fingerprints(res.body.saml)).toEqual([fingerprint(oldKey.certPem)]);
    expect(Date.now() - Date.parse(res.body.saml.metadataRefreshedAt)).toBeLessThan(30_000);
    expect(idp.requests).toEqual(['/federationmetadata.xml']);
    const rows = await audits(since);
    expect(rows).toEqual([
      expect.objectContaining({ action: 'saml.metadata_refresh', actor: tenant.admin.email, outcome: 'success', details: expect.objectContaining({ trigger: 'save', addedSha256Fingerprints: [fingerprint(oldKey.certPem)], droppedSha256Fingerprints: [] }) }),
      expect.objectContaining({ action: 'saml.metadata_url', outcome: 'success', details: { before: null, after: idp.url() } }),
    ]);
    expectSignedIn(await signInWith(oldKey), `/t/${tenant.slug}/app`);
  });

  it('saving the same URL again fetches nothing (Refresh now does)', async () => {
    idp.reset();
    const res = await admin.put('settings/saml', { metadataUrl: idp.url(), enforceLogin: false });
    expect(res.status).toBe(200);
    expect(idp.requests).toEqual([]);
  });

  it('rollover: a rolled key signs in right after the refresh that adds it, the old one until the refresh after it leaves the metadata', async () => {
    const app = `/t/${tenant.slug}/app`;
    // The IdP publishes the new certificate beside the old one, still signing with the old.
    idp.reset(metadata(oldKey, newKey));
    expectSignedIn(await signInWith(oldKey), app);
    const since = await dbNow();
    const added = await refresh();
    expect(added.status).toBe(200);
    expect(fingerprints(added.body.saml)).toEqual([fingerprint(oldKey.certPem), fingerprint(newKey.certPem)]);
    // It switches to the new key: sign-ins with either work.
    expectSignedIn(await signInWith(newKey), app);
    expectSignedIn(await signInWith(oldKey), app);

    // The old certificate leaves the metadata; until the next refresh it still verifies.
    idp.reset(metadata(newKey));
    expectSignedIn(await signInWith(oldKey), app);
    const dropped = await refresh();
    expect(dropped.status).toBe(200);
    expect(fingerprints(dropped.body.saml)).toEqual([fingerprint(newKey.certPem)]);
    expectRefused(await signInWith(oldKey), 403, 'signature does not verify with the certificate uploaded');
    expectSignedIn(await signInWith(newKey), app);

    const rows = await audits(since);
    expect(rows).toEqual([
      expect.objectContaining({ action: 'saml.metadata_refresh', outcome: 'success', details: expect.objectContaining({ trigger: 'manual', addedSha256Fingerprints: [fingerprint(newKey.certPem)], droppedSha256Fingerprints: [] }) }),
      expect.objectContaining({ action: 'saml.metadata_refresh', outcome: 'success', details: expect.objectContaining({ trigger: 'manual', addedSha256Fingerprints: [], droppedSha256Fingerprints: [fingerprint(oldKey.certPem)] }) }),
    ]);
  });

  describe('a failed refresh keeps the certificates, shows the reason and audits it', () => {
    const cases: [string, () => void, RegExp][] = [
      ['HTTP error status', () => (idp.handler = (_req, res) => res.writeHead(503).end('down for maintenance')), /answered HTTP 503/],
      ['four redirects', () => (idp.handler = redirectChain(4)), /more than 3 redirects/],
      ['a redirect to another scheme', () => (idp.handler = (_req, res) => res.writeHead(301, { location: 'file:///etc/passwd' }).end()), /file URLs are not fetched \(http\(s\) only\)/],
      ['a body over 1 MiB (declared)', () => (idp.handler = (_req, res) => res.writeHead(200, { 'content-length': String(1_048_577) }).end(' '.repeat(1_048_577))), /over the 1 MiB limit/],
      [
        'a body over 1 MiB (chunked, no length)',
        () =>
          (idp.handler = (_req, res) => {
            res.writeHead(200, { 'content-type': 'application/xml' });
            const chunk = Buffer.alloc(64 * 1024, 0x20);
            for (let i = 0; i < 17; i++) res.write(chunk);
            res.end();
          }),
        /more than the 1 MiB limit/,
      ],
      ['malformed XML', () => idp.reset('<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata"><IDPSSODescriptor>'), /not well-formed XML/],
      ['a DOCTYPE (XXE)', () => idp.reset(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>${metadata(newKey).replace(/^<\?xml[^>]*>/, '')}`), /DOCTYPE or ENTITY/],
      [
        // The hostile-input guard runs before any DOM is built.
        'metadata over the XML limits (nested namespace declarations)',
        () => idp.reset(metadata(newKey).replace('</IDPSSODescriptor>', `<Extensions>${nestedNamespaceDeclarations(3000)}</Extensions></IDPSSODescriptor>`)),
        /the metadata XML is over a limit: elements nested more than 32 deep/,
      ],
      [
        // Certificates elsewhere in the document (its own signature, a WS-Federation role) do not count.
        'no signing certificate',
        () => idp.reset(entraFederationMetadata({ entityId: ENTRA_ID, signing: [], decoys: { signature: newKey.certPem, roleDescriptor: newKey.certPem } })),
        /no signing certificate/,
      ],
      ['a connection refused', () => idp.reset(), /connection was refused/],
    ];

    it.each(cases)('%s', async (name, serve, reason) => {
      idp.reset(metadata(newKey));
      serve();
      const before = await saml();
      let res;
      if (name === 'a connection refused') {
        // A port nothing listens on: point the stored URL there directly (saving it would fetch).
        await queryDatabase(t.db, 'UPDATE tenant_security_settings SET saml_metadata_url = $2 WHERE tenant_id = $1', [tenant.id, 'http://127.0.0.1:9/metadata']);
        res = await refresh();
        await queryDatabase(t.db, 'UPDATE tenant_security_settings SET saml_metadata_url = $2 WHERE tenant_id = $1', [tenant.id, idp.url()]);
      } else {
        res = await refresh();
      }
      const since = new Date(Date.now() - 5000);
      expect(res.status).toBe(502);
      expect(res.body).toEqual({ error: 'metadata_unavailable', message: expect.stringMatching(reason) });
      expect(res.body.message).toMatch(/The current certificates are unchanged\.$/);
      const after = await saml();
      expect(fingerprints(after)).toEqual(fingerprints(before));
      expect(after.metadataError).toMatch(reason);
      expect(after.metadataRefreshedAt).toBe(before.metadataRefreshedAt);
      const rows = await audits(since);
      expect(rows.at(-1)).toMatchObject({ action: 'saml.metadata_refresh', outcome: 'failure', reason: expect.stringMatching(reason) });
      // Sign-ins go on with the certificates kept.
      expectSignedIn(await signInWith(newKey), `/t/${tenant.slug}/app`);
    });

    it('times out: no complete answer within the limit', async () => {
      t.app.get(MetadataFetcher).limits.timeoutMs = 300;
      const stalled: import('node:http').ServerResponse[] = [];
      idp.handler = (_req, res) => {
        // Headers and a first byte, then nothing.
        res.writeHead(200, { 'content-type': 'application/xml' });
        res.write('<');
        stalled.push(res);
      };
      const started = Date.now();
      const res = await refresh();
      expect(res.status).toBe(502);
      expect(res.body).toEqual({ error: 'metadata_unavailable', message: expect.stringContaining('no complete answer within 0.3 s') });
      expect(Date.now() - started).toBeLessThan(5000);
      expect((await saml()).metadataError).toBe('no complete answer within 0.3 s');
      for (const r of stalled) r.destroy();
    });

    it('follows three redirects, and a success clears the error', async () => {
      idp.reset(metadata(newKey));
      idp.handler = redirectChain(3, (res) => res.writeHead(200, { 'content-type': 'application/xml' }).end(metadata(newKey)));
      const res = await refresh();
      expect(res.status).toBe(200);
      expect(res.body.saml).toMatchObject({ metadataError: null });
      expect(idp.requests).toEqual(['/federationmetadata.xml', '/hop/1', '/hop/2', '/hop/3']);
    });
  });

  it('two concurrent refreshes of one tenant fetch once; both answer with its outcome', async () => {
    idp.reset(metadata(newKey));
    idp.handler = (_req, res) => {
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/xml' }).end(metadata(newKey)), 600);
    };
    const [a, b] = await Promise.all([refresh(), refresh()]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(idp.requests).toHaveLength(1);
    expect(a.body.saml.metadataRefreshedAt).toBe(b.body.saml.metadataRefreshedAt);

    // A failure is shared the same way: both get the 502.
    idp.reset();
    idp.handler = (_req, res) => {
      setTimeout(() => res.writeHead(500).end(), 600);
    };
    const [c, d] = await Promise.all([refresh(), refresh()]);
    expect([c.status, d.status]).toEqual([502, 502]);
    expect(d.body).toEqual(c.body);
    expect(idp.requests).toHaveLength(1);
  });

  it('two instances refreshing one tenant at once fetch once (the claim is in the database)', async () => {
    const second = await startTestApp({}, t.db);
    try {
      idp.reset(metadata(newKey));
      idp.handler = (_req, res) => {
        setTimeout(() => res.writeHead(200, { 'content-type': 'application/xml' }).end(metadata(newKey)), 600);
      };
      // The same session works on both instances (sessions live in the database).
      const onSecond = request(second.http).post(`/api/t/${tenant.slug}/settings/saml/metadata/refresh`).set('cookie', admin.cookie).set('x-csrf-token', admin.csrfToken);
      const [a, b] = await Promise.all([refresh(), onSecond]);
      expect([a.status, b.status]).toEqual([200, 200]);
      expect(idp.requests).toHaveLength(1);
    } finally {
      await second.close();
    }
  });

  it('the scheduled refresh (housekeeping tick) refreshes due tenants only, then schedules the next', async () => {
    const housekeeping = t.app.get(HousekeepingService);
    idp.reset(metadata(oldKey, newKey));
    // Not due yet: nothing is fetched.
    await queryDatabase(t.db, "UPDATE tenant_security_settings SET saml_metadata_next_at = now() + interval '1 hour' WHERE tenant_id = $1", [tenant.id]);
    expect((await housekeeping.runOnce())['IdP metadata refreshes that are due']).toBe(0);
    expect(idp.requests).toEqual([]);

    const since = await dbNow();
    await queryDatabase(t.db, "UPDATE tenant_security_settings SET saml_metadata_next_at = now() - interval '1 second' WHERE tenant_id = $1", [tenant.id]);
    expect((await housekeeping.runOnce())['IdP metadata refreshes that are due']).toBe(1);
    expect(idp.requests).toHaveLength(1);
    const view = await saml();
    expect(fingerprints(view)).toEqual([fingerprint(oldKey.certPem), fingerprint(newKey.certPem)]);
    expect(view.metadataError).toBeNull();
    const [next] = await queryDatabase<{ hours: number }>(t.db, 'SELECT extract(epoch FROM saml_metadata_next_at - now()) / 3600 AS hours FROM tenant_security_settings WHERE tenant_id = $1', [tenant.id]);
    expect(Number(next!.hours)).toBeGreaterThan(REFRESH_HOURS - 0.1);
    expect(Number(next!.hours)).toBeLessThanOrEqual(REFRESH_HOURS);
    expect((await audits(since)).filter((r) => r.details?.trigger === 'schedule')).toEqual([
      expect.objectContaining({ action: 'saml.metadata_refresh', actor: null, outcome: 'success', details: expect.objectContaining({ trigger: 'schedule', addedSha256Fingerprints: [fingerprint(oldKey.certPem)] }) }),
    ]);

    // A failed scheduled refresh tries again within the hour, not in 12.
    idp.handler = (_req, res) => res.writeHead(500).end();
    await queryDatabase(t.db, "UPDATE tenant_security_settings SET saml_metadata_next_at = now() - interval '1 second' WHERE tenant_id = $1", [tenant.id]);
    expect((await housekeeping.runOnce())['IdP metadata refreshes that are due']).toBe(1);
    const [retry] = await queryDatabase<{ hours: number }>(t.db, 'SELECT extract(epoch FROM saml_metadata_next_at - now()) / 3600 AS hours FROM tenant_security_settings WHERE tenant_id = $1', [tenant.id]);
    expect(Number(retry!.hours)).toBeLessThanOrEqual(1);
    expect((await saml()).metadataError).toMatch(/answered HTTP 500/);
  });

  it('a new URL that fails on save is kept, with the error shown (200), and the certificates stay', async () => {
    const before = await saml();
    idp.reset();
    idp.handler = (_req, res) => res.writeHead(404).end();
    const url = idp.url('/moved.xml');
    const res = await admin.put('settings/saml', { metadataUrl: url });
    expect(res.status).toBe(200);
    expect(res.body.saml).toMatchObject({ metadataUrl: url, metadataError: expect.stringMatching(/answered HTTP 404/) });
    expect(fingerprints(res.body.saml)).toEqual(fingerprints(before));
  });

  it('enforcing in the same PUT is checked against the certificates the new URL brings', async () => {
    const other = await createTenant(t);
    const otherAdmin = await signIn(t, other.slug, other.admin.email, other.admin.password);
    idp.reset();
    idp.handler = (_req, res) => res.writeHead(500).end();
    const refused = await otherAdmin.put('settings/saml', { enabled: true, enforceLogin: true, metadataUrl: idp.url() });
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({ error: 'certificate_required', message: expect.stringContaining('certificate') });
    // Nothing of the refused request was kept.
    const kept = await otherAdmin.get('settings/security');
    expect(kept.body.saml).toMatchObject({ enabled: false, metadataUrl: null, metadataError: null });

    idp.reset(metadata(newKey));
    const ok = await otherAdmin.put('settings/saml', { enabled: true, enforceLogin: true, metadataUrl: idp.url() });
    expect(ok.status).toBe(200);
    expect(ok.body.saml).toMatchObject({ enabled: true, enforceLogin: true, metadataUrl: idp.url(), metadataError: null });
  });

  it('null stops the refresh and keeps the certificates; refreshing then is 409', async () => {
    const before = await saml();
    const res = await admin.put('settings/saml', { metadataUrl: null });
    expect(res.status).toBe(200);
    expect(res.body.saml).toMatchObject({ metadataUrl: null, metadataError: null });
    expect(fingerprints(res.body.saml)).toEqual(fingerprints(before));
    const again = await refresh();
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ error: 'metadata_url_required', message: expect.stringContaining('Metadata URL') });
  });

  it.each([
    ['ftp://idp.example.com/metadata.xml', /metadataUrl must be an http\(s\) URL, not ftp/],
    ['federationmetadata.xml', /metadataUrl is not an absolute URL/],
    ['https://admin:secret@idp.example.com/metadata', /metadataUrl must not contain a user name or password/],
    [42, /metadataUrl must be an http\(s\) URL, or null to clear it/],
    [`https://idp.example.com/${'a'.repeat(2100)}`, /metadataUrl is \d+ characters long/],
  ])('refuses metadataUrl %s with 400 invalid_url naming the field', async (metadataUrl, message) => {
    const res = await admin.put('settings/saml', { metadataUrl });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'invalid_url', message: expect.stringMatching(message), field: 'metadataUrl' });
  });

  it('a non-admin cannot refresh (403)', async () => {
    const user = await createUser(admin, { email: 'bob@acme.test', password: 'correct horse battery staple' });
    const bob = await signIn(t, tenant.slug, user.email, 'correct horse battery staple');
    const res = await bob.post('settings/saml/metadata/refresh');
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: 'forbidden' });
  });

  /** Answers /federationmetadata.xml and /hop/1..n-1 with a redirect to the next hop; the last hop answers with `last` (or another redirect). */
  function redirectChain(hops: number, last?: (res: import('node:http').ServerResponse) => void) {
    return (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
      const n = req.url === '/federationmetadata.xml' ? 0 : Number(req.url!.split('/').pop());
      if (n < hops) res.writeHead(302, { location: `/hop/${n + 1}` }).end();
      else if (last) last(res);
      else res.writeHead(302, { location: '/hop/end' }).end();
    };
  }
});

describe('SAML metadata URL in production: no requests into the deployment\'s network', () => {
  let t: TestApp;
  let idp: MetadataServer;
  let admin: Session;

  beforeAll(async () => {
    t = await startTestApp({ NODE_ENV: 'production' });
    idp = await MetadataServer.start();
    const tenant = await createTenant(t);
    admin = await signIn(t, tenant.slug, tenant.admin.email, tenant.admin.password);
  });
  afterAll(async () => {
    await idp?.close();
    await t?.close();
  });

  it('refuses an http URL: https only', async () => {
    const res = await admin.put('settings/saml', { metadataUrl: 'http://idp.example.com/metadata.xml' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'invalid_url', message: 'metadataUrl must be an https URL in production', field: 'metadataUrl' });
  });

  it.each([
    ['https://127.0.0.1/metadata', '127.0.0.1, a loopback address'],
    ['https://10.20.30.40/metadata', '10.20.30.40, a private (RFC 1918) address'],
    ['https://169.254.169.254/latest/meta-data/', '169.254.169.254, a link-local (cloud metadata) address'],
    ['https://[::1]/metadata', '::1, a loopback address'],
    ['https://[::ffff:10.0.0.1]/metadata', '::ffff:a00:1, a private (RFC 1918), IPv4 inside IPv6 address'],
    ['https://100.64.1.1/metadata', '100.64.1.1, a shared (carrier-grade NAT, RFC 6598) address'],
    ['https://2130706433/metadata', '127.0.0.1, a loopback address'],
  ])('refuses %s (an address literal) with 400 invalid_url', async (metadataUrl, what) => {
    const res = await admin.put('settings/saml', { metadataUrl });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'invalid_url', message: `metadataUrl points to ${what}, which this server does not fetch from`, field: 'metadataUrl' });
  });

  it('a host name that resolves to a loopback address is refused when connecting: no connection is made', async () => {
    idp.reset();
    const url = `https://localhost:${idp.port}/federationmetadata.xml`;
    const saved = await admin.put('settings/saml', { metadataUrl: url });
    expect(saved.status).toBe(200);
    expect(saved.body.saml).toMatchObject({
      metadataUrl: url,
      metadataRefreshedAt: null,
      metadataError: 'localhost resolves to a loopback address: metadata is not fetched from non-public addresses in production (SAML_METADATA_ALLOW_PRIVATE)',
      certificates: [],
    });
    const res = await admin.post('settings/saml/metadata/refresh');
    expect(res.status).toBe(502);
    expect(res.body).toEqual({ error: 'metadata_unavailable', message: expect.stringContaining('localhost resolves to a loopback address: metadata is not fetched') });
    expect(idp.connections).toBe(0);
  });

  it('SAML_METADATA_ALLOW_PRIVATE=true lets a private address through (here it connects, and TLS fails on the plain-HTTP test server)', async () => {
    const allowed = await startTestApp({ NODE_ENV: 'production', SAML_METADATA_ALLOW_PRIVATE: 'true' });
    try {
      const tenant = await createTenant(allowed);
      const other = await signIn(allowed, tenant.slug, tenant.admin.email, tenant.admin.password);
      idp.reset();
      const res = await other.put('settings/saml', { metadataUrl: `https://127.0.0.1:${idp.port}/federationmetadata.xml` });
      expect(res.status).toBe(200);
      expect(res.body.saml.metadataError).not.toMatch(/non-public/);
      expect(res.body.saml.metadataError).toMatch(/could not fetch the metadata/);
      expect(idp.connections).toBe(1);
    } finally {
      await allowed.close();
    }
  });
});
