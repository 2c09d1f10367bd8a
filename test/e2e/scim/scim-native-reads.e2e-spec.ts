import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { ScimAuthGuard } from '../../../src/scim/scim-auth.guard.js';
import { createScimTenant, type ScimTenantFixture } from '../../utils/scim-fixtures.js';
import { createScimUsers, GROUP_SCHEMA } from '../../utils/scim-groups.js';
import { listen } from '../../utils/raw-http.js';
import { startTestApp, type TestApp } from '../../utils/test-app.js';

/** Everything the server sent on a connection it closes after one response, with the Date line (the clock's) taken out. */
function exchange(port: number, method: string, path: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1').replace(/\r\nDate: [^\r]*/, '')));
    const lines = [`${method} ${path} HTTP/1.1`, 'Host: localhost', 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  });
}

/**
 * GET /Users and GET /Users/{id} are served by plain Fastify handlers in production
 * (scim-native-reads.ts) instead of Nest's route pipeline. Two instances on one database, one each
 * way, must answer every request with the same bytes: successes, projections, paging, and every
 * failure the gate, the filter parser and the lookups can give.
 */
describe('SCIM native reads', () => {
  let native: TestApp;
  let nest: TestApp;
  let nativePort: number;
  let nestPort: number;
  let f: ScimTenantFixture;
  let ids: string[];
  const guardCalls = jest.spyOn(ScimAuthGuard.prototype, 'canActivate');

  beforeAll(async () => {
    native = await startTestApp();
    nest = await startTestApp({}, native.db, { nativeScimReads: false });
    nativePort = await listen(native);
    nestPort = await listen(nest);
    f = await createScimTenant(native);
    ids = await createScimUsers(f.scim, 5, 'native');
    await f.scim.patch(`Users/${ids[1]}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] });
    const group = await f.scim.post('Groups', { schemas: [GROUP_SCHEMA], displayName: `Native ${randomUUID().slice(0, 6)}`, members: [{ value: ids[0] }] });
    expect(group.status).toBe(201);
  });
  afterAll(async () => {
    guardCalls.mockRestore();
    await nest.close();
    await native.close();
  });

  const userName = async (id: string) => ((await f.scim.get(`Users/${id}`)).body as { userName: string }).userName;
  const q = (filter: string) => encodeURIComponent(filter);

  it('answers every read with the bytes Nest answers it with', async () => {
    const base = `/scim/v2/${f.tenant.slug}`;
    const first = await userName(ids[0]!);
    const requests: [string, string, Record<string, string>?][] = [
      ['GET', `${base}/Users?filter=${q(`userName eq "${first}"`)}`],
      ['GET', `${base}/Users?filter=${q(`userName eq "${first.toUpperCase()}"`)}`],
      ['GET', `${base}/Users?filter=${q('userName eq "nobody@example.com"')}`],
      ['GET', `${base}/Users/?filter=${q(`userName eq "${first}"`)}&attributes=userName,active`],
      ['GET', `${base}/Users?filter=${q(`userName eq "${first}"`)}&excludedAttributes=emails,groups`],
      ['GET', `${base}/Users?filter=${q('active eq false')}`],
      ['GET', `${base}/Users?filter=${q('userName sw "native"')}&count=2`],
      ['GET', `${base}/Users?startIndex=3&count=2`],
      ['GET', `${base}/Users?startIndex=1&count=0`],
      ['GET', `${base}/Users?cursor=&count=100`],
      ['GET', `${base}/Users`],
      ['HEAD', `${base}/Users?filter=${q(`userName eq "${first}"`)}`],
      ['GET', `${base}/Users/${ids[0]}`],
      ['GET', `${base}/Users/${ids[1]}?attributes=active`],
      ['GET', `${base}/Users/${ids[2]}?excludedAttributes=name`],
      ['HEAD', `${base}/Users/${ids[0]}`],
      // Failures: the filter, the parameters, the lookups, the gate.
      ['GET', `${base}/Users?filter=${q('userName eq')}`],
      ['GET', `${base}/Users?filter=${q('nickName eq "x"')}`],
      ['GET', `${base}/Users?filter=a&filter=b`],
      ['GET', `${base}/Users?count=ten`],
      ['GET', `${base}/Users?startIndex=1&cursor=`],
      ['GET', `${base}/Users?cursor=forged`],
      ['GET', `${base}/Users?attributes=${q('name.')}`],
      ['GET', `${base}/Users/${randomUUID()}`],
      ['GET', `${base}/Users/not-a-uuid`],
      ['GET', `${base}/Users/${'x'.repeat(101)}`],
      ['GET', `${base}/Users/%E0%A4%A`],
      ['GET', `${base}/Users`, { authorization: 'Bearer wrong' }],
      ['GET', `${base}/Users/${ids[0]}`, { authorization: '' }],
      ['GET', `/scim/v2/no-such-tenant/Users?filter=${q(`userName eq "${first}"`)}`],
    ];
    const statuses = new Set<number>();
    for (const [method, path, headers] of requests) {
      const sent = { authorization: `Bearer ${f.scim.token}`, 'x-request-id': `cmp-${randomUUID()}`, ...headers };
      const viaNest = await exchange(nestPort, method, path, sent);
      const viaNative = await exchange(nativePort, method, path, sent);
      expect({ method, path, response: viaNative }).toEqual({ method, path, response: viaNest });
      statuses.add(Number(/^HTTP\/1\.1 (\d{3}) /.exec(viaNest)?.[1]));
    }
    // The matrix reached every kind of answer: found, refused parameters, not found, no admission, bad URL.
    expect([...statuses].sort()).toEqual([200, 400, 401, 404, 414]);
  });

  it('keeps the native instance off Nest’s guard pipeline, and the comparison instance on it', async () => {
    const path = `/scim/v2/${f.tenant.slug}/Users?filter=${q(`userName eq "${await userName(ids[3]!)}"`)}`;
    const sent = { authorization: `Bearer ${f.scim.token}` };
    guardCalls.mockClear();
    expect(await exchange(nativePort, 'GET', path, sent)).toMatch(/^HTTP\/1\.1 200 /);
    expect(await exchange(nativePort, 'GET', `/scim/v2/${f.tenant.slug}/Users/${ids[3]}`, sent)).toMatch(/^HTTP\/1\.1 200 /);
    expect(guardCalls).not.toHaveBeenCalled();
    expect(await exchange(nestPort, 'GET', path, sent)).toMatch(/^HTTP\/1\.1 200 /);
    expect(guardCalls).toHaveBeenCalledTimes(1);
  });
});
