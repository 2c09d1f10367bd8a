import { expect } from '@jest/globals';
import type request from 'supertest';
import { scimError, type ScimClient } from './scim-fixtures.js';

export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTRA_GROUP_EXTENSION = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';
const SCIM_JSON = /^application\/scim\+json/;

export interface ScimGroupJson {
  schemas: string[];
  id: string;
  externalId?: string;
  displayName: string;
  members?: { value: string; display: string; $ref: string; type: string }[];
  meta: { resourceType: string; created: string; lastModified: string; location: string; version: string };
}

/** Creates `n` SCIM users in the client's tenant; returns their ids in creation order. */
export async function createScimUsers(scim: ScimClient, n: number, prefix: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 1; i <= n; i++) {
    const res = await scim.post('Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: `${prefix}${i}@example.com`,
      name: { givenName: `${prefix}`, familyName: `Member${i}` },
    });
    if (res.status !== 201) throw new Error(`user create failed: ${res.status} ${res.text}`);
    ids.push((res.body as { id: string }).id);
  }
  return ids;
}

export function expectScimError(res: request.Response, status: number, scimType?: string, detail?: unknown): void {
  expect({ status: res.status, type: res.headers['content-type'], body: res.body as unknown }).toEqual({
    status,
    type: expect.stringMatching(SCIM_JSON),
    body: scimError(status, scimType, detail),
  });
}

/** The member ids of a group as GET /Groups/{id} returns them, sorted. */
export async function memberIds(scim: ScimClient, groupId: string): Promise<string[]> {
  const res = await scim.get(`Groups/${groupId}`);
  if (res.status !== 200) throw new Error(`group read failed: ${res.status} ${res.text}`);
  return ((res.body as ScimGroupJson).members ?? []).map((m) => m.value).sort();
}
