// The HTTP layer: paths (encodings, dot segments, length, unicode, slashes), query strings,
// headers and content types, on every route the service has.
import { enc, UNICODE } from '../prng.mjs';

function routes(ctx) {
  const s = ctx.slug;
  const u = ctx.scimUsers[0].id;
  return [
    ['GET', `/api/t/${s}/auth/options`],
    ['POST', `/api/t/${s}/auth/login`],
    ['GET', `/api/t/${s}/me`],
    ['GET', `/api/t/${s}/users`],
    ['GET', `/api/t/${s}/users/${ctx.users[0].id}`],
    ['PATCH', `/api/t/${s}/users/${ctx.users[0].id}`],
    ['GET', `/api/t/${s}/licenses`],
    ['GET', `/api/t/${s}/audit`],
    ['GET', `/api/t/${s}/settings/security`],
    ['POST', `/api/t/${s}/settings/saml/certificate`],
    ['POST', '/api/operator/tenants'],
    ['GET', `/scim/v2/${s}/Users`],
    ['GET', `/scim/v2/${s}/Users/${u}`],
    ['GET', `/scim/v2/${s}/ServiceProviderConfig`],
    ['GET', `/scim/v2/${s}/Schemas/urn:ietf:params:scim:schemas:core:2.0:User`],
    ['GET', `/scim/v2/${s}/ResourceTypes/User`],
    ['GET', `/scim/v2/${s}/Groups`],
    ['POST', `/scim/v2/${s}/Bulk`],
    ['GET', `/saml/${s}/metadata`],
    ['GET', `/saml/${s}/acs`],
    ['POST', `/saml/${s}/acs`],
    ['GET', `/t/${s}/login`],
    ['GET', `/t/${s}/settings/security`],
    ['GET', '/health'],
    ['GET', '/health/ready'],
    ['GET', '/docs'],
    ['GET', '/'],
  ];
}

/** Credentials fitting the route, so a mutated request still gets past the gate often. */
function credentials(ctx, path) {
  if (path.includes('/scim/')) return { authorization: `Bearer ${ctx.scimToken}` };
  if (path.includes('/api/operator')) return { authorization: `Bearer ${ctx.operatorToken}` };
  if (path.includes('/api/') || path.startsWith('/t/')) return { cookie: ctx.cookie, 'x-csrf-token': ctx.csrfToken };
  return {};
}

function mutatePath(rng, path) {
  const segments = path.split('/');
  const i = rng.int(1, segments.length - 1);
  const seg = segments[i];
  const variants = [
    () => seg.replace(/[a-z]/, (c) => `%${c.charCodeAt(0).toString(16)}`),
    () => seg.replace(/[a-z]/, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    () => `${seg}/..`,
    () => `./${seg}`,
    () => `..%2f${seg}`,
    () => `%2e%2e/${seg}`,
    () => `${seg}%2f`,
    () => `${seg}%00`,
    () => `${seg}%`,
    () => `${seg}%zz`,
    () => `${seg}%c0%af`,
    () => `${seg}%ff`,
    () => seg.toUpperCase(),
    () => `${seg}${rng.pick(UNICODE)}`,
    () => enc(rng.pick(UNICODE)),
    () => `${seg};jsessionid=1`,
    () => `${seg}//`,
    () => '',
    () => `${seg}${'a'.repeat(rng.size(70_000))}`,
    () => `${seg}${'/x'.repeat(rng.size(3000))}`,
    () => `${seg}${'%2e%2e/'.repeat(rng.size(500))}`,
  ];
  segments[i] = rng.pick(variants)();
  let out = segments.join('/');
  if (rng.chance(0.15)) out += rng.pick(['/', '//', '?', '#', '?#', '/.', '/..', '%20', '.json']);
  if (rng.chance(0.05)) out = `/${out}`;
  return out;
}

export function paths(rng, ctx) {
  const [method, path] = rng.pick(routes(ctx));
  const m = rng.chance(0.85) ? method : rng.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND']);
  const headers = { ...credentials(ctx, path) };
  let body;
  if (m !== 'GET' && m !== 'HEAD' && rng.chance(0.6)) {
    headers['content-type'] = path.includes('/scim/') ? 'application/scim+json' : path.includes('/acs') ? 'application/x-www-form-urlencoded' : 'application/json';
    body = path.includes('/acs') ? 'SAMLResponse=PHg%2B&RelayState=%2F' : '{}';
  }
  return { method: m, path: mutatePath(rng, path), headers, body };
}

export function queries(rng, ctx) {
  const [, path] = rng.pick(routes(ctx).filter(([m]) => m === 'GET'));
  const key = () => rng.pick(['search', 'offset', 'limit', 'filter', 'count', 'startIndex', 'kind', 'outcome', 'cursor', 'a[]', 'a[b]', '__proto__', 'constructor[prototype][x]', '', '%', rng.pick(UNICODE)]);
  const value = () => rng.weighted([
    [3, () => enc(String(rng.oddValue()))],
    [1, () => rng.pick(['', '%', '%zz', '%00', '-1', '1e400', '99999999999999999999', '%E0%A4%A', '+', '&', '='])],
    [1, () => 'x'.repeat(rng.size(70_000))],
  ])();
  const n = rng.weighted([[6, rng.int(1, 4)], [1, rng.size(2000)]]);
  const query = Array.from({ length: n }, () => (rng.chance(0.9) ? `${key()}=${value()}` : key())).join(rng.chance(0.95) ? '&' : ';');
  return { method: 'GET', path: `${path}?${query}`, headers: credentials(ctx, path) };
}

export function headers(rng, ctx) {
  const [method, path] = rng.pick(routes(ctx).filter(([m]) => m === 'GET'));
  const h = { ...credentials(ctx, path) };
  const mutations = [
    () => (h.cookie = rng.pick([`${ctx.cookie}; ${ctx.cookie}`, `latchkey_session=${'a'.repeat(rng.size(8000))}`, 'latchkey_session=', `latchkey_session=${enc(rng.oddString()).slice(0, 4000)}`, `${'x=1; '.repeat(rng.size(2000))}`, '==;;'])),
    () => (h.authorization = rng.pick(['Bearer', 'Bearer ', `Bearer ${rng.oddString().replace(/[^\x21-\x7e]/g, 'x').slice(0, 10000)}`, 'Basic Og==', 'Negotiate x', `Bearer ${ctx.operatorToken}`, `Bearer ${ctx.scimToken}`])),
    () => (h['x-request-id'] = rng.pick(['', 'x'.repeat(rng.size(10000)), '../../', 'a b', 'ä'])),
    () => (h.accept = rng.pick(['application/xml', '*/*;q=x', 'text/html', `${'a/b,'.repeat(rng.size(3000))}`])),
    () => (h['x-forwarded-for'] = rng.pick(['1.2.3.4', 'x', `${'1.1.1.1, '.repeat(rng.size(1000))}`, '::1'])),
    () => (h.host = rng.pick(['evil.test', '', 'localhost:99999', '[::1]', 'a'.repeat(rng.size(5000))])),
    () => (h.origin = rng.pick(['null', 'https://evil.test', ''])),
    () => (h['accept-encoding'] = rng.pick(['gzip', 'br', 'x'.repeat(rng.size(5000))])),
    () => (h['accept-language'] = 'x'.repeat(rng.size(20000))),
    () => { for (let i = 0; i < rng.size(400); i++) h[`x-h${i}`] = 'v'; },
    () => (h['content-length'] = undefined),
    () => (h['x-csrf-token'] = rng.pick(['', 'x', `${ctx.csrfToken}x`, ctx.csrfToken.toUpperCase()])),
  ];
  for (let i = rng.int(1, 3); i > 0; i--) rng.pick(mutations)();
  return { method, path, headers: h };
}

export function contentTypes(rng, ctx) {
  const s = ctx.slug;
  const [path, body, auth] = rng.pick([
    [`/api/t/${s}/auth/login`, JSON.stringify({ email: ctx.adminEmail, password: 'wrong password' }), {}],
    [`/api/t/${s}/users`, JSON.stringify({ email: `ct${rng.int(0, 1e6)}@${s}.test`, givenName: 'C', familyName: 'T' }), credentials(ctx, '/api/')],
    [`/scim/v2/${s}/Users`, JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `ct${rng.int(0, 1e6)}@${s}.test` }), credentials(ctx, '/scim/')],
    [`/saml/${s}/acs`, 'SAMLResponse=PHg%2BPC94Pg%3D%3D', {}],
    [`/api/t/${s}/settings/saml/certificate`, JSON.stringify({ certificate: ctx.certPem }), credentials(ctx, '/api/')],
    ['/api/operator/tenants', JSON.stringify({ slug: `ct-${rng.int(0, 1e6)}` }), credentials(ctx, '/api/operator')],
  ]);
  const type = rng.pick([
    'application/json', 'application/json; charset=utf-8', 'application/json; charset=utf-16', 'application/json;charset=', 'application/JSON', ' application/json',
    'application/scim+json', 'application/x-www-form-urlencoded', 'text/plain', 'text/plain; charset=x', 'multipart/form-data', 'multipart/form-data; boundary=',
    'multipart/form-data; boundary=zzz', 'application/xml', 'text/xml', 'application/octet-stream', '*/*', '', ';', 'application/json; boundary=x; charset=utf-8',
    'application/vnd.api+json', 'application/json-patch+json', `application/${'x'.repeat(rng.size(5000))}`, 'application/x-www-form-urlencoded; charset=utf-8',
  ]);
  const headers = { ...auth, 'content-type': type };
  if (type === '') delete headers['content-type'];
  const b = type.includes('form-urlencoded') && !path.includes('acs') && rng.chance(0.6) ? new URLSearchParams(Object.entries(JSON.parse(body)).map(([k, v]) => [k, String(v)])).toString() : body;
  return { method: 'POST', path, headers, body: b };
}
