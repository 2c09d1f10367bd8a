import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { NewAuditEvent } from '../audit/audit.repository.js';
import { AuditService } from '../audit/audit.service.js';
import { isUniqueViolation } from '../common/database/pg-errors.js';
import { ApiException } from '../common/http/api-exception.js';
import { emailKey } from './email-key.js';
import { knownLicensesOrThrow, normaliseLicenses, type LicenseKey } from './licenses.js';
import { PasswordHasher } from './password-hasher.js';
import type { UserCriteria } from './user-criteria.js';
import type { UserKeyset } from './user-criteria-sql.js';
import type { UserEntity, UserRole, UserSource } from './user.entity.js';
import { UsersRepository, type NewUserRow, type UserListQuery } from './users.repository.js';

export interface NewUser {
  email: string;
  givenName: string;
  familyName: string;
  role?: UserRole;
  password?: string;
  source: UserSource;
  externalId?: string | null;
  /** SCIM displayName as sent; null or left out: derived from the names. */
  displayName?: string | null;
}

export type NewManualUser = Omit<NewUser, 'source' | 'externalId' | 'displayName'>;

/** What a change may set; a field left out keeps its value. */
export interface UserChanges {
  email?: string;
  givenName?: string;
  familyName?: string;
  active?: boolean;
  role?: UserRole;
  licenses?: LicenseKey[];
  externalId?: string | null;
  /** null: derived from the names again. */
  displayName?: string | null;
  /**
   * true: the identity provider removed the user (SCIM DELETE; pass active false with it): the
   * user leaves every group and its sessions end. false: brought back (SCIM POST of its userName).
   */
  scimRemoved?: boolean;
}
type ChangeableField = keyof UserChanges;
/** How each changeable field reads on a user, to tell what a change changed. */
const FIELD: { [K in ChangeableField]-?: (u: UserEntity) => unknown } = {
  email: (u) => u.email,
  givenName: (u) => u.givenName,
  familyName: (u) => u.familyName,
  active: (u) => u.active,
  role: (u) => u.role,
  licenses: (u) => u.licenses,
  externalId: (u) => u.externalId,
  displayName: (u) => u.displayName,
  scimRemoved: (u) => u.scimRemovedAt !== null,
};
const CHANGEABLE = Object.keys(FIELD) as ChangeableField[];

/** Why the users module refused a change; each caller renders it in its own wire format. */
export type UserRefusal = 'not_found' | 'email_taken' | 'last_admin' | 'admin_identity' | 'scim_removed';

export class UserChangeRefused extends Error {
  constructor(
    readonly code: UserRefusal,
    message: string,
    /** The email the refusal is about (for email_taken: the one asked for). */
    readonly email?: string,
  ) {
    super(message);
  }
}

/** A change: computed from the locked row, checked against the rules, then written. */
export interface ChangePlan {
  /** Runs on the locked row before anything changes (SCIM's If-Match); throws to refuse. */
  precondition?(user: UserEntity): void;
  changes(user: UserEntity): UserChanges;
  /** The email (the SAML sign-in identity) of a System Admin may not change but for letter case (SCIM writes). */
  lockAdminIdentity?: boolean;
  /** Wording for the refusals a caller wants to phrase itself. */
  refusalMessages?: Partial<Record<UserRefusal, (user: UserEntity) => string>>;
  /** The success audit record, written in the same transaction (none when omitted: the caller audits). */
  audit?(applied: AppliedChange): NewAuditEvent;
}

export interface AppliedChange {
  before: Readonly<UserEntity>;
  user: UserEntity;
  /** The fields whose value changed (empty: nothing was written, the version stays). */
  changed: ChangeableField[];
}

/** Hook run when a user is deactivated (sessions end at once); set by the auth module. */
export type DeactivationHook = (tenantId: string, userId: string, manager: EntityManager) => Promise<void>;

/**
 * The user lifecycle, for every writer (the admin API and SCIM): create, and applyChange (lock,
 * change, the last-admin and admin-identity rules, save, deactivation hooks, audit), and the
 * reads others need. The users table is this module's alone.
 */
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

  findById(tenantId: string, id: string): Promise<UserEntity | null> {
    return this.users.findById(tenantId, id);
  }

  async getOrThrow(tenantId: string, id: string): Promise<UserEntity> {
    const user = await this.users.findById(tenantId, id);
    if (!user) throw new ApiException(404, 'not_found', `No user with id ${id} in this tenant`);
    return user;
  }

  /** By the email key: how password sign-in and SAML find a user (and SCIM's POST, in its transaction). */
  findByEmail(tenantId: string, email: string, manager?: EntityManager): Promise<UserEntity | null> {
    return this.users.findByEmail(tenantId, email, manager);
  }

  list(tenantId: string, query: UserListQuery) {
    return this.users.list(tenantId, query);
  }

  /** A page of a group's members (groups/ checks that the group exists; see UsersRepository). */
  listGroupMembers(tenantId: string, groupId: string, offset: number, limit: number): Promise<UserEntity[]> {
    return this.users.listGroupMembers(tenantId, groupId, offset, limit);
  }

  countActiveWithoutLicenses(tenantId: string): Promise<number> {
    return this.users.countActiveWithoutLicenses(tenantId);
  }

  /** SCIM lists: a page of the users matching the criteria (see UsersRepository.searchPage). */
  searchPage(tenantId: string, criteria: UserCriteria | null, offset: number, limit: number, from?: UserKeyset): Promise<UserEntity[]> {
    return this.users.searchPage(tenantId, criteria, offset, limit, from);
  }

  keyAt(tenantId: string, criteria: UserCriteria | null, offset: number, from?: UserKeyset): Promise<string | null> {
    return this.users.keyAt(tenantId, criteria, offset, from);
  }

  /** SCIM lists: the count of the users matching the criteria, with the list version it holds for (see listVersion). */
  count(tenantId: string, criteria: UserCriteria | null): Promise<{ total: number; version: number }> {
    return this.users.count(tenantId, criteria);
  }

  /**
   * A number that changes whenever the count of a SCIM list (filtered or not) may have: every
   * user write bumps it in the same statement. A total counted at a version holds while it lasts.
   */
  async listVersion(tenantId: string, filtered: boolean): Promise<number> {
    const v = await this.users.listVersions(tenantId);
    return filtered ? v.changes : v.members;
  }

  /** Group memberships: which of these user ids (UUIDs) are live users of the tenant, share-locked in the caller's transaction. */
  lockLiveIds(tenantId: string, ids: readonly string[], manager: EntityManager): Promise<Set<string>> {
    return this.users.lockLiveIds(tenantId, ids, manager);
  }

  /** Stamps a sign-in (password or SAML) as the user's last; returns the time stored. */
  stampSignIn(tenantId: string, userId: string): Promise<Date> {
    return this.users.stampSignIn(tenantId, userId);
  }

  /**
   * Creates an active user with no licenses, inside the caller's transaction. Refuses
   * `email_taken` when the email key exists in the tenant (active or not).
   */
  async create(tenantId: string, input: NewUser, m: EntityManager): Promise<UserEntity> {
    const passwordHash = input.password ? await this.hasher.hash(input.password) : null;
    try {
      return await this.users.insert(newUserRow(tenantId, input, passwordHash), m);
    } catch (err) {
      throw emailTaken(err, input.email);
    }
  }

  /**
   * As create, but null when the email key is taken, without aborting the caller's transaction:
   * SCIM POST then reads who holds it (a user the IdP removed is brought back), and the usual
   * case, a new userName, costs one statement rather than a lookup and an insert.
   */
  async createUnlessTaken(tenantId: string, input: NewUser, m: EntityManager): Promise<UserEntity | null> {
    const passwordHash = input.password ? await this.hasher.hash(input.password) : null;
    return this.users.insertUnlessTaken(newUserRow(tenantId, input, passwordHash), m);
  }

  /**
   * The one way a user changes. In the caller's transaction (or one of its own): lock the row,
   * check the caller's precondition, compute the changes, apply the rules (an admin's sign-in
   * identity when asked; never leave the tenant without an active System Admin), write what
   * differs (nothing: no write, same version), end sessions on deactivation; when the IdP removes
   * the user, end its group memberships in the same transaction too (the one write users/ makes to
   * the groups tables); audit.
   */
  async applyChange(tenantId: string, id: string, plan: ChangePlan, manager?: EntityManager): Promise<AppliedChange> {
    const run = async (m: EntityManager): Promise<AppliedChange> => {
      const user = await this.users.findByIdForUpdate(tenantId, id, m);
      if (!user) throw new UserChangeRefused('not_found', `No user with id ${id} in this tenant`);
      const refuse = (code: UserRefusal, fallback: string) => new UserChangeRefused(code, plan.refusalMessages?.[code]?.(user) ?? fallback);
      plan.precondition?.(user);
      const before: Readonly<UserEntity> = { ...user };
      const { scimRemoved, ...changes } = plan.changes(user);
      const next: UserEntity = Object.assign(Object.create(Object.getPrototypeOf(user) as object) as UserEntity, user, definedOnly(changes));
      if (next.licenses !== before.licenses) next.licenses = normaliseLicenses(next.licenses);
      if (scimRemoved !== undefined) next.scimRemovedAt = scimRemoved ? (before.scimRemovedAt ?? new Date()) : null;
      const changed = CHANGEABLE.filter((k) => !sameValue(FIELD[k](next), FIELD[k](before)));
      let saved: UserEntity = user;
      if (changed.length > 0) {
        if (plan.lockAdminIdentity && before.role === 'system_admin' && emailKey(next.email) !== emailKey(before.email)) {
          throw refuse('admin_identity', `${before.email} is a System Admin: its email (the sign-in identity) cannot be changed this way`);
        }
        if (await this.wouldLeaveNoAdmin(tenantId, before, next, m)) {
          throw refuse('last_admin', 'This is the last active System Admin of the tenant; make another user System Admin first');
        }
        // Removed by the IdP, or brought back: the set of users SCIM lists changes.
        const membersChanged = changed.includes('scimRemoved');
        try {
          saved = await this.users.update(next, membersChanged, m);
        } catch (err) {
          throw emailTaken(err, next.email);
        }
        const removed = membersChanged && saved.scimRemovedAt !== null;
        if (removed) await this.users.leaveAllGroups(tenantId, saved.id, m);
        if ((before.active && !saved.active) || removed) {
          for (const hook of this.deactivationHooks) await hook(tenantId, saved.id, m);
        }
      }
      const applied = { before, user: saved, changed };
      if (plan.audit) await this.audit.record(tenantId, plan.audit(applied), m);
      return applied;
    };
    return manager ? run(manager) : this.dataSource.transaction(run);
  }

  /** Creates a console user (source manual). 409 `email_taken` when the email exists in any case. */
  async createManual(tenantId: string, input: NewManualUser, actor: string, manager?: EntityManager): Promise<UserEntity> {
    const run = async (m: EntityManager) => {
      const user = await this.create(tenantId, { ...input, source: 'manual' }, m);
      await this.audit.record(tenantId, { kind: 'settings', action: 'user.create', actor, target: user.email, outcome: 'success' }, m);
      return user;
    };
    try {
      return manager ? await run(manager) : await this.dataSource.transaction(run);
    } catch (err) {
      throw err instanceof UserChangeRefused ? toApiException(err, { field: 'email' }) : err;
    }
  }

  /**
   * Applies an admin's changes: licenses, role, activation, names. A user the identity provider
   * removed stays editable (licenses, role, names) but only the IdP brings it back: activating it
   * here is refused (409 `scim_removed`), since SCIM would no longer see the user it removed.
   */
  async update(
    tenantId: string,
    id: string,
    changes: Omit<UserChanges, 'email' | 'externalId' | 'licenses' | 'displayName' | 'scimRemoved'> & { licenses?: string[] },
    actor: string,
  ): Promise<UserEntity> {
    const licenses = changes.licenses ? knownLicensesOrThrow(changes.licenses) : undefined;
    try {
      const { user } = await this.applyChange(tenantId, id, {
        precondition: (current) => {
          if (current.scimRemovedAt && changes.active === true) {
            throw new UserChangeRefused(
              'scim_removed',
              `${current.email} was removed by the identity provider and cannot be activated here; assign the user to the application in the identity provider again`,
            );
          }
        },
        changes: () => ({
          licenses,
          role: changes.role,
          active: changes.active,
          givenName: changes.givenName?.trim(),
          familyName: changes.familyName?.trim(),
        }),
        audit: ({ user }) => ({ kind: 'settings', action: 'user.update', actor, target: user.email, outcome: 'success', details: { changed: Object.keys(changes) } }),
      });
      return user;
    } catch (err) {
      throw err instanceof UserChangeRefused ? toApiException(err) : err;
    }
  }

  /**
   * True when changing a user from `before` to `after` would leave the tenant without an active
   * System Admin (nobody could then manage it). A transaction-scoped lock per tenant serialises
   * the question, so two admins demoting each other at once cannot both succeed.
   */
  private async wouldLeaveNoAdmin(tenantId: string, before: Pick<UserEntity, 'role' | 'active'>, after: Pick<UserEntity, 'role' | 'active'>, m: EntityManager): Promise<boolean> {
    const losesAdmin = before.role === 'system_admin' && before.active && (after.role !== 'system_admin' || !after.active);
    if (!losesAdmin) return false;
    await this.users.lockAdminsOf(tenantId, m);
    return (await this.users.countActiveAdmins(tenantId, m)) <= 1;
  }
}

/** The admin API's rendering of a refusal. */
function toApiException(err: UserChangeRefused, details?: Record<string, unknown>): ApiException {
  switch (err.code) {
    case 'not_found':
      return new ApiException(404, 'not_found', err.message);
    case 'email_taken':
      return new ApiException(409, 'email_taken', err.message, details);
    case 'last_admin':
      return new ApiException(409, 'last_admin', err.message);
    case 'admin_identity':
      return new ApiException(409, 'admin_identity', err.message);
    case 'scim_removed':
      return new ApiException(409, 'scim_removed', err.message, { field: 'active' });
  }
}

/** A unique violation of the email key as the refusal callers render; any other error as it is. */
/** The row of a new user: active, no licenses, names and email trimmed. */
function newUserRow(tenantId: string, input: NewUser, passwordHash: string | null): NewUserRow {
  return {
    tenantId,
    email: input.email.trim(),
    givenName: input.givenName.trim(),
    familyName: input.familyName.trim(),
    role: input.role ?? 'user',
    passwordHash,
    source: input.source,
    externalId: input.externalId ?? null,
    displayName: input.displayName ?? null,
    active: true,
    licenses: [],
  };
}

function emailTaken(err: unknown, email: string): unknown {
  return isUniqueViolation(err, 'users_tenant_email_key') ? new UserChangeRefused('email_taken', `A user with the email ${email} already exists in this tenant`, email) : err;
}

function definedOnly(changes: UserChanges): Partial<UserEntity> {
  return Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as Partial<UserEntity>;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i]);
  return a === b;
}
