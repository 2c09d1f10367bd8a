import type { UserRole, UserSource } from '../contract/api-views.js';
import type { LicenseKey } from './licenses.js';

export type { UserRole, UserSource };
/** The roles, as a list the DTOs validate against (the type is the contract's). */
export const USER_ROLES = ['system_admin', 'user'] as const satisfies readonly UserRole[];

/**
 * The one user model: console users and SCIM users are the same row. Read and written only by
 * UsersRepository, with the mapping in user-row.ts (the schema is the migrations').
 */
export class UserEntity {
  tenantId!: string;
  id!: string;
  email!: string;
  givenName!: string;
  familyName!: string;
  active!: boolean;
  role!: UserRole;
  passwordHash!: string | null;
  licenses!: LicenseKey[];
  source!: UserSource;
  externalId!: string | null;
  createdAt!: Date;
  updatedAt!: Date;
  lastLoginAt!: Date | null;
  /** Bumped by every write; SCIM's ETag (W/"n"). */
  version!: number;
  /** SCIM displayName as the identity provider sent it; null: never sent (derived from the names). */
  displayName!: string | null;
  /** When the identity provider deleted the user (SCIM DELETE): gone for SCIM, kept (inactive) in the User List. */
  scimRemovedAt!: Date | null;
}
