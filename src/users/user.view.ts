import type { UserEntity } from './user.entity.js';

/** The admin API's user object (CONTRACT section 2). */
export interface UserView {
  id: string;
  email: string;
  givenName: string;
  familyName: string;
  active: boolean;
  role: UserEntity['role'];
  licenses: string[];
  source: UserEntity['source'];
  createdAt: string;
  updatedAt: string;
  lastLoginAt: string | null;
}

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
  };
}
