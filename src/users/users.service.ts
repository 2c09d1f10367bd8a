import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { isUniqueViolation } from '../common/database/pg-errors.js';
import { ApiException } from '../common/http/api-exception.js';
import { isLicenseKey, LICENSE_KEYS, normaliseLicenses } from './licenses.js';
import { PasswordHasher } from './password-hasher.js';
import type { UserEntity, UserRole } from './user.entity.js';
import { UsersRepository, type UserListQuery } from './users.repository.js';

export interface NewManualUser {
  email: string;
  givenName: string;
  familyName: string;
  role?: UserRole;
  password?: string;
}

export interface UserChanges {
  licenses?: string[];
  role?: UserRole;
  active?: boolean;
  givenName?: string;
  familyName?: string;
}

/** Hook run when a user is deactivated (sessions end at once); set by the auth module. */
export type DeactivationHook = (tenantId: string, userId: string, manager: EntityManager) => Promise<void>;

@Injectable()
export class UsersService {
  private deactivationHooks: DeactivationHook[] = [];

  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  onDeactivation(hook: DeactivationHook): void {
    this.deactivationHooks.push(hook);
  }

  /**
   * Runs what must happen when a user stops being active (their sessions end), inside the
   * caller's transaction. Every path that deactivates a user (admin API, SCIM) calls this.
   */
  async runDeactivationHooks(tenantId: string, userId: string, manager: EntityManager): Promise<void> {
    for (const hook of this.deactivationHooks) await hook(tenantId, userId, manager);
  }

  async getOrThrow(tenantId: string, id: string): Promise<UserEntity> {
    const user = await this.users.findById(tenantId, id);
    if (!user) throw new ApiException(404, 'not_found', `No user with id ${id} in this tenant`);
    return user;
  }

  findByEmail(tenantId: string, email: string): Promise<UserEntity | null> {
    return this.users.findByEmail(tenantId, email);
  }

  list(tenantId: string, query: UserListQuery) {
    return this.users.list(tenantId, query);
  }

  countActiveWithoutLicenses(tenantId: string): Promise<number> {
    return this.users.countActiveWithoutLicenses(tenantId);
  }

  /** Creates a console user (source manual). 409 `email_taken` when the email exists in any case. */
  async createManual(tenantId: string, input: NewManualUser, actor: string, manager?: EntityManager): Promise<UserEntity> {
    const passwordHash = input.password ? await this.hasher.hash(input.password) : null;
    const run = async (m: EntityManager) => {
      const user = await this.users.insert(
        {
          tenantId,
          email: input.email.trim(),
          givenName: input.givenName.trim(),
          familyName: input.familyName.trim(),
          role: input.role ?? 'user',
          passwordHash,
          source: 'manual',
          active: true,
          licenses: [],
        },
        m,
      );
      await this.audit.record(tenantId, { kind: 'settings', action: 'user.create', actor, target: user.email, outcome: 'success' }, m);
      return user;
    };
    try {
      return manager ? await run(manager) : await this.dataSource.transaction(run);
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new ApiException(409, 'email_taken', `A user with the email ${input.email} already exists in this tenant`, { field: 'email' });
      }
      throw err;
    }
  }

  /**
   * True when changing a user from `before` to `after` would leave the tenant without an active
   * System Admin (nobody could then manage it). Every path that changes role or activation asks
   * this inside its transaction; a transaction-scoped lock per tenant serialises the question,
   * so two admins demoting each other at once cannot both succeed.
   */
  async wouldLeaveNoAdmin(
    tenantId: string,
    before: Pick<UserEntity, 'role' | 'active'>,
    after: Pick<UserEntity, 'role' | 'active'>,
    m: EntityManager,
  ): Promise<boolean> {
    const losesAdmin = before.role === 'system_admin' && before.active && (after.role !== 'system_admin' || !after.active);
    if (!losesAdmin) return false;
    await this.users.lockAdminsOf(tenantId, m);
    return (await this.users.countActiveAdmins(tenantId, m)) <= 1;
  }

  /** Applies an admin's changes: licenses, role, activation, names. */
  async update(tenantId: string, id: string, changes: UserChanges, actor: string): Promise<UserEntity> {
    if (changes.licenses) {
      const unknown = changes.licenses.filter((k) => !isLicenseKey(k));
      if (unknown.length > 0) {
        throw new ApiException(400, 'unknown_license', `Unknown license ${unknown.map((k) => JSON.stringify(k)).join(', ')}; known: ${LICENSE_KEYS.join(', ')}`, {
          field: 'licenses',
        });
      }
    }
    return this.dataSource.transaction(async (m) => {
      const user = await this.users.findByIdForUpdate(tenantId, id, m);
      if (!user) throw new ApiException(404, 'not_found', `No user with id ${id} in this tenant`);
      const before = { role: user.role, active: user.active };
      if (changes.licenses) user.licenses = normaliseLicenses(changes.licenses.filter(isLicenseKey));
      if (changes.role) user.role = changes.role;
      if (changes.active !== undefined) user.active = changes.active;
      if (changes.givenName !== undefined) user.givenName = changes.givenName.trim();
      if (changes.familyName !== undefined) user.familyName = changes.familyName.trim();

      if (await this.wouldLeaveNoAdmin(tenantId, before, user, m)) {
        throw new ApiException(409, 'last_admin', 'This is the last active System Admin of the tenant; make another user System Admin first');
      }
      const saved = await this.users.save(user, m);
      if (before.active && !saved.active) await this.runDeactivationHooks(tenantId, saved.id, m);
      await this.audit.record(
        tenantId,
        { kind: 'settings', action: 'user.update', actor, target: saved.email, outcome: 'success', details: { changed: Object.keys(changes) } },
        m,
      );
      return saved;
    });
  }
}
