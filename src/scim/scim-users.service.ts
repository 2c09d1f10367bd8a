import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { PublicUrls } from '../config/public-urls.js';
import type { UserEntity } from '../users/user.entity.js';
import { UserChangeRefused, UsersService, type AppliedChange, type ChangePlan } from '../users/users.service.js';
import type { ScimTenant } from './scim-request.js';
import { ScimException } from './wire/scim-exception.js';
import { applyScimPatch } from './wire/scim-patch.js';
import { getAttribute, isPlainObject, readScimUserInput, stateOf, toScimUser, userEtag, type ScimUser, type ScimUserState } from './wire/scim-user.js';

/** Who SCIM writes are attributed to in the audit log. */
export const SCIM_ACTOR = 'scim';

/** What a write learns as it goes, for its audit record (success or failure). */
interface WriteContext {
  action: string;
  target: string | null;
  details: Record<string, unknown>;
}

/**
 * SCIM provisioning on top of the one user model: every change goes through
 * UsersService.applyChange (row lock, the admin rules, deactivation hooks) with SCIM's If-Match
 * as its precondition; each write is audited (kind "scim"): success in the same transaction,
 * failure (with the reason) after it rolled back. Licenses, role and password are never touched.
 */
@Injectable()
export class ScimUsersService {
  constructor(
    private readonly users: UsersService,
    private readonly audit: AuditService,
    private readonly urls: PublicUrls,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  baseUrl(tenant: ScimTenant): string {
    return this.urls.scimBase(tenant.slug);
  }

  toResource(tenant: ScimTenant, user: UserEntity): ScimUser {
    return toScimUser(user, this.baseUrl(tenant));
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
      const input = readScimUserInput(body);
      ctx.target = input.userName;
      const user = await this.users.create(
        tenant.id,
        { email: input.userName, givenName: input.givenName, familyName: input.familyName, externalId: input.externalId ?? null, source: 'scim' },
        m,
      );
      return this.toResource(tenant, user);
    });
  }

  /** PUT /Users/{id}: replaces the writable attributes; active and externalId stay when left out. */
  replace(tenant: ScimTenant, id: string, body: unknown, ifMatch: string | undefined): Promise<ScimUser> {
    return this.write(tenant, { action: 'user.update', target: id, details: { method: 'PUT' } }, async (m, ctx) => {
      const input = readScimUserInput(body);
      const next = (user: UserEntity): ScimUserState => ({
        userName: input.userName,
        givenName: input.givenName,
        familyName: input.familyName,
        active: input.active ?? user.active,
        externalId: input.externalId === undefined ? user.externalId : input.externalId,
      });
      return this.toResource(tenant, await this.change(tenant, id, ifMatch, next, m, ctx));
    });
  }

  /** PATCH /Users/{id}: a PatchOp applied all or none. */
  patch(tenant: ScimTenant, id: string, body: unknown, ifMatch: string | undefined): Promise<ScimUser> {
    return this.write(tenant, { action: 'user.update', target: id, details: { method: 'PATCH' } }, async (m, ctx) => {
      const next = (user: UserEntity) => applyScimPatch(stateOf(user), body).state;
      return this.toResource(tenant, await this.change(tenant, id, ifMatch, next, m, ctx));
    });
  }

  /** DELETE /Users/{id}: deactivates (never deletes) and ends the user's sessions at once. */
  async deactivate(tenant: ScimTenant, id: string, ifMatch: string | undefined): Promise<void> {
    await this.write(tenant, { action: 'user.deactivate', target: id, details: { method: 'DELETE' } }, async (m, ctx) => {
      await this.change(tenant, id, ifMatch, (user) => ({ ...stateOf(user), active: false }), m, ctx);
    });
  }

  /**
   * A SCIM change of one user, through the users module's one lifecycle: If-Match is checked on
   * the locked row, the next state is computed from it, and the admin rules answer in SCIM terms.
   */
  private async change(
    tenant: ScimTenant,
    id: string,
    ifMatch: string | undefined,
    next: (user: UserEntity) => ScimUserState,
    m: EntityManager,
    ctx: WriteContext,
  ): Promise<UserEntity> {
    const plan: ChangePlan = {
      precondition: (user) => {
        ctx.target = user.email;
        if (!ifMatchSatisfied(ifMatch, user.version)) {
          throw new ScimException(412, undefined, `The user has changed since that version; its current version is ${userEtag(user.version)}`);
        }
      },
      changes: (user) => {
        const state = next(user);
        return { email: state.userName, givenName: state.givenName, familyName: state.familyName, active: state.active, externalId: state.externalId };
      },
      // The userName is the SAML sign-in identity: an IdP (or a leaked SCIM token) that renames an
      // admin to an address it controls would then sign in as System Admin. A change of letter
      // case only is the same identity and stays allowed.
      lockAdminIdentity: true,
      refusalMessages: {
        admin_identity: (user) =>
          `${user.email} is a System Admin: its userName (the sign-in identity) cannot be changed over SCIM; to rename it, make it a regular user in Latchkey first`,
        // An IdP that deprovisions the only System Admin would lock the tenant out for good.
        last_admin: (user) =>
          `${user.email} is the last active System Admin of this tenant and cannot be deactivated over SCIM; make another user System Admin in Latchkey first`,
      },
    };
    try {
      const applied = await this.users.applyChange(tenant.id, id, plan, m);
      describeChange(applied, ctx);
      return applied.user;
    } catch (err) {
      throw err instanceof UserChangeRefused ? scimRefusal(err, id) : err;
    }
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
      const failure = err instanceof UserChangeRefused ? scimRefusal(err, ctx.target ?? '') : err;
      const reason =
        failure instanceof ScimException
          ? `${failure.getStatus()}${failure.scimType ? ` ${failure.scimType}` : ''}: ${failure.detail}`
          : 'internal error (see the service log)';
      await this.audit.record(tenant.id, { kind: 'scim', actor: SCIM_ACTOR, action: ctx.action, target: ctx.target, outcome: 'failure', reason, details: ctx.details });
      throw failure;
    }
  }
}

/** What the audit record says of a change, in SCIM's words. */
function describeChange({ before, user, changed }: AppliedChange, ctx: WriteContext): void {
  ctx.details.changed = changed.map((field) => (field === 'email' ? 'userName' : field));
  if (before.active !== user.active) ctx.action = user.active ? 'user.reactivate' : 'user.deactivate';
  if (before.email !== user.email) {
    ctx.details.previousUserName = before.email;
    ctx.target = user.email;
  }
}

/** The users module's refusals as RFC 7644 errors. */
function scimRefusal(err: UserChangeRefused, subject: string): ScimException {
  switch (err.code) {
    case 'not_found':
      return ScimException.notFound(subject);
    case 'email_taken':
      return new ScimException(409, 'uniqueness', `A user with userName ${err.email ?? subject} already exists in this tenant (active or not)`);
    case 'admin_identity':
      return new ScimException(400, 'mutability', err.message);
    case 'last_admin':
      return new ScimException(409, undefined, err.message);
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
