import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { isUniqueViolation } from '../common/database/pg-errors.js';
import { UsersService } from '../users/users.service.js';
import type { GroupCriteria, GroupKeyset } from './group-criteria.js';
import type { GroupEntity, GroupMember } from './group.entity.js';
import { DISPLAY_NAME_INDEX, GroupsRepository } from './groups.repository.js';

/** One change of a group's member list; each is one statement, whatever the number of users. */
export interface MembershipChange {
  kind: 'add' | 'remove' | 'replace';
  /** User ids (UUIDs). add/replace: each must be a user of the tenant not removed by SCIM. */
  userIds: string[];
}

/** A write to a group: attributes left undefined keep their value; membership changes apply in order. */
export interface GroupWrite {
  displayName?: string;
  externalId?: string | null;
  memberships: MembershipChange[];
}

/** Why the groups module refused a write; each caller renders it in its own wire format. */
export type GroupRefusal = 'not_found' | 'display_name_taken' | 'unknown_members';

export class GroupChangeRefused extends Error {
  constructor(
    readonly code: GroupRefusal,
    message: string,
    /** unknown_members: the values that are not live users of the tenant. */
    readonly values: string[] = [],
  ) {
    super(message);
  }
}

export interface AppliedGroupChange {
  before: Readonly<GroupEntity>;
  group: GroupEntity;
}

/**
 * Groups and their memberships: every write of the groups and group_members tables goes through
 * here, inside the caller's transaction (the caller audits it). Member ids are checked against
 * the users module first (live users of the tenant, share-locked), then the group row is locked:
 * always users before groups, the order a user removal takes them too, so the two never deadlock.
 */
@Injectable()
export class GroupsService {
  constructor(
    private readonly groups: GroupsRepository,
    private readonly users: UsersService,
  ) {}

  findById(tenantId: string, id: string): Promise<GroupEntity | null> {
    return this.groups.findById(tenantId, id);
  }

  searchPage(tenantId: string, criteria: GroupCriteria | null, offset: number, limit: number, from?: GroupKeyset): Promise<GroupEntity[]> {
    return this.groups.searchPage(tenantId, criteria, offset, limit, from);
  }

  keyAt(tenantId: string, criteria: GroupCriteria | null, offset: number, from?: GroupKeyset): Promise<string | null> {
    return this.groups.keyAt(tenantId, criteria, offset, from);
  }

  count(tenantId: string, criteria: GroupCriteria | null): Promise<number> {
    return this.groups.count(tenantId, criteria);
  }

  /** The members of the groups in (group id, user id) order, `chunk` at a time (see GroupsRepository.members). */
  members(tenantId: string, groupIds: readonly string[], chunk: number): AsyncGenerator<GroupMember[]> {
    return this.groups.members(tenantId, groupIds, chunk);
  }

  /** Creates a group with its first members. Refuses display_name_taken and unknown_members. */
  async create(tenantId: string, input: { displayName: string; externalId: string | null; memberIds: string[] }, m: EntityManager): Promise<GroupEntity> {
    await this.checkMembers(tenantId, [{ kind: 'add', userIds: input.memberIds }], m);
    let group: GroupEntity;
    try {
      group = await this.groups.insert(tenantId, input.displayName, input.externalId, m);
    } catch (err) {
      throw displayNameTaken(err, input.displayName);
    }
    if (input.memberIds.length === 0) return group;
    await this.groups.addMembers(tenantId, group.id, unique(input.memberIds), m);
    return (await this.groups.findById(tenantId, group.id, m))!;
  }

  /**
   * Applies a write: members checked (all or none), the group locked, the caller's precondition
   * (SCIM's If-Match) run on it, each membership change as one statement, then the attributes and
   * a new version in one more.
   */
  async change(tenantId: string, id: string, write: GroupWrite, precondition: (group: GroupEntity) => void, m: EntityManager): Promise<AppliedGroupChange> {
    await this.checkMembers(tenantId, write.memberships, m);
    const before = await this.groups.findByIdForUpdate(tenantId, id, m);
    if (!before) throw new GroupChangeRefused('not_found', `No group with id ${id} in this tenant`);
    precondition(before);
    for (const change of write.memberships) {
      const ids = unique(change.userIds);
      if (change.kind === 'add') await this.groups.addMembers(tenantId, id, ids, m);
      else if (change.kind === 'remove') await this.groups.removeMembers(tenantId, id, ids, m);
      else await this.groups.replaceMembers(tenantId, id, ids, m);
    }
    const displayName = write.displayName ?? before.displayName;
    const externalId = write.externalId === undefined ? before.externalId : write.externalId;
    try {
      return { before, group: await this.groups.update(tenantId, id, displayName, externalId, m) };
    } catch (err) {
      throw displayNameTaken(err, displayName);
    }
  }

  /** Deletes the group and its memberships (its users stay); returns the group as it was. */
  async delete(tenantId: string, id: string, precondition: (group: GroupEntity) => void, m: EntityManager): Promise<GroupEntity> {
    const group = await this.groups.findByIdForUpdate(tenantId, id, m);
    if (!group) throw new GroupChangeRefused('not_found', `No group with id ${id} in this tenant`);
    precondition(group);
    await this.groups.delete(tenantId, id, m);
    return group;
  }

  /** Every user an add or replace names must be a live user of the tenant: one statement for all. */
  private async checkMembers(tenantId: string, changes: MembershipChange[], m: EntityManager): Promise<void> {
    const wanted = unique(changes.filter((c) => c.kind !== 'remove').flatMap((c) => c.userIds));
    if (wanted.length === 0) return;
    const live = await this.users.lockLiveIds(tenantId, wanted, m);
    const missing = wanted.filter((userId) => !live.has(userId));
    if (missing.length > 0) {
      const named = missing.slice(0, 5).join(', ') + (missing.length > 5 ? ` and ${missing.length - 5} more` : '');
      throw new GroupChangeRefused('unknown_members', `Not a user of this tenant (or removed by the identity provider): ${named}`, missing);
    }
  }
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids.map((id) => id.toLowerCase()))];
}

function displayNameTaken(err: unknown, displayName: string): unknown {
  return isUniqueViolation(err, DISPLAY_NAME_INDEX)
    ? new GroupChangeRefused('display_name_taken', `A group with displayName ${JSON.stringify(displayName)} already exists in this tenant (names are compared without regard to case)`)
    : err;
}
