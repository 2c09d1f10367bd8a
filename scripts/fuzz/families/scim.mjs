// SCIM: resource bodies (POST/PUT Users and Groups), filters and list parameters, PATCH
// operations in the shapes Entra and Okta send, ETags, content types.
import { enc, INJECTIONS, UNICODE } from '../prng.mjs';
import { jsonBody, mutateText } from '../mutate.mjs';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const CONTENT_TYPES = ['application/scim+json', 'application/scim+json; charset=utf-8', 'application/json', 'application/json; charset=latin1', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/scim+json; charset=utf-16', 'application/xml', '', 'application/scim+json;;;', 'APPLICATION/SCIM+JSON'];

function scimHeaders(rng, ctx, extra = {}) {
  const headers = { authorization: `Bearer ${ctx.scimToken}`, 'content-type': rng.chance(0.85) ? rng.pick(CONTENT_TYPES.slice(0, 3)) : rng.pick(CONTENT_TYPES), ...extra };
  if (rng.chance(0.04)) headers.authorization = rng.pick(['Bearer', `Bearer ${ctx.scimToken}x`, `bearer ${ctx.scimToken}`, `Basic ${ctx.scimToken}`, `Bearer ${'a'.repeat(rng.size(20000))}`, `Bearer ${ctx.scimToken} ${ctx.scimToken}`]);
  return headers;
}

function userResource(rng, ctx) {
  const n = rng.int(0, 1_000_000);
  const userName = rng.chance(0.1) ? rng.pick(ctx.scimUsers).userName : `fz${n}@${ctx.slug}.test`;
  return {
    schemas: rng.chance(0.5) ? [CORE] : [CORE, ENTERPRISE],
    externalId: `ext-${n}`,
    userName,
    name: { givenName: rng.pick(['Ann', 'Ünal', 'İlke', '李']), familyName: 'Fuzz', formatted: 'Ann Fuzz' },
    displayName: 'Ann Fuzz',
    emails: [{ value: userName, type: 'work', primary: true }],
    active: rng.pick([true, false, 'True', 'False']),
    [ENTERPRISE]: { department: 'QA', manager: { value: rng.pick(ctx.scimUsers).id } },
  };
}

function groupResource(rng, ctx) {
  return { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `G${rng.int(0, 999)}`, externalId: 'g', members: ctx.scimUsers.slice(0, rng.int(0, 4)).map((u) => ({ value: u.id, display: u.userName })) };
}

function targetId(rng, ctx) {
  return rng.weighted([
    [6, () => rng.pick(ctx.scimUsers).id],
    [1, () => rng.pick(ctx.users).id],
    [1, () => '00000000-0000-0000-0000-000000000000'],
    [1, () => enc(rng.oddString()).slice(0, rng.pick([40, 200, 5000]))],
    [1, () => rng.pick(['..', '%2e%2e', '%00', 'null', '1', 'ffffffff-ffff-ffff-ffff-fffffffffffff', '%F0%9F%98%80'])],
  ])();
}

const ATTRS = ['userName', 'externalId', 'id', 'active', 'emails', 'emails.value', 'emails[type eq "work"].value', 'name.givenName', 'name.familyName', 'displayName', 'meta.lastModified', 'meta.created', 'title', `${ENTERPRISE}:department`, `${CORE}:userName`, 'USERNAME', 'members', 'groups', 'x'];
const OPS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr', 'EQ', 'Eq', 'xx', ''];

function filterValue(rng, ctx) {
  return rng.weighted([
    [4, () => `"${rng.pick(ctx.scimUsers).userName}"`],
    [2, () => JSON.stringify(rng.oddString())],
    [1, () => rng.pick(['true', 'false', 'null', '1', '-1.5e3', '"2026-02-30T00:00:00Z"', '"2026-01-01T00:00:00Z"', '"\\"', '"\\u0000"', '"', "'x'", '"a\\"b"', '"%"', '"_"'])],
    [1, () => `"${rng.pick(UNICODE)}${rng.pick(INJECTIONS)}"`],
  ])();
}

function filterExpr(rng, ctx, depth = 0) {
  return rng.weighted([
    [5, () => `${rng.pick(ATTRS)} ${rng.pick(OPS)} ${filterValue(rng, ctx)}`],
    [1, () => `${rng.pick(ATTRS)} pr`],
    [depth < 4 ? 2 : 0, () => `${filterExpr(rng, ctx, depth + 1)} ${rng.pick(['and', 'or', 'AND', 'Or', 'xor'])} ${filterExpr(rng, ctx, depth + 1)}`],
    [depth < 4 ? 1 : 0, () => `not (${filterExpr(rng, ctx, depth + 1)})`],
    [depth < 4 ? 1 : 0, () => `emails[${filterExpr(rng, ctx, depth + 1)}]`],
    [1, () => { const d = rng.size(20000); return `${'('.repeat(d)}userName eq "x"${')'.repeat(rng.chance(0.7) ? d : rng.int(0, d))}`; }],
    [1, () => Array.from({ length: rng.size(3000) }, () => `userName eq "u${rng.int(0, 9)}"`).join(' or ')],
    [1, () => rng.pick(['', ' ', 'userName', 'userName eq', 'eq "x"', '(', ')', '[', ']', '"', 'userName eq "x" and', 'userName eq "x"]', 'not', 'emails[type eq "work"', 'emails[value eq "x"]]', 'userName eq "unterminated'])],
  ])();
}

function listQuery(rng, ctx) {
  const params = [];
  if (rng.chance(0.8)) params.push(['filter', rng.chance(0.1) ? mutateText(rng, filterExpr(rng, ctx)) : filterExpr(rng, ctx)]);
  if (rng.chance(0.3)) params.push(['startIndex', String(rng.oddValue())]);
  if (rng.chance(0.3)) params.push(['count', rng.pick(['0', '-1', '1', '100', '1000000', '1e3', 'NaN', 'x', '9'.repeat(30)])]);
  if (rng.chance(0.15)) params.push(['cursor', rng.pick(['', 'x', 'eyJ4IjoxfQ', '%00', 'A'.repeat(rng.size(5000))])]);
  if (rng.chance(0.15)) params.push([rng.pick(['attributes', 'excludedAttributes', 'sortBy', 'sortOrder']), rng.pick(ATTRS)]);
  if (rng.chance(0.1)) params.push([rng.pick(['filter', 'count', 'startIndex']), 'dup']);
  return params.map(([k, v]) => `${k}=${rng.chance(0.9) ? enc(v) : v.replace(/[ #]/g, '+')}`).join('&');
}

export function scimResources(rng, ctx) {
  const base = `/scim/v2/${ctx.slug}`;
  const kind = rng.weighted([[6, 'Users'], [1, 'Groups']]);
  const method = rng.weighted([[5, 'POST'], [3, 'PUT'], [1, 'GET'], [1, 'DELETE']]);
  const resource = kind === 'Users' ? userResource(rng, ctx) : groupResource(rng, ctx);
  const headers = scimHeaders(rng, ctx);
  if (method === 'POST') return { method, path: `${base}/${kind}`, headers, body: jsonBody(rng, resource) };
  const id = targetId(rng, ctx);
  if (method === 'PUT') {
    if (rng.chance(0.3)) headers['if-match'] = etag(rng, ctx);
    return { method, path: `${base}/${kind}/${id}`, headers, body: jsonBody(rng, resource) };
  }
  if (method === 'DELETE' && rng.chance(0.5)) headers['if-match'] = etag(rng, ctx);
  if (method === 'DELETE' && rng.chance(0.7)) return { method: 'GET', path: `${base}/${kind}/${id}`, headers };
  return { method, path: `${base}/${kind}/${id}`, headers };
}

export function scimFilters(rng, ctx) {
  const headers = scimHeaders(rng, ctx);
  delete headers['content-type'];
  const kind = rng.weighted([[8, 'Users'], [1, 'Groups']]);
  return { method: 'GET', path: `/scim/v2/${ctx.slug}/${kind}${rng.chance(0.1) ? '/' : ''}?${listQuery(rng, ctx)}`, headers };
}

function patchOperation(rng, ctx) {
  return rng.weighted([
    // Entra: capitalised ops, string booleans, one path per operation.
    [3, () => ({ op: rng.pick(['Replace', 'Add', 'Remove']), path: rng.pick(['active', 'userName', 'displayName', 'name.givenName', 'emails[type eq "work"].value', `${ENTERPRISE}:manager`, 'externalId', 'title', 'phoneNumbers[type eq "mobile"].value', 'addresses[type eq "work"].streetAddress']), value: rng.pick(['False', 'True', 'x', `new@${ctx.slug}.test`, { value: ctx.scimUsers[0].id }]) })],
    // Okta: lower-case, no path, a value object.
    [3, () => ({ op: 'replace', value: rng.pick([{ active: false }, { active: true }, { userName: `r${rng.int(0, 99)}@${ctx.slug}.test` }, { 'name.givenName': 'A', 'name.familyName': 'B' }, { emails: [{ value: 'x@y.test', primary: true }] }]) })],
    // Groups shapes.
    [1, () => ({ op: rng.pick(['add', 'remove', 'replace']), path: rng.pick(['members', 'members[value eq "x"]', 'displayName']), value: [{ value: ctx.scimUsers[1].id, display: 'x' }] })],
    [1, () => ({ op: rng.pick(['copy', 'move', 'test', '', 'REPLACE', 'rem ove']), path: rng.pick(ATTRS), value: rng.oddValue() })],
    [1, () => ({ op: 'replace', path: `${'emails['.repeat(rng.size(2000))}type eq "work"${']'.repeat(rng.int(0, 2000))}.value`, value: 'x' })],
  ])();
}

export function scimPatch(rng, ctx) {
  const kind = rng.weighted([[6, 'Users'], [1, 'Groups']]);
  const headers = scimHeaders(rng, ctx);
  if (rng.chance(0.3)) headers['if-match'] = etag(rng, ctx);
  const body = { schemas: rng.chance(0.9) ? [PATCH_OP] : [rng.oddString()], Operations: Array.from({ length: rng.weighted([[8, 1], [3, rng.int(2, 5)], [1, rng.size(3000)]]) }, () => patchOperation(rng, ctx)) };
  return { method: 'PATCH', path: `/scim/v2/${ctx.slug}/${kind}/${targetId(rng, ctx)}`, headers, body: jsonBody(rng, body, { valid: 0.3 }) };
}

function etag(rng, ctx) {
  const real = rng.pick(ctx.scimUsers).etag ?? 'W/"1"';
  return rng.pick([real, '*', 'W/"0"', '"1"', 'W/', '', '"', `${real}, ${real}`, `W/"${'9'.repeat(rng.size(2000))}"`, 'W/"\u00ff"', real.replace('W/', ''), `W/"${rng.oddString().slice(0, 100)}"`]);
}

export function scimEtags(rng, ctx) {
  const user = rng.pick(ctx.scimUsers);
  const headers = scimHeaders(rng, ctx, { [rng.pick(['if-match', 'if-none-match', 'If-Match'])]: etag(rng, ctx) });
  const method = rng.pick(['GET', 'PUT', 'PATCH', 'DELETE']);
  const path = `/scim/v2/${ctx.slug}/Users/${user.id}`;
  if (method === 'PUT') return { method, path, headers, body: JSON.stringify({ schemas: [CORE], userName: user.userName, active: true }) };
  if (method === 'PATCH') return { method, path, headers, body: JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'E' }] }) };
  if (method === 'DELETE' && rng.chance(0.8)) return { method: 'GET', path, headers };
  return { method, path, headers };
}
