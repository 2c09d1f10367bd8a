import { describe, expect, it } from '@jest/globals';
import querystring from 'node:querystring';
import { parseScimFilter, parseScimPath, type CompareNode } from './scim-filter.js';

/** Raw query strings exactly as the identity providers send them -> decoded filter -> parser. */
const decode = (rawQuery: string) => ({
  urlSearchParams: new URLSearchParams(rawQuery).get('filter'),
  nodeQuerystring: querystring.parse(rawQuery).filter as string,
});

describe('filters as identity providers put them on the wire', () => {
  it('Entra provisioning service / Test Connection (form encoding: + for space, %22 for quotes)', () => {
    // MicrosoftDocs/azure-docs#94189 and AzureAD/SCIMReferenceCode#63
    const { urlSearchParams, nodeQuerystring } = decode('filter=userName+eq+%227d420df3-9995-4831-a406-ecf8166f5f6a%22');
    expect(urlSearchParams).toBe('userName eq "7d420df3-9995-4831-a406-ecf8166f5f6a"');
    expect(nodeQuerystring).toBe(urlSearchParams);
    expect(parseScimFilter(urlSearchParams!)).toEqual({ type: 'compare', op: 'eq', path: { attr: 'userName' }, value: '7d420df3-9995-4831-a406-ecf8166f5f6a' });
  });

  it("Microsoft's SCIM Validator (fully percent-encoded value path)", () => {
    const { urlSearchParams } = decode('filter=emails%5Btype%20eq%20%22work%22%5D.value%20eq%20%22gerson_nader%40strosin.us%22');
    expect(urlSearchParams).toBe('emails[type eq "work"].value eq "gerson_nader@strosin.us"');
    expect((parseScimFilter(urlSearchParams!) as CompareNode).path).toEqual({
      attr: 'emails',
      subAttr: 'value',
      valueFilter: { type: 'compare', op: 'eq', path: { attr: 'type' }, value: 'work' },
    });
  });

  it('Okta (percent-encoded: %20 for space, %40 for @)', () => {
    const raw = 'filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100';
    const { urlSearchParams } = decode(raw);
    expect(urlSearchParams).toBe('userName eq "test.user@okta.local"');
    expect((parseScimFilter(urlSearchParams!) as CompareNode).value).toBe('test.user@okta.local');
  });

  it('a literal "+" in a value survives only when the client encodes it as %2B', () => {
    expect(decode('filter=userName+eq+%22a%2Bb%40x.com%22').urlSearchParams).toBe('userName eq "a+b@x.com"');
    expect(decode('filter=userName%20eq%20%22a+b@x.com%22').urlSearchParams).toBe('userName eq "a b@x.com"');
  });

  it.each([
    'emails[type eq "work"].value',
    'name.familyName',
    'name.givenName',
    'userName',
    'active',
    'externalId',
    'displayName',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber',
    'members[value eq "7f4bc1a3-285e-48ae-8202-5accb43efb0e"]',
    'nickName',
  ])('parses the Entra/Okta PATCH path %s', (path) => {
    expect(() => parseScimPath(path)).not.toThrow();
  });
});
