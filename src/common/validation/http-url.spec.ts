import { describe, expect, it } from '@jest/globals';
import { httpUrlProblem, requireHttpUrl } from './http-url.js';

describe('httpUrlProblem', () => {
  it.each([
    ['https://login.microsoftonline.com/x/saml2', false, null],
    ['http://idp.local:8080/sso?x=1', false, null],
    ['http://idp.local/sso', true, 'must use https in production'],
    ['ftp://idp/sso', false, 'uses ftp; only http and https are allowed'],
    ['https://idp/sso#frag', false, 'must not carry a #fragment'],
    ['https://a b/', false, 'contains spaces or control characters'],
    ['https://idp/\tx', false, 'contains spaces or control characters'],
    ['idp.example.test/sso', false, 'is not an absolute URL'],
  ])('%s (https only: %s) → %s', (value, httpsOnly, problem) => {
    expect(httpUrlProblem(value, httpsOnly)).toBe(problem);
  });

  it('throws 400 invalid_url naming the field', () => {
    expect(() => requireHttpUrl('mailto:x@y', 'idpSsoUrl', false)).toThrow(expect.objectContaining({ code: 'invalid_url', message: 'idpSsoUrl uses mailto; only http and https are allowed' }));
  });
});
