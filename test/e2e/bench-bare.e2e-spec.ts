import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { bareStatements, type BareStatements } from '../../scripts/lib/bare-statements.mjs';
import { expectSignedIn } from '../factories/saml.factory.js';
import { createSamlScimTenant, USER_SCHEMA, type SamlScimTenantFixture } from '../utils/scim-fixtures.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';

/**
 * The bare twins of `npm run bench -- --baseline` (scripts/bench-bare.mjs) send the statements
 * lib/bare-statements.mjs reads from the service's modules. They are a fair yardstick only while
 * the service really sends those statements on these routes: a route that moved to other SQL
 * would leave the twin measuring something the service no longer does. Every statement the app's
 * connections send during each request is collected and must include the twin's.
 */
describe('bench --baseline: the bare twins send what the service sends', () => {
  let t: TestApp;
  let f: SamlScimTenantFixture;
  let statements: BareStatements;
  /** What the connections sent, each with its backend's pid (a transaction is one connection's). */
  const sent: { pid: number; text: string }[] = [];
  type Query = (this: pg.Client, ...args: unknown[]) => unknown;
  const proto = pg.Client.prototype as unknown as { query: Query };
  const original = proto.query;

  beforeAll(async () => {
    t = await startTestApp();
    f = await createSamlScimTenant(t);
    // The same modules the bench reads from dist/, here from src/.
    statements = await bareStatements((file) => import(`../../src/${file.replace(/\.js$/, '.ts')}`));
    proto.query = function (this: pg.Client, ...args: unknown[]) {
      const first = args[0];
      const text = typeof first === 'string' ? first : (first as { text?: string } | undefined)?.text;
      if (text) sent.push({ pid: (this as unknown as { processID: number }).processID, text });
      return original.apply(this, args);
    };
  });
  afterAll(async () => {
    proto.query = original;
    await t?.close();
  });

  async function sentDuring(request: () => Promise<unknown>): Promise<{ pid: number; text: string }[]> {
    sent.length = 0;
    await request();
    return [...sent];
  }
  const texts = (statements: { text: string }[]) => statements.map((s) => s.text);

  it('SCIM userName eq: the list statement of the twin', async () => {
    const res = await sentDuring(async () => {
      const found = await f.scim.get(`Users?filter=${encodeURIComponent(`userName eq "${f.tenant.admin.email.toUpperCase()}"`)}`);
      expect(found.status).toBe(200);
      expect(found.body.totalResults).toBe(1);
    });
    expect(texts(res)).toContain(statements.lookup.sql);
  });

  it('SCIM GET /Users/{id}: the by-id read', async () => {
    const id = (await f.scim.get(`Users?filter=${encodeURIComponent(`userName eq "${f.tenant.admin.email}"`)}`)).body.Resources[0].id as string;
    const res = await sentDuring(async () => expect((await f.scim.get(`Users/${id}`)).status).toBe(200));
    expect(texts(res)).toContain(statements.byId);
  });

  it('SCIM POST /Users: the insert unless the userName is taken, with the list-version bump, and the audit row, in one transaction', async () => {
    const res = await sentDuring(async () => {
      const created = await f.scim.post('Users', { schemas: [USER_SCHEMA], userName: 'twin@bench.test', name: { givenName: 'T', familyName: 'W' } });
      expect(created.status).toBe(201);
    });
    const begin = res.find((s) => s.text === 'START TRANSACTION');
    expect(begin).toBeDefined();
    const transaction = texts(res.filter((s) => s.pid === begin!.pid));
    const from = transaction.indexOf('START TRANSACTION');
    expect(transaction.slice(from, from + 4)).toEqual(['START TRANSACTION', statements.insertUser, statements.insertAudit, 'COMMIT']);
  });

  it('SAML ACS: the replay claim, the user by NameID and the session insert', async () => {
    const res = await sentDuring(async () => expectSignedIn(await f.samlAs(f.tenant.admin.email), `/t/${f.tenant.slug}/app`));
    for (const statement of [statements.claimAssertion, statements.byEmailKey, statements.insertSession]) expect(texts(res)).toContain(statement);
  });
});
