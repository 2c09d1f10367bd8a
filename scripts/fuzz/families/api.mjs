// The JSON API: login bodies (before authentication), admin bodies with the session cookie and
// CSRF token, operator tenant creation. Settings writes are kept from undoing the setup.
import { enc, nestedJson, wideJson } from '../prng.mjs';
import { jsonBody, mutateText } from '../mutate.mjs';

function admin(ctx) {
  return { cookie: ctx.cookie, 'x-csrf-token': ctx.csrfToken, 'content-type': 'application/json' };
}

/** Hostile JSON shapes that cost before any handler runs. */
function hostileJson(rng, field) {
  return rng.pick([
    () => `{"${field}":${nestedJson(rng.pick([100, 2400, 5000, 10_000, rng.size(30_000)]), rng.pick(['object', 'array']), '"x"')},"password":"x"}`,
    () => nestedJson(rng.pick([2400, 10_000, rng.size(30_000)])),
    () => `{"${field}":${wideJson(rng.size(100_000), rng.pick(['[]', '{}', '[[1]]', '"a@b.test"']))},"password":"x"}`,
    () => `{"${field}":"${'a'.repeat(rng.size(900_000))}@x.test","password":"x"}`,
  ])();
}

export function login(rng, ctx) {
  const s = rng.weighted([[8, ctx.slug], [1, 'no-such-tenant'], [1, 'A'.repeat(rng.int(1, 200))]]);
  const path = rng.weighted([
    [12, `/api/t/${s}/auth/login`],
    [1, `/%61pi/t/${s}/auth/login`],
    [1, `/api/t/${s}/auth/%6cogin`],
    [1, `/api//t/${s}/auth/login`],
    [1, `/API/t/${s}/auth/login`],
  ]);
  const email = rng.pick([ctx.adminEmail, ctx.adminEmail.toUpperCase(), ctx.adminEmail.replace('i', 'İ'), ctx.adminEmail.replace('a', '\u212a'), ctx.users[0].email, `nobody@${ctx.slug}.test`]);
  const valid = { email, password: rng.chance(0.05) ? ctx.adminPassword : 'wrong-password-123' };
  const form = rng.chance(0.12);
  const headers = { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' };
  if (rng.chance(0.2)) headers.origin = rng.pick(['https://evil.test', 'null', ctx.base]);
  if (rng.chance(0.1)) headers['sec-fetch-site'] = rng.pick(['cross-site', 'same-origin', 'none']);
  let body;
  if (form) body = rng.chance(0.7) ? new URLSearchParams(valid).toString() : `email[]=${enc(email)}&email[a]=1&password=${'%'.repeat(rng.int(0, 3))}`;
  else if (rng.chance(0.15)) body = hostileJson(rng, rng.pick(['email', 'password']));
  else body = jsonBody(rng, valid, { valid: 0.2 });
  return { method: 'POST', path, headers, body };
}

export function adminApi(rng, ctx) {
  const s = ctx.slug;
  const which = rng.weighted([[4, 'createUser'], [3, 'patchUser'], [2, 'listUsers'], [1, 'audit'], [2, 'samlSettings'], [1, 'scimSettings'], [2, 'operator'], [1, 'me']]);
  const headers = admin(ctx);
  if (rng.chance(0.05)) delete headers['x-csrf-token'];
  if (rng.chance(0.03)) headers.cookie = `${ctx.cookie}x`;
  switch (which) {
    case 'createUser': {
      const body = { email: `adm${rng.int(0, 1e6)}@${s}.test`, givenName: 'A', familyName: 'B', role: rng.pick(['user', 'system_admin', undefined]), password: rng.chance(0.3) ? 'long enough password' : undefined };
      return { method: 'POST', path: `/api/t/${s}/users`, headers, body: rng.chance(0.15) ? hostileJson(rng, 'email') : jsonBody(rng, body) };
    }
    case 'patchUser': {
      const body = { licenses: rng.pick([['crm'], ['crm', 'marketing', 'service'], [], ['nope']]), givenName: 'P', familyName: 'Q', active: true, role: 'user' };
      const id = rng.weighted([[6, rng.pick(ctx.users).id], [1, rng.pick(ctx.scimUsers).id], [1, 'not-a-uuid'], [1, enc(rng.oddString()).slice(0, 300)]]);
      return { method: 'PATCH', path: `/api/t/${s}/users/${id}`, headers, body: jsonBody(rng, body) };
    }
    case 'listUsers': {
      const q = new URLSearchParams({ search: rng.oddString().slice(0, 5000), offset: String(rng.oddValue()), limit: String(rng.oddValue()) });
      return { method: 'GET', path: `/api/t/${s}/users?${q}`, headers: { cookie: ctx.cookie } };
    }
    case 'audit': {
      const q = new URLSearchParams({ kind: rng.pick(['saml_login', 'scim', 'x', '']), outcome: rng.pick(['success', 'failure', rng.oddString().slice(0, 200)]), offset: String(rng.oddValue()), limit: String(rng.oddValue()) });
      return { method: 'GET', path: `/api/t/${s}/audit?${q}`, headers: { cookie: ctx.cookie } };
    }
    case 'samlSettings': {
      const body = { enabled: true, enforceLogin: false, idpSsoUrl: rng.pick(['https://idp.test/sso', 'javascript:alert(1)', 'http://127.0.0.1/', 'https://' + 'a'.repeat(rng.size(5000)), null]), metadataUrl: rng.pick([null, 'file:///etc/passwd', 'gopher://x', 'https://[::1]/'].slice(0, 1)) };
      let text = jsonBody(rng, body);
      // Never undo the setup: SAML stays on, enforcement off (a fuzz case must not stop the next ones).
      text = text.replace(/"enabled":\s*false/g, '"enabled":true').replace(/"enforceLogin":\s*true/g, '"enforceLogin":false');
      if (!/"enabled"/.test(text)) text = text.replace(/^\{/, '{"enabled":true,');
      return { method: 'PUT', path: `/api/t/${s}/settings/saml`, headers, body: text };
    }
    case 'scimSettings': {
      const text = jsonBody(rng, { enabled: true }).replace(/"enabled":\s*false/g, '"enabled":true');
      return { method: 'PUT', path: `/api/t/${s}/settings/scim`, headers, body: /"enabled":\s*true/.test(text) ? text : rng.chance(0.5) ? mutateText(rng, '{"enabled":"x"}') : '{"enabled":0}' };
    }
    case 'operator': {
      const slug = `op-${rng.int(0, 1e7)}`;
      const body = { slug, name: 'Op', admin: { email: `a@${slug}.test`, password: 'correct horse battery', givenName: 'A', familyName: 'B' } };
      return { method: 'POST', path: '/api/operator/tenants', headers: { authorization: `Bearer ${ctx.operatorToken}`, 'content-type': 'application/json' }, body: rng.chance(0.15) ? hostileJson(rng, 'slug') : jsonBody(rng, body, { valid: 0.05 }) };
    }
    default:
      return { method: 'GET', path: `/api/t/${s}/me`, headers: { cookie: rng.chance(0.8) ? ctx.cookie : `latchkey_session=${rng.oddString().replace(/[^\x21-\x7e]/g, '')}` } };
  }
}
