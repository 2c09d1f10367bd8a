import type { LicenseKey } from '../users/licenses.js';

/**
 * A group of users, as the identity provider pushes it over SCIM. Read and written only by
 * GroupsRepository, with the mapping in group-row.ts (the schema is migration 1795530000000's).
 */
export class GroupEntity {
  tenantId!: string;
  id!: string;
  displayName!: string;
  externalId!: string | null;
  licenses!: LicenseKey[];
  source!: 'scim';
  /** Kept by the statements that change memberships: never a count(*) over group_members. */
  memberCount!: number;
  createdAt!: Date;
  updatedAt!: Date;
  /** Bumped by every write; SCIM's ETag (W/"n"). */
  version!: number;
}

/** One member of a group as reads show it: the user's id and display name. */
export interface GroupMember {
  groupId: string;
  userId: string;
  display: string;
}
