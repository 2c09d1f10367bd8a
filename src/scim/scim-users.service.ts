import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { isUniqueViolation } from '../common/database/pg-errors.js';
import { PublicUrls } from '../config/public-urls.js';
import { emailKey } from '../users/email-key.js';
import type { UserEntity } from '../users/user.entity.js';
import { UsersRepository } from '../users/users.repository.js';
import { UsersService } from '../users/users.service.js';
import type { ScimTenant } from './scim-request.js';
import { ScimException } from './wire/scim-exception.js';
import { assertNestingDepth } from './wire/scim-body-limits.js';
import { applyScimPatch } from './wire/scim-patch.js';
import { getAttribute, isPlainObject, readScimUserInput, stateOf, toScimUser, userEtag, type ScimUser, type ScimUserState } from './wire/scim-user.js';

/** Who SCIM writes are attributed to in the audit log. */
export const SCIM_ACTOR = 'scim';
const USERS_EMAIL_KEY = 'users_tenant_email_key';

/** What a write learns as it goes, for its audit record (success or failure). */
interface WriteContext {
  action: string;
  target: string | null;
  details: Record<string, unknown>;
}

/**
 * SCIM provisioning rules on top of the one user model. Every write runs in one transaction with
 * the user row locked, checks If-Match against the row's version, and is audited (kind "scim"):
 * success in the same transaction, failure (with the reason) after it rolled back.
 * Licenses, role and password are never touched.
 */
@Injectable()
export class ScimUsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly usersService: UsersService,
    private readonly audit: AuditService,
    private readonly urls: PublicUrls,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  baseUrl(tenant: ScimTenant): string {
    return this.urls.scimBase(tenant.slug);
  }

  toResource(tenant: ScimTenant, user: UserEntity): ScimUser {
    return toScimUser(user, `${this.baseUrl(tenant)}/Users/${user.id}`);
  }

  async get(tenant: ScimTenant, id: string): Promise<ScimUser> {
    const user = await this.users.findById(tenant.id, id);
    if (!user) throw ScimException.notFound(id);
    return this.toResource(tenant, user);
  }

  /** POST /Users: a new active user with source "scim"; 409 uniqueness for a taken userName, active or not. */
  create(tenant: ScimTenant, body: unknown): Promise<ScimUser> {
    const hint = isPlainObject(body) ? getAttribute(body, 'userName') : undefined;
    return this.write(tenant, { action: 'user.create', target: typeof hint === 'string' ? hint : null, details: {} }, async (m, ctx) => {
      assertNestingDepth(body);
      const input = readScimUserInput(body);
      ctx.target = input.userName;
      const user = await this.users.insert(
        {
          tenantId: tenant.id,
          email: input.userName,
          givenName: input.givenName,
          familyName: input.familyName,
          externalId: input.externalId ?? null,
          active: true,
          role: 'user',
          source: 'scim',
          licenses: [],
          passwordHash: null,
        },
        m,
      );
      return this.toResource(tenant, user);
    });
  }

  /** PUT /Users/{id}: replaces the writable attributes; active and externalId stay when left out. */
  replace(tenant: ScimTenant, id: string, body: unknown, ifMatch: string | undefined): Promise<ScimUser> {
    return this.write(tenant, { action: 'user.update', target: id, details: { method: 'PUT' } }, async (m, ctx) => {
      assertNestingDepth(body);
      const input = readScimUserInput(body);
      const user = await this.lockForWrite(tenant, id, ifMatch, m, ctx);
      const next: ScimUserState = {
        userName: input.userName,
        givenName: input.givenName,
        familyName: input.familyName,
        active: input.active ?? user.active,
        externalId: input.externalId === undefined ? user.externalId : input.externalId,
      };
      return this.toResource(tenant, await this.store(tenant, user, next, m, ctx));
    });
  }

  /** PATCH /Users/{id}: a PatchOp applied all or none. */
  patch(tenant: ScimTenant, id: string, body: unknown, ifMatch: string | undefined): Promise<ScimUser> {
    return this.write(tenant, { action: 'user.update', target: id, details: { method: 'PATCH' } }, async (m, ctx) => {
      assertNestingDepth(body);
      const user = await this.lockForWrite(tenant, id, ifMatch, m, ctx);
      const { state } = applyScimPatch(stateOf(user), body);
      return this.toResource(tenant, await this.store(tenant, user, state, m, ctx));
    });
  }

  /** DELETE /Users/{id}: deactivates (never deletes) and ends the user's sessions at once. */
  async deactivate(tenant: ScimTenant, id: string, ifMatch: string | undefined): Promise<void> {
    await this.write(tenant, { action: 'user.deactivate', target: id, details: { method: 'DELETE' } }, async (m, ctx) => {
      const user = await this.lockForWrite(tenant, id, ifMatch, m, ctx);
      await this.store(tenant, user, { ...stateOf(user), active: false }, m, ctx);
    });
  }

  private async lockForWrite(tenant: ScimTenant, id: string, ifMatch: string | undefined, m: EntityManager, ctx: WriteContext): Promise<UserEntity> {
    const user = await this.users.findByIdForUpdate(tenant.id, id, m);
    if (!user) throw ScimException.notFound(id);
    ctx.target = user.email;
    if (!ifMatchSatisfied(ifMatch, user.version)) {
      throw new ScimException(412, undefined, `The user has changed since that version; its current version is ${userEtag(user.version)}`);
    }
    return user;
  }

  /** Saves what differs (nothing changed: no write, same version); deactivation ends sessions in this transaction. */
  private async store(tenant: ScimTenant, user: UserEntity, next: ScimUserState, m: EntityManager, ctx: WriteContext): Promise<UserEntity> {
    const before = stateOf(user);
    const changed = (Object.keys(next) as (keyof ScimUserState)[]).filter((k) => next[k] !== before[k]);
    ctx.details.changed = changed;
    if (before.active !== next.active) ctx.action = next.active ? 'user.reactivate' : 'user.deactivate';
    if (changed.length === 0) return user;
    if (next.userName !== before.userName) {
      if (user.role === 'system_admin' && emailKey(next.userName) !== emailKey(before.userName)) {
        // The userName is the SAML sign-in identity: an IdP (or a leaked SCIM token) that renames an
        // admin to an address it controls would then sign in as System Admin. A change of letter
        // case only is the same identity and stays allowed.
        throw new ScimException(
          400,
          'mutability',
          `${user.email} is a System Admin: its userName (the sign-in identity) cannot be changed over SCIM; to rename it, make it a regular user in Latchkey first`,
        );
      }
      ctx.details.previousUserName = before.userName;
      ctx.target = next.userName;
    }
    if (await this.usersService.wouldLeaveNoAdmin(tenant.id, user, { role: user.role, active: next.active }, m)) {
      // An IdP that deprovisions the only System Admin would lock the tenant out for good.
      throw new ScimException(
        409,
        undefined,
        `${user.email} is the last active System Admin of this tenant and cannot be deactivated over SCIM; make another user System Admin in Latchkey first`,
      );
    }
    user.email = next.userName;
    user.givenName = next.givenName;
    user.familyName = next.familyName;
    user.active = next.active;
    user.externalId = next.externalId;
    const saved = await this.users.save(user, m);
    if (before.active && !next.active) await this.usersService.runDeactivationHooks(tenant.id, saved.id, m);
    return saved;
  }

  private async write<T>(tenant: ScimTenant, ctx: WriteContext, run: (m: EntityManager, ctx: WriteContext) => Promise<T>): Promise<T> {
    try {
      return await this.dataSource.transaction(async (m) => {
        const result = await run(m, ctx);
        await this.audit.record(
          tenant.id,
          { kind: 'scim', actor: SCIM_ACTOR, action: ctx.action, target: ctx.target, outcome: 'success', details: ctx.details },
          m,
        );
        return result;
      });
    } catch (err) {
      const failure = isUniqueViolation(err, USERS_EMAIL_KEY)
        ? new ScimException(409, 'uniqueness', `A user with userName ${ctx.target ?? ''} already exists in this tenant (active or not)`)
        : err;
      const reason =
        failure instanceof ScimException
          ? `${failure.getStatus()}${failure.scimType ? ` ${failure.scimType}` : ''}: ${failure.detail}`
          : 'internal error (see the service log)';
      await this.audit.record(tenant.id, { kind: 'scim', actor: SCIM_ACTOR, action: ctx.action, target: ctx.target, outcome: 'failure', reason, details: ctx.details });
      throw failure;
    }
  }
}

/** If-Match (RFC 7232 §3.1, weak comparison): "*" or any listed tag equal to the current version. */
function ifMatchSatisfied(header: string | undefined, version: number): boolean {
  if (header === undefined) return true;
  const value = header.trim();
  if (value === '*') return true;
  const current = `"${version}"`;
  return value
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === current);
}
