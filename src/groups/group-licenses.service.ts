import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { ApiException } from '../common/http/api-exception.js';
import { knownLicensesOrThrow } from '../users/licenses.js';
import type { UserEntity } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { GroupLicensesRepository, type GroupListQuery, type GroupSummary } from './group-licenses.repository.js';

/**
 * Group licenses, the System Admin's side of groups: SCIM creates groups and moves people in and
 * out; an admin gives a group licenses, which its members hold while they are members. Nothing is
 * cached: a user's effective licenses are read with the user (users/user-row.ts), so a change here
 * or in a membership shows on the member's next request.
 */
@Injectable()
export class GroupLicensesService {
  constructor(
    private readonly groups: GroupLicensesRepository,
    private readonly users: UsersService,
    private readonly audit: AuditService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  list(tenantId: string, query: GroupListQuery): Promise<{ items: GroupSummary[]; total: number }> {
    return this.groups.list(tenantId, query);
  }

  /** A page of the group's members; `total` is the group's member count (kept by every membership write). */
  async members(tenantId: string, groupId: string, offset: number, limit: number): Promise<{ items: UserEntity[]; total: number }> {
    const group = await this.groups.findById(tenantId, groupId);
    if (!group) throw notFound(groupId);
    const items = await this.users.listGroupMembers(tenantId, groupId, offset, limit);
    return { items, total: group.memberCount };
  }

  /**
   * Sets the licenses a group gives its members (400 `unknown_license`, 404 `not_found`). The row
   * is locked while it changes; the audit record (actor, the group, the licenses before and after)
   * is written in the same transaction. The same licenses again write nothing.
   */
  async setLicenses(tenantId: string, groupId: string, requested: readonly string[], actor: string): Promise<GroupSummary> {
    const licenses = knownLicensesOrThrow(requested);
    return this.dataSource.transaction(async (m) => {
      const group = await this.groups.findByIdForUpdate(tenantId, groupId, m);
      if (!group) throw notFound(groupId);
      if (group.licenses.length === licenses.length && group.licenses.every((k, i) => k === licenses[i])) return group;
      const saved = await this.groups.setLicenses(tenantId, group.id, licenses, m);
      await this.audit.record(
        tenantId,
        {
          kind: 'settings',
          action: 'group.licenses',
          actor,
          target: group.displayName,
          outcome: 'success',
          details: { groupId: group.id, before: group.licenses, after: saved.licenses },
        },
        m,
      );
      return saved;
    });
  }
}

function notFound(id: string): ApiException {
  return new ApiException(404, 'not_found', `No group with id ${id} in this tenant`);
}
