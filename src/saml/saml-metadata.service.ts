import { randomUUID, X509Certificate } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { ApiException } from '../common/http/api-exception.js';
import { AppConfig } from '../config/app-config.js';
import { metadataSsoUrl } from './admin-url.js';
import { PINO_LOGGER } from '../config/config.module.js';
import { SecuritySettingsRepository } from '../tenancy/security-settings.repository.js';
import type { TenantSecuritySettingsEntity } from '../tenancy/tenant-security-settings.entity.js';
import { parseCertificateUpload, type ParsedCertificateUpload } from './certificate-upload.js';
import { MetadataFetcher, MetadataFetchError } from './metadata-fetcher.js';
import { SamlMetadataRepository } from './saml-metadata.repository.js';

type TenantRef = { id: string; slug: string };

/** A claim outlives the longest fetch (10 s) by far; a crashed instance's claim runs out after it. */
const LEASE_SECONDS = 60;
/** How long a refresh waits for one already running for the tenant, and how often it looks. */
const WAIT_MS = 20_000;
const POLL_MS = 100;
/** After a failure the sweep tries again sooner than the regular interval (an IdP blip should not cost 12 h). */
const RETRY_AFTER_FAILURE_MS = 60 * 60 * 1000;
/** Due tenants one housekeeping run refreshes, and how many fetches run at once. */
export const METADATA_SWEEP_BATCH = 50;
const SWEEP_CONCURRENCY = 4;

export interface MetadataRefreshOutcome {
  settings: TenantSecuritySettingsEntity;
  /** Null when the metadata was fetched and applied; else why not (the certificates are unchanged). */
  error: string | null;
}

interface RefreshOptions {
  actor: string | null;
  trigger: 'save' | 'manual' | 'schedule';
  /** A save: the URL to store (with this fetch's result), instead of the stored one. */
  setUrl?: string;
  /** A save: the other changes of the same PUT, applied in the same transaction after the certificates. */
  within?: (s: TenantSecuritySettingsEntity, m: EntityManager) => Promise<void>;
}

/**
 * The IdP metadata URL that keeps a tenant's signing certificates current (CONTRACT section 3,
 * contract v2). Each refresh fetches the document (MetadataFetcher: bounded, no private
 * addresses in production), reads its signing certificates with the upload's rules, and makes
 * them the tenant's set. An IdP rolling its key publishes the new certificate beside the old one
 * first, so both verify until the old one leaves the metadata: no sign-in fails on the way. A
 * failed refresh changes no certificate; it stores the reason, shown on the security page, and
 * is audited.
 *
 * One refresh per tenant runs at a time on all instances: a refresh claims the tenant's lease
 * (SamlMetadataRepository). A manual refresh that finds one running waits for it and answers with
 * its outcome, so two clicks (or a click during the scheduled run) fetch once.
 */
@Injectable()
export class SamlMetadataService {
  constructor(
    private readonly settings: SecuritySettingsRepository,
    private readonly leases: SamlMetadataRepository,
    private readonly fetcher: MetadataFetcher,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  /** POST /settings/saml/metadata/refresh: the settings after fetching now; 502 with the reason otherwise. */
  async refreshNow(tenant: TenantRef, actor: string): Promise<TenantSecuritySettingsEntity> {
    const outcome = await this.refresh(tenant, { actor, trigger: 'manual' });
    if (outcome.error !== null) {
      throw new ApiException(502, 'metadata_unavailable', `The identity provider's metadata could not be refreshed: ${outcome.error}. The current certificates are unchanged.`);
    }
    return outcome.settings;
  }

  /**
   * PUT /settings/saml with a new metadataUrl: fetched at once, and stored with the result. A
   * failed fetch still stores the URL (the IdP may be briefly away; the schedule tries again)
   * and shows why in metadataError.
   */
  async saveUrl(tenant: TenantRef, actor: string, url: string, within: RefreshOptions['within']): Promise<TenantSecuritySettingsEntity> {
    return (await this.refresh(tenant, { actor, trigger: 'save', setUrl: url, within })).settings;
  }

  /** The scheduled sweep (housekeeping): refreshes up to METADATA_SWEEP_BATCH due tenants; returns how many ran. */
  async refreshDue(): Promise<number> {
    const due = await this.leases.due(METADATA_SWEEP_BATCH);
    let ran = 0;
    const queue = [...due];
    const worker = async () => {
      for (let tenant = queue.shift(); tenant; tenant = queue.shift()) {
        try {
          const outcome = await this.refresh(tenant, { actor: null, trigger: 'schedule' }, false);
          if (outcome) ran += 1;
        } catch (err) {
          this.logger.warn({ err, tenantId: tenant.id }, 'scheduled SAML metadata refresh failed');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(SWEEP_CONCURRENCY, queue.length) }, worker));
    return ran;
  }

  /**
   * Claims the tenant's refresh, fetches, applies, and gives the claim back. When another refresh
   * holds the claim: with `wait`, waits for it and returns its outcome (or claims once it gave up
   * without one); without, returns null (the sweep leaves the tenant to the refresh running).
   */
  private async refresh(tenant: TenantRef, o: RefreshOptions, wait?: true): Promise<MetadataRefreshOutcome>;
  private async refresh(tenant: TenantRef, o: RefreshOptions, wait: false): Promise<MetadataRefreshOutcome | null>;
  private async refresh(tenant: TenantRef, o: RefreshOptions, wait = true): Promise<MetadataRefreshOutcome | null> {
    const leaseId = randomUUID();
    const deadline = Date.now() + WAIT_MS;
    let waitedFor: string | null = null;
    const tooLong = () =>
      new ApiException(502, 'metadata_unavailable', `The identity provider's metadata could not be refreshed: another refresh of it has been running for over ${WAIT_MS / 1000} s. The current certificates are unchanged.`);
    for (;;) {
      if (waitedFor !== null && o.setUrl === undefined) {
        // Waiting for a running refresh: its outcome, once it has one, is this one's.
        const state = await this.leases.state(tenant.id);
        if (state?.runningLeaseId === waitedFor) {
          if (Date.now() > deadline) throw tooLong();
          await sleep(POLL_MS);
          continue;
        }
        if (state && state.lastAttemptId === waitedFor) return { settings: await this.settings.get(tenant.id), error: state.error };
        // It gave up without an outcome (its URL changed, its claim ran out): claim it now.
      }
      if (await this.leases.claim(tenant.id, leaseId, LEASE_SECONDS, o.setUrl === undefined)) break;
      if (!wait) return null;
      const state = await this.leases.state(tenant.id);
      if (!state) throw new ApiException(404, 'not_found', 'No such tenant');
      if (o.setUrl === undefined && !state.url) throw new ApiException(409, 'metadata_url_required', 'Set a Metadata URL first: there is no metadata to refresh');
      if (state.runningLeaseId === null) {
        // The holder finished between the claim and this read: a manual refresh takes its outcome.
        if (o.setUrl === undefined) return { settings: await this.settings.get(tenant.id), error: state.error };
        continue;
      }
      if (Date.now() > deadline) throw tooLong();
      waitedFor = state.runningLeaseId;
      await sleep(POLL_MS);
    }
    try {
      const url = o.setUrl ?? (await this.leases.state(tenant.id))?.url ?? null;
      if (!url) throw new ApiException(409, 'metadata_url_required', 'Set a Metadata URL first: there is no metadata to refresh');
      let parsed: ParsedCertificateUpload | null = null;
      let error: string | null = null;
      try {
        parsed = parseCertificateUpload(await this.fetcher.fetch(url), 'metadata');
      } catch (err) {
        error = failureReason(err);
      }
      return await this.dataSource.transaction(async (m) => {
        const s = await this.settings.getForUpdate(tenant.id, m);
        // Past its claim (another refresh took over) or the URL changed meanwhile: this result is
        // no longer the truth for the tenant; the settings stay as they are.
        if (s.samlMetadataLeaseId !== leaseId || (o.setUrl === undefined && s.samlMetadataUrl !== url)) return { settings: s, error };
        const now = new Date();
        const previousUrl = s.samlMetadataUrl;
        if (o.setUrl !== undefined) s.samlMetadataUrl = o.setUrl;
        const target = tenant.slug;
        if (parsed) {
          const before = s.samlCertificates.map((c) => new X509Certificate(c.pem).fingerprint256);
          const after = parsed.pems.map((pem) => new X509Certificate(pem).fingerprint256);
          const added = after.filter((f) => !before.includes(f));
          const dropped = before.filter((f) => !after.includes(f));
          s.samlCertificates = parsed.pems.map((pem) => ({ pem }));
          s.samlIdpEntityId = parsed.idpEntityId;
          // The metadata names the IdP's SSO URL too (SP-initiated sign-on follows it if it moves).
          const sso = metadataSsoUrl(parsed.idpSsoUrl, this.config.isProduction);
          const ssoMoved = sso.url !== null && sso.url !== s.samlIdpSsoUrl;
          if (sso.url) s.samlIdpSsoUrl = sso.url;
          s.samlMetadataRefreshedAt = now;
          s.samlMetadataError = null;
          s.samlMetadataErrorAt = null;
          s.samlMetadataNextAt = new Date(now.getTime() + this.config.SAML_METADATA_REFRESH_HOURS * 3_600_000);
          if (added.length > 0 || dropped.length > 0 || ssoMoved) {
            await this.audit.record(
              tenant.id,
              {
                kind: 'settings',
                action: 'saml.metadata_refresh',
                actor: o.actor,
                target,
                outcome: 'success',
                reason: certificateChange(added, dropped, ssoMoved ? sso.url : null),
                details: {
                  trigger: o.trigger,
                  addedSha256Fingerprints: added,
                  droppedSha256Fingerprints: dropped,
                  idpEntityId: parsed.idpEntityId,
                  ...(ssoMoved ? { idpSsoUrl: sso.url } : {}),
                  ...(parsed.weakSkipped.length > 0 ? { weakCertificatesSkipped: parsed.weakSkipped } : {}),
                },
              },
              m,
            );
          }
        } else {
          s.samlMetadataError = error;
          s.samlMetadataErrorAt = now;
          const interval = this.config.SAML_METADATA_REFRESH_HOURS * 3_600_000;
          s.samlMetadataNextAt = new Date(now.getTime() + Math.min(interval, RETRY_AFTER_FAILURE_MS));
          await this.audit.record(
            tenant.id,
            { kind: 'settings', action: 'saml.metadata_refresh', actor: o.actor, target, outcome: 'failure', reason: `metadata refresh failed: ${error}`, details: { trigger: o.trigger } },
            m,
          );
        }
        if (o.setUrl !== undefined && previousUrl !== o.setUrl) {
          await this.audit.record(
            tenant.id,
            { kind: 'settings', action: 'saml.metadata_url', actor: o.actor, target, outcome: 'success', details: { before: previousUrl, after: o.setUrl } },
            m,
          );
        }
        s.samlMetadataLeaseId = null;
        s.samlMetadataLeaseUntil = null;
        s.samlMetadataLastAttemptId = leaseId;
        await o.within?.(s, m);
        await this.settings.save(s, m);
        if (error) this.logger.info({ tenantId: tenant.id, trigger: o.trigger, reason: error }, 'SAML metadata refresh failed');
        return { settings: s, error };
      });
    } finally {
      // Given back here too when the transaction did not (a refusal in `within`, a database error).
      await this.leases.release(tenant.id, leaseId);
    }
  }
}

/** An admin-readable reason: the fetch's, or the metadata's (the upload's invalid_certificate message). */
function failureReason(err: unknown): string {
  if (err instanceof MetadataFetchError) return err.message;
  if (err instanceof ApiException) return err.message;
  return `the metadata could not be read (${String((err as Error)?.message ?? err).slice(0, 160)})`;
}

function certificateChange(added: string[], dropped: string[], ssoUrl: string | null): string {
  const parts = [];
  if (added.length > 0) parts.push(`added ${added.length} signing certificate${added.length === 1 ? '' : 's'} (${added.join(', ')})`);
  if (dropped.length > 0) parts.push(`dropped ${dropped.length} (${dropped.join(', ')})`);
  if (ssoUrl) parts.push(`IdP SSO URL now ${ssoUrl}`);
  return `metadata refresh ${parts.join('; ')}`;
}
