import { describe, expect, it } from '@jest/globals';
import { MAX_FILTER_COMPARISONS, parseScimFilter, parseScimPath, ScimFilterError, stringifyScimFilter, type CompareNode } from './scim-filter.js';

const p = parseScimFilter;
const eq = (attr: string, value: unknown, extra: object = {}) => ({ type: 'compare', op: 'eq', path: { attr, ...extra }, value });
const valueOf = (f: string) => (p(f) as CompareNode).value;

describe('parseScimFilter', () => {
  it('parses a simple eq', () => expect(p('userName eq "a@b.c"')).toEqual(eq('userName', 'a@b.c')));

  it(`refuses more than ${MAX_FILTER_COMPARISONS} comparisons, inside not ( ) and value paths too (fuzz seed 20261130: 400 ORs took 1–8 s)`, () => {
    const terms = (n: number) => Array.from({ length: n }, (_, i) => `userName eq "u${i}"`).join(' or ');
    expect(p(terms(MAX_FILTER_COMPARISONS))).toMatchObject({ type: 'or' });
    const refused = /^Filter has more than 20 comparisons \(found "userName" at position \d+\)$/;
    expect(() => p(terms(MAX_FILTER_COMPARISONS + 1))).toThrow(refused);
    expect(() => p(`not (${terms(MAX_FILTER_COMPARISONS + 1)})`)).toThrow(refused);
    expect(() => p(`emails[${Array.from({ length: 21 }, (_, i) => `value eq "v${i}"`).join(' or ')}]`)).toThrow(/more than 20 comparisons/);
    expect(() => p(terms(MAX_FILTER_COMPARISONS + 1))).toThrow(expect.objectContaining({ scimType: 'invalidFilter' }));
  });

  it("parses Entra's Test Connection GUID filter", () =>
    expect(p('userName eq "0b6cd8a1-8b6c-4f1b-9f0e-2b1c9f2d6a11"')).toEqual(eq('userName', '0b6cd8a1-8b6c-4f1b-9f0e-2b1c9f2d6a11')));

  it('keeps a value path with a sub-attribute as ONE comparison', () =>
    expect(p('emails[type eq "work"].value eq "x"')).toEqual({
      type: 'compare',
      op: 'eq',
      value: 'x',
      path: { attr: 'emails', valueFilter: eq('type', 'work'), subAttr: 'value' },
    }));

  it('parses a bare value path', () =>
    expect(p('emails[type eq "work" and primary eq true]')).toEqual({
      type: 'valuePath',
      path: { attr: 'emails', valueFilter: { type: 'and', filters: [eq('type', 'work'), eq('primary', true)] } },
    }));

  it('parses a dotted sub-attribute', () => expect(p('emails.value eq "x"')).toEqual(eq('emails', 'x', { subAttr: 'value' })));
  it('parses not (..)', () => expect(p('not (a eq "b")')).toEqual({ type: 'not', filter: eq('a', 'b') }));
  it('parses NOT( without a space', () => expect(p('NOT(a eq "b")')).toEqual({ type: 'not', filter: eq('a', 'b') }));
  it('parses pr', () => expect(p('title pr')).toEqual({ type: 'present', path: { attr: 'title' } }));
  it('parses a date comparison', () =>
    expect(p('meta.created gt "2020-01-01T00:00:00Z"')).toEqual({
      type: 'compare',
      op: 'gt',
      path: { attr: 'meta', subAttr: 'created' },
      value: '2020-01-01T00:00:00Z',
    }));

  it('binds and tighter than or (a or b and c)', () =>
    expect(p('a eq "1" or b eq "2" and c eq "3"')).toEqual({ type: 'or', filters: [eq('a', '1'), { type: 'and', filters: [eq('b', '2'), eq('c', '3')] }] }));
  it('binds and tighter than or (a and b or c)', () =>
    expect(p('a eq "1" and b eq "2" or c eq "3"')).toEqual({ type: 'or', filters: [{ type: 'and', filters: [eq('a', '1'), eq('b', '2')] }, eq('c', '3')] }));
  it('lets parentheses override precedence', () =>
    expect(p('(a eq "1" or b eq "2") and c eq "3"')).toEqual({ type: 'and', filters: [{ type: 'or', filters: [eq('a', '1'), eq('b', '2')] }, eq('c', '3')] }));
  it('binds not tighter than and', () =>
    expect(p('not (a eq "1") and b eq "2"')).toEqual({ type: 'and', filters: [{ type: 'not', filter: eq('a', '1') }, eq('b', '2')] }));
  it('flattens chains', () =>
    expect(p('a eq "1" and (b eq "2" and c eq "3")')).toEqual({ type: 'and', filters: [eq('a', '1'), eq('b', '2'), eq('c', '3')] }));

  it('parses the literals true, false, null and JSON numbers', () => {
    expect(p('active eq true')).toEqual(eq('active', true));
    expect(p('active eq False')).toEqual(eq('active', false));
    expect(p('manager eq null')).toEqual(eq('manager', null));
    expect(p('age ge -1.5e3')).toEqual({ type: 'compare', op: 'ge', path: { attr: 'age' }, value: -1500 });
    expect(p('(age lt 30)')).toEqual({ type: 'compare', op: 'lt', path: { attr: 'age' }, value: 30 });
  });

  it('decodes JSON string escapes', () => {
    expect(valueOf('userName eq "a\\"b"')).toBe('a"b');
    expect(valueOf('userName eq "a\\\\b"')).toBe('a\\b');
    expect(valueOf('userName eq "a\\\\"')).toBe('a\\');
    expect(valueOf('userName eq "x\\ny"')).toBe('x\ny');
    expect(valueOf('userName eq "\\u00e9t\\u00E9"')).toBe('été');
    expect(valueOf('userName eq "a/b\\/c"')).toBe('a/b/c');
    expect(valueOf('userName eq "a b  c"')).toBe('a b  c');
    expect(valueOf('userName eq "and or not )("')).toBe('and or not )(');
    expect(valueOf('userName eq ""')).toBe('');
  });

  it('matches operators and keywords case-insensitively', () => {
    expect(p('userName EQ "x"')).toEqual(eq('userName', 'x'));
    expect(p('a Eq "1" And b eq "2" OR c Pr')).toEqual({
      type: 'or',
      filters: [{ type: 'and', filters: [eq('a', '1'), eq('b', '2')] }, { type: 'present', path: { attr: 'c' } }],
    });
  });

  it('splits a schema URN prefix', () => {
    expect(p('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"')).toEqual(eq('userName', 'x', { schema: 'urn:ietf:params:scim:schemas:core:2.0:User' }));
    expect(p('urn:ietf:params:scim:schemas:core:2.0:User:name.familyName co "O\'Malley"')).toEqual({
      type: 'compare',
      op: 'co',
      path: { schema: 'urn:ietf:params:scim:schemas:core:2.0:User', attr: 'name', subAttr: 'familyName' },
      value: "O'Malley",
    });
    expect(p('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "x"')).toEqual(
      eq('manager', 'x', { schema: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', subAttr: 'value' }),
    );
  });

  it.each([
    'userName Eq "john"',
    'Username eq "john"',
    'userName eq "bjensen"',
    'name.familyName co "O\'Malley"',
    'userName sw "J"',
    'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"',
    'title pr',
    'meta.lastModified gt "2011-05-13T04:42:34Z"',
    'meta.lastModified ge "2011-05-13T04:42:34Z"',
    'meta.lastModified lt "2011-05-13T04:42:34Z"',
    'meta.lastModified le "2011-05-13T04:42:34Z"',
    'title pr and userType eq "Employee"',
    'title pr or userType eq "Intern"',
    'schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"',
    'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
    'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
    'userType eq "Employee" and (emails.type eq "work")',
    'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
    'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
  ])('parses the RFC 7644 §3.4.2.2 example %s and round-trips it', (f) => {
    const ast = p(f);
    expect(p(stringifyScimFilter(ast))).toEqual(ast);
  });

  it.each([
    [''],
    ['   '],
    ['userName'],
    ['userName eq'],
    ['userName xx "a"'],
    ['userName eq "a" and'],
    ['(userName eq "a"'],
    ['userName eq "a")'],
    ['userName eq "unterminated'],
    ['emails[type eq "work"'],
    ['eq "x"'],
    ['a eq "b" c'],
    ['not a eq "b"'],
    ['$$$'],
    ['a eq {"x":1}'],
    ['externalId eq jyoung'],
    ['a eq 01'],
    ['a eq 1.'],
    ['a eq .5'],
    ['a eq "\\x"'],
    ['a eq "tab\there"'],
    ['a eq "1"and b eq "2"'],
    ['emails[type eq "work"] eq "x"'],
    ['emails[type[x eq "y"] eq "z"]'],
    ['emails [type eq "work"]'],
    ['a.b.c eq "x"'],
    ['urnx:foo:bar eq "x"'],
    ['emails[type eq "work"].'],
    ['1abc eq "x"'],
    ['a eq "x" or'],
    ['()'],
    ["a eq 'x'"],
    ['('.repeat(40) + 'a pr' + ')'.repeat(40)],
    ['userName eq "' + 'x'.repeat(9000) + '"'],
  ])('rejects %j with invalidFilter and a position', (f) => {
    let error: unknown;
    try {
      p(f);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScimFilterError);
    expect((error as ScimFilterError).scimType).toBe('invalidFilter');
    expect(typeof (error as ScimFilterError).position).toBe('number');
  });

  it('names the problem and where it is', () => {
    expect(() => p('userName xx "a"')).toThrow('Unknown operator (found "xx" at position 9)');
    expect(() => p('externalId eq jyoung')).toThrow(/Expected a comparison value/);
  });
});

describe('parseScimPath', () => {
  it('parses PATCH paths', () => {
    expect(parseScimPath('name.familyName')).toEqual({ attr: 'name', subAttr: 'familyName' });
    expect(parseScimPath('emails[type eq "work"].value')).toEqual({ attr: 'emails', valueFilter: eq('type', 'work'), subAttr: 'value' });
    expect(parseScimPath('members[value eq "7f4bc1a3-285e-48ae-8202-5accb43efb0e"]')).toEqual({
      attr: 'members',
      valueFilter: eq('value', '7f4bc1a3-285e-48ae-8202-5accb43efb0e'),
    });
    expect(parseScimPath('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber')).toEqual({
      schema: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
      attr: 'employeeNumber',
    });
    expect(parseScimPath('active')).toEqual({ attr: 'active' });
  });

  it('rejects malformed paths with invalidPath', () => {
    for (const bad of ['emails[type eq "work"] extra', '', 'name..givenName', 'a b']) {
      let error: unknown;
      try {
        parseScimPath(bad);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ScimFilterError);
      expect((error as ScimFilterError).scimType).toBe('invalidPath');
    }
  });
});
