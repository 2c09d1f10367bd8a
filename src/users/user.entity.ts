import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import type { LicenseKey } from './licenses.js';

export const USER_ROLES = ['system_admin', 'user'] as const;
export type UserRole = (typeof USER_ROLES)[number];
export const USER_SOURCES = ['manual', 'scim'] as const;
export type UserSource = (typeof USER_SOURCES)[number];

/** The one user model: console users and SCIM users are the same row. */
@Entity({ name: 'users' })
export class UserEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @PrimaryColumn({ type: 'uuid', default: () => 'gen_random_uuid()' })
  id!: string;

  @Column({ type: 'varchar', length: 254 })
  email!: string;

  @Column({ name: 'given_name', type: 'varchar', length: 200, default: '' })
  givenName!: string;

  @Column({ name: 'family_name', type: 'varchar', length: 200, default: '' })
  familyName!: string;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @Column({ type: 'varchar', length: 20, default: 'user' })
  role!: UserRole;

  @Column({ name: 'password_hash', type: 'text', nullable: true, select: true })
  passwordHash!: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  licenses!: LicenseKey[];

  @Column({ type: 'varchar', length: 10, default: 'manual' })
  source!: UserSource;

  @Column({ name: 'external_id', type: 'varchar', length: 255, nullable: true })
  externalId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'last_login_at', type: 'timestamptz', nullable: true })
  lastLoginAt!: Date | null;

  @VersionColumn({ type: 'integer', default: 1 })
  version!: number;
}
