import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Readable } from 'node:stream';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { KeyRing } from '../common/crypto/key-ring.js';
import { AppConfig } from '../config/app-config.js';
import { PublicUrls } from '../config/public-urls.js';
import type { GroupCriteria } from '../groups/group-criteria.js';
import type { GroupEntity } from '../groups/group.entity.js';
import { GroupChangeRefused, GroupsService, type GroupWrite } from '../groups/groups.service.js';
import { ScimKeysetPaging, type ScimPagingQuery } from './scim-keyset-paging.js';
import { ScimPageAnchorsRepository } from './scim-page-anchors.repository.js';
import type { ScimTenant } from './scim-request.js';
import { auditedScimWrite, type ScimWriteContext } from './scim-audited-write.js';
import { ifMatchSatisfied } from './scim-users.service.js';
import { attributeProjection, type ScimProjection } from './wire/scim-attributes.js';
import { ScimException } from './wire/scim-exception.js';
import { groupsJson } from './wire/scim-group-json.js';
import { parseScimGroupPatch } from './wire/scim-group-patch.js';
import { scimFilterToGroupCriteria } from './wire/scim-group-filter.js';
import { groupEtag, readScimGroupInput, toScimGroupHead, type ScimGroupHead } from './wire/scim-group.js';
import { SCIM_LIST_RESPONSE_SCHEMA } from './wire/scim-schemas.js';

/** Members read per statement when a response carries them: ~0.5 MB of JSON at a time. */
const MEMBER_CHUNK = 5000;

export interface ScimGroupListQuery extends ScimPagingQuery {
  filter?: unknown;
}

/** A group as a response carries it: the ETag for the header and the JSON body, streamed. */
export interface ScimGroupBody {
  etag: string;
  location: string;
  body: Readable;
}

type WriteContext = ScimWriteContext;

/**
 * SCIM /Groups on the groups module: every write goes through GroupsService in one transaction
 * (all operations of a request or none) with SCIM's If-Match as its precondition, and is audited
 * (kind "scim"): success in the same transaction, failure with its reason after the rollback.
 * Responses are written as streams (groupsJson): members are read in chunks, and not at all when
 * the projection leaves them out.
 */
@Injectable()
export class ScimGroupsService {
  private readonly paging: ScimKeysetPaging<GroupEntity, GroupCriteria>;

  constructor(
    private readonly groups: GroupsService,
    private readonly audit: AuditService,
    private readonly urls: PublicUrls,
    @InjectDataSource() private readonly dataSource: DataSource,
    anchors: ScimPageAnchorsRepository,
    config: AppConfig,
    keys: KeyRing,
  ) {
    const source = {
      page: (tenantId: string, criteria: GroupCriteria | null, offset: number, limit: number, from?: { id: string; backward: boolean }) =>
        groups.searchPage(tenantId, criteria, offset, limit, from && { groupId: from.id, backward: from.backward }),
      keyAt: (tenantId: string, criteria: GroupCriteria | null, offset: number, from?: { id: string; backward: boolean }) =>
        groups.keyAt(tenantId, criteria, offset, from && { groupId: from.id, backward: from.backward }),
      count: (tenantId: string, criteria: GroupCriteria | null) => groups.count(tenantId, criteria),
    };
    this.paging = new ScimKeysetPaging('Group', source, anchors, keys, config.SCIM_CURSOR_TIMEOUT_SECONDS);
  }

  /** GET /Groups: a ListResponse whose Resources are written as the members arrive. */
  async list(tenant: ScimTenant, query: ScimGroupListQuery, projection: ScimProjection): Promise<Readable> {
    let criteria: GroupCriteria | null = null;
    if (query.filter !== undefined) {
      if (typeof query.filter !== 'string') throw new ScimException(400, 'invalidFilter', 'Give one filter parameter');
      criteria = scimFilterToGroupCriteria(query.filter);
    }
    const page = await this.paging.page(tenant.id, criteria, query);
    // Resources in id order (the list order), so one keyset walk of group_members serves the page.
    const envelope: Record<string, unknown> = { schemas: [SCIM_LIST_RESPONSE_SCHEMA], totalResults: page.totalResults };
    if (page.kind === 'index') envelope.startIndex = page.startIndex;
    envelope.itemsPerPage = page.items.length;
    if (page.kind === 'cursor') {
      if (page.nextCursor) envelope.nextCursor = page.nextCursor;
      if (page.previousCursor) envelope.previousCursor = page.previousCursor;
    }
    const head = JSON.stringify({ ...envelope, Resources: [] }).slice(0, -2); // …"Resources":[
    const resources = this.resourcesJson(tenant, page.items, projection);
    return textStream(
      (async function* () {
        yield head;
        yield* resources;
        yield ']}';
      })(),
    );
  }

  async get(tenant: ScimTenant, id: string, projection: ScimProjection): Promise<ScimGroupBody> {
    const group = await this.groups.findById(tenant.id, id);
    if (!group) throw ScimException.notFound(id);
    return this.body(tenant, group, projection);
  }

  /** The response body of one group (after a write too: read back from the database in chunks). */
  body(tenant: ScimTenant, group: GroupEntity, projection: ScimProjection): ScimGroupBody {
    const location = this.location(tenant, group.id);
    return { etag: groupEtag(group.version), location, body: textStream(this.resourcesJson(tenant, [group], projection)) };
  }

  /** POST /Groups: 409 uniqueness for a taken displayName (any case); members optional. */
  create(tenant: ScimTenant, body: unknown): Promise<GroupEntity> {
    return this.write(tenant, { action: 'group.create', target: null, details: {} }, async (m, ctx) => {
      const input = readScimGroupInput(body);
      ctx.target = input.displayName;
      ctx.details.members = input.memberIds.length;
      const group = await this.groups.create(tenant.id, input, m);
      ctx.details.id = group.id;
      return group;
    });
  }

  /** PUT /Groups/{id}: displayName, externalId and the whole member list replaced. */
  replace(tenant: ScimTenant, id: string, body: unknown, ifMatch: string | undefined): Promise<GroupEntity> {
    return this.write(tenant, { action: 'group.update', target: id, details: { method: 'PUT' } }, async (m, ctx) => {
      const input = readScimGroupInput(body);
      const write: GroupWrite = { displayName: input.displayName, externalId: input.externalId, memberships: [{ kind: 'replace', userIds: input.memberIds }] };
      return this.change(tenant, id, write, ifMatch, m, ctx);
    });
  }

  /** PATCH /Groups/{id}: every operation of the PatchOp in one transaction, or none. */
  patch(tenant: ScimTenant, id: string, body: unknown, ifMatch: string | undefined): Promise<GroupEntity> {
    return this.write(tenant, { action: 'group.update', target: id, details: { method: 'PATCH' } }, async (m, ctx) => {
      return this.change(tenant, id, parseScimGroupPatch(body), ifMatch, m, ctx);
    });
  }

  /** DELETE /Groups/{id}: the group and its memberships go; its users stay as they are. */
  async delete(tenant: ScimTenant, id: string, ifMatch: string | undefined): Promise<void> {
    await this.write(tenant, { action: 'group.delete', target: id, details: { method: 'DELETE' } }, async (m, ctx) => {
      const group = await this.groups.delete(tenant.id, id, (g) => this.precondition(g, ifMatch, ctx), m);
      ctx.details.members = group.memberCount;
    });
  }

  private async change(tenant: ScimTenant, id: string, write: GroupWrite, ifMatch: string | undefined, m: EntityManager, ctx: WriteContext): Promise<GroupEntity> {
    const { before, group } = await this.groups.change(tenant.id, id, write, (g) => this.precondition(g, ifMatch, ctx), m);
    ctx.details.memberships = write.memberships.map((c) => ({ [c.kind]: c.userIds.length }));
    ctx.details.memberCount = group.memberCount;
    if (before.displayName !== group.displayName) ctx.details.previousDisplayName = before.displayName;
    ctx.target = group.displayName;
    return group;
  }

  private precondition(group: GroupEntity, ifMatch: string | undefined, ctx: WriteContext): void {
    ctx.target = group.displayName;
    ctx.details.id = group.id;
    if (!ifMatchSatisfied(ifMatch, group.version)) {
      throw new ScimException(412, undefined, `The group has changed since that version; its current version is ${groupEtag(group.version)}`);
    }
  }

  private write<T>(tenant: ScimTenant, ctx: WriteContext, run: (m: EntityManager, ctx: WriteContext) => Promise<T>): Promise<T> {
    return auditedScimWrite(this.dataSource, this.audit, tenant.id, ctx, run, (err) => (err instanceof GroupChangeRefused ? scimRefusal(err) : err));
  }

  /** The groups as JSON text, members (when projected) read in one keyset walk for all of them. */
  private resourcesJson(tenant: ScimTenant, groups: GroupEntity[], projection: ScimProjection): AsyncGenerator<string> {
    const sorted = [...groups].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const heads: ScimGroupHead[] = sorted.map((g) => toScimGroupHead(g, this.location(tenant, g.id)));
    const withMembers = attributeProjection(projection, 'members') ? sorted.filter((g) => g.memberCount > 0).map((g) => g.id) : [];
    const members = withMembers.length > 0 ? this.groups.members(tenant.id, withMembers, MEMBER_CHUNK) : null;
    return groupsJson(heads, projection, members, `${this.urls.scimBase(tenant.slug)}/Users`);
  }

  private location(tenant: ScimTenant, id: string): string {
    return `${this.urls.scimBase(tenant.slug)}/Groups/${id}`;
  }
}

/**
 * A byte stream of the generated text that reads ahead by at most one piece: a client reading
 * slowly holds the generator, not a queue of member chunks (an object-mode stream would buffer 16).
 */
function textStream(pieces: AsyncGenerator<string>): Readable {
  return Readable.from(pieces, { objectMode: false, highWaterMark: 64 * 1024 });
}

function scimRefusal(err: GroupChangeRefused): ScimException {
  switch (err.code) {
    case 'not_found':
      return new ScimException(404, undefined, err.message);
    case 'display_name_taken':
      return new ScimException(409, 'uniqueness', err.message);
    case 'unknown_members':
      return ScimException.invalidValue(err.message);
  }
}
