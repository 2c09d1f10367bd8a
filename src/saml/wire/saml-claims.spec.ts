import { describe, expect, it } from '@jest/globals';
import { emailClaimValues, isEmailClaim, lookupKeys, normalizeAttributes } from './saml-claims.js';

const ENTRA_EMAIL = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress';

describe('SAML claims mapping', () => {
  it('recognises the email claims of Entra, Okta, OneLogin and LDAP', () => {
    for (const name of [ENTRA_EMAIL, 'http://schemas.xmlsoap.org/claims/EmailAddress', 'email', 'Email', 'emailAddress', 'mail', 'urn:oid:0.9.2342.19200300.100.1.3', 'urn:oid:1.2.840.113549.1.9.1']) {
      expect(isEmailClaim(name)).toBe(true);
    }
    for (const name of ['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name', 'firstName', 'emails', 'mailbox', 'user.email.verified']) {
      expect(isEmailClaim(name)).toBe(false);
    }
  });

  it('takes no attribute merely ending in /email or #mail (issue 9): a custom claim must not pick the account', () => {
    for (const name of ['https://idp.example/claims/email', 'http://evil.test/x#mail', 'urn:custom:user/emailaddress', 'http://schemas.example.com/self-service/email']) {
      expect(isEmailClaim(name)).toBe(false);
    }
  });

  it('normalises node-saml attribute values to arrays of strings', () => {
    expect(normalizeAttributes({ a: 'x', b: ['y', ' z '], c: { _: 'typed', $: { 'xsi:type': 'xs:string' } }, d: '', e: [{}] })).toEqual({ a: ['x'], b: ['y', 'z'], c: ['typed'] });
    expect(normalizeAttributes(undefined)).toEqual({});
  });

  it('orders email values with the Entra claim first', () => {
    expect(emailClaimValues({ mail: ['m@x.test'], [ENTRA_EMAIL]: ['e@x.test'], email: ['o@x.test'] })).toEqual(['e@x.test', 'o@x.test', 'm@x.test']);
  });

  it('looks users up by NameID, then by email claims, without duplicates', () => {
    expect(lookupKeys({ nameId: 'alice.upn@acme.onmicrosoft.com', attributes: { [ENTRA_EMAIL]: ['alice@acme.test'] } })).toEqual(['alice.upn@acme.onmicrosoft.com', 'alice@acme.test']);
    expect(lookupKeys({ nameId: 'Alice@acme.test', attributes: { email: ['alice@ACME.test'] } })).toEqual(['Alice@acme.test']);
    expect(lookupKeys({ nameId: 'x'.repeat(300), attributes: { mail: ['a@b.test'] } })).toEqual(['a@b.test']);
    expect(lookupKeys({ nameId: 'upn@acme.onmicrosoft.com', attributes: { 'https://idp.example/profile/email': ['admin@acme.test'] } })).toEqual(['upn@acme.onmicrosoft.com']);
    // One query per key: a multi-valued email attribute cannot make it hundreds.
    const many = Array.from({ length: 300 }, (_, i) => `u${i}@acme.test`);
    expect(lookupKeys({ nameId: 'n@acme.test', attributes: { email: many } })).toEqual(['n@acme.test', 'u0@acme.test', 'u1@acme.test', 'u2@acme.test']);
  });
});
