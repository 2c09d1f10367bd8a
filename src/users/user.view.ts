import type { UserView } from '../contract/api-views.js';
import type { UserEntity } from './user.entity.js';

export type { UserView };

/** The admin API's user object (CONTRACT section 2; the type is the contract's). */
export function toUserView(user: UserEntity): UserView {
  return {
    id: user.id,
    email: user.email,
    givenName: user.givenName,
    familyName: user.familyName,
    active: user.active,
    role: user.role,
    licenses: [...user.licenses],
    source: user.source,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
    lastLoginAt: user.lastLoginAt ? user.lastLoginAt.toISOString() : null,
    scimRemoved: user.scimRemovedAt !== null,
  };
}
