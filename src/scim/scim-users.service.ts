import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { PublicUrls } from '../config/public-urls.js';
import type { UserEntity } from '../users/user.entity.js';
import { UserChangeRefused, UsersService, type AppliedChange, type ChangePlan, type UserChanges } from '../users/users.service.js';
import { auditedScimWrite, type ScimWriteContext } from './scim-audited-write.js';
import type { ScimTenant } from './scim-request.js';
import { ScimException } from './wire/scim-exception.js';
import { applyScimPatch } from './wire/scim-patch.js';
import { getAttribute, isPlainObject, readScimUserInput, stateOf, toScimUser, userEtag, type ScimUser, type ScimUserState } from './wire/scim-user.js';

type WriteContext = ScimWriteContext;

/**
 * SCIM provisioning on top of the one user model: every change goes through
 * UsersService.applyChange (row lock, the admin rules, deactivation hooks) with SCIM's If-Match
 * as its precondition; each write is audited (kind "scim"): success in the same transaction,
 * failure (with the reason) after it rolled back. Licenses, role and password are never touched.
 *
 * A user the identity provider deleted (DELETE) is gone for SCIM (RFC 7644 §3.6): 404 by id, left
 * out of lists; it stays in the User List, and a later POST of its userName brings that same row back.
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
    if (!user || user.scimRemovedAt) throw ScimException.notFound(id);
    return this.toResource(tenant, user);
  }

  /**
   * POST /Users: a new active user with source "scim"; 409 uniqueness for a userName (by the email
   * key) another user holds, active or not. A user the IdP removed with that userName is brought
   * back instead: the same row (id, licenses, role, history), active, with the body's attributes.
   */
  create(tenant: ScimTenant, body: unknown): Promise<ScimUser> {
    const hint = isPlainObject(body) ? getAttribute(body, 'userName') : undefined;
    return this.write(tenant, { action: 'user.create', target: typeof hint === 'string' ? hint : null, details: {} }, async (m, ctx) => {
      const input = readScimUserInput(body);
      ctx.target = input.userName;
      const fields = {
        email: input.userName,
        givenName: input.givenName,
        familyName: input.familyName,
        externalId: input.externalId ?? null,
        displayName: input.displayName ?? null,
      };
      // A new userName (the usual case) is one statement; a taken one is then looked at.
      const created = await this.users.createUnlessTaken(tenant.id, { ...fields, source: 'scim' }, m);
      if (created) return this.toResource(tenant, created);
      const existing = await this.users.findByEmail(tenant.id, input.userName, m);
      if (!existing || !existing.scimRemovedAt) throw takenBy(input.userName);
      const user = await this.change(tenant, existing.id, undefined, () => ({ ...fields, active: true, scimRemoved: false }), m, ctx, 'removed');
      ctx.action = 'user.create';
      ctx.details.revived = true;
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
        displayName: input.displayName === undefined ? user.displayName : input.displayName,
      });
      return this.toResource(tenant, await this.change(tenant, id, ifMatch, (user) => changesOf(next(user)), m, ctx));
    });
  }

  /** PATCH /Users/{id}: a PatchOp applied all or none. */
  patch(tenant: ScimTenant, id: string, body: unknown, ifMatch: string | undefined): Promise<ScimUser> {
    return this.write(tenant, { action: 'user.update', target: id, details: { method: 'PATCH' } }, async (m, ctx) => {
      const next = (user: UserEntity) => changesOf(applyScimPatch(stateOf(user), body).state);
      return this.toResource(tenant, await this.change(tenant, id, ifMatch, next, m, ctx));
    });
  }

  /**
   * DELETE /Users/{id}: the user is removed by the identity provider: inactive, sessions ended and
   * group memberships gone at once, 404 for SCIM from now on; the row (licenses, history) is kept.
   */
  async remove(tenant: ScimTenant, id: string, ifMatch: string | undefined): Promise<void> {
    await this.write(tenant, { action: 'user.deactivate', target: id, details: { method: 'DELETE' } }, async (m, ctx) => {
      await this.change(tenant, id, ifMatch, () => ({ active: false, scimRemoved: true }), m, ctx);
    });
  }

  /**
   * A SCIM change of one user, through the users module's one lifecycle: If-Match is checked on
   * the locked row, the next state is computed from it, and the admin rules answer in SCIM terms.
   * `expect` is the user's SCIM state: 'live' (a user the IdP removed is 404) or 'removed' (POST
   * bringing one back; taken by then: 409).
   */
  private async change(
    tenant: ScimTenant,
    id: string,
    ifMatch: string | undefined,
    next: (user: UserEntity) => UserChanges,
    m: EntityManager,
    ctx: WriteContext,
    expect: 'live' | 'removed' = 'live',
  ): Promise<UserEntity> {
    const plan: ChangePlan = {
      precondition: (user) => {
        ctx.target = user.email;
        if (expect === 'live' && user.scimRemovedAt) throw ScimException.notFound(id);
        if (expect === 'removed' && !user.scimRemovedAt) throw takenBy(ctx.target);
        if (!ifMatchSatisfied(ifMatch, user.version)) {
          throw new ScimException(412, undefined, `The user has changed since that version; its current version is ${userEtag(user.version)}`);
        }
      },
      changes: next,
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

  private write<T>(tenant: ScimTenant, ctx: WriteContext, run: (m: EntityManager, ctx: WriteContext) => Promise<T>): Promise<T> {
    return auditedScimWrite(this.dataSource, this.audit, tenant.id, ctx, run, (err) => (err instanceof UserChangeRefused ? scimRefusal(err, ctx.target ?? '') : err));
  }
}

/** The users module's fields of a SCIM user state. */
function changesOf(state: ScimUserState): UserChanges {
  return {
    email: state.userName,
    givenName: state.givenName,
    familyName: state.familyName,
    active: state.active,
    externalId: state.externalId,
    displayName: state.displayName,
  };
}

/** 409 uniqueness: the userName is held by a user SCIM still sees (active or not). */
function takenBy(userName: string): UserChangeRefused {
  return new UserChangeRefused('email_taken', `A user with the email ${userName} already exists in this tenant`, userName);
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
    case 'scim_removed': // an admin-only refusal; for SCIM the user is simply gone
      return ScimException.notFound(subject);
  }
}

/** If-Match (RFC 7232 §3.1, weak comparison): "*" or any listed tag equal to the current version. */
export function ifMatchSatisfied(header: string | undefined, version: number): boolean {
  if (header === undefined) return true;
  const value = header.trim();
  if (value === '*') return true;
  const current = `"${version}"`;
  return value
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === current);
}
