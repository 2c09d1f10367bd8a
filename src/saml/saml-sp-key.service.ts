import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { KeyRing, SEAL_PURPOSES } from '../common/crypto/key-ring.js';
import type { SecretBox } from '../common/crypto/secret-box.js';
import { generateSelfSignedRsa } from '../common/crypto/self-signed-certificate.js';
import { ApiException } from '../common/http/api-exception.js';
import type { StoredSpKey } from '../tenancy/tenant-security-settings.entity.js';
import { TenantDirectory, type TenantRef } from '../tenancy/tenant-directory.js';
import { SamlSpKeyRepository } from './saml-sp-key.repository.js';
import { activeKey, SP_CERTIFICATE_DAYS, SP_KEY_BITS } from './sp-key-set.js';

/** A stored SP key opened for use. */
export interface OpenSpKey {
  use: StoredSpKey['use'];
  certPem: string;
  privateKey: KeyObject;
  /** PKCS#8 PEM: what node-saml and xml-encryption take. */
  privateKeyPem: string;
}

export interface SpKeyRotation {
  tenant: string;
  keys: { use: StoredSpKey['use']; sha256Fingerprint: string; notAfter: string }[];
}

/**
 * The tenant's own SAML key pairs: generated when SAML is first enabled (or on first need, for
 * tenants that enabled it before SP keys existed), private keys sealed at rest with the key ring,
 * rotated by an operator in two steps (rotate: publish a next key beside the active one; promote:
 * the next key becomes active, the old one stays for decryption only). See README "SP key".
 */
@Injectable()
export class SamlSpKeyService {
  private readonly box: SecretBox;
  /** One generation per tenant at a time in this process (the database decides between processes). */
  private readonly generating = new Map<string, Promise<StoredSpKey[]>>();

  constructor(
    private readonly repository: SamlSpKeyRepository,
    private readonly tenants: TenantDirectory,
    private readonly audit: AuditService,
    keys: KeyRing,
  ) {
    this.box = keys.secretBox(SEAL_PURPOSES.samlSpKey);
  }

  /** A new key pair, sealed, ready to store. RSA key generation runs off the event loop (~0.1 s). */
  async generate(slug: string, use: StoredSpKey['use']): Promise<StoredSpKey> {
    const pair = await generateSelfSignedRsa({ commonName: `Latchkey SAML SP ${slug}`, modulusLength: SP_KEY_BITS, days: SP_CERTIFICATE_DAYS });
    return { use, certPem: pair.certPem, sealedKey: this.box.seal(pair.keyPem), createdAt: new Date().toISOString() };
  }

  /** The PKCS#8 PEM of a stored key (an AES-GCM open: microseconds). */
  openPem(key: StoredSpKey): string {
    return this.box.open(key.sealedKey);
  }

  open(key: StoredSpKey): OpenSpKey {
    const privateKeyPem = this.box.open(key.sealedKey);
    return { use: key.use, certPem: key.certPem, privateKey: createPrivateKey(privateKeyPem), privateKeyPem };
  }

  /**
   * The tenant's keys with an active one, generating it when there is none. Race-safe: every
   * instance may generate, one conditional UPDATE wins, the others read the winner's key.
   */
  async ensure(tenant: { id: string; slug: string }, current?: readonly StoredSpKey[]): Promise<StoredSpKey[]> {
    const keys = current ?? (await this.repository.read(tenant.id));
    if (activeKey(keys)) return [...keys];
    let pending = this.generating.get(tenant.id);
    if (!pending) {
      pending = (async () => {
        const next = [...keys.filter((k) => k.use !== 'active'), await this.generate(tenant.slug, 'active')];
        if (await this.repository.swap(tenant.id, keys, next)) return next;
        return this.repository.read(tenant.id);
      })().finally(() => this.generating.delete(tenant.id));
      this.generating.set(tenant.id, pending);
    }
    return pending;
  }

  /**
   * Step 1 of a rotation: a next key, published in the SP metadata beside the active one and
   * accepted for decryption; the previous rotation's old key is dropped. Idempotent: a rotation
   * already under way keeps its next key.
   */
  async rotate(slug: string, actor: string): Promise<SpKeyRotation> {
    const tenant = await this.tenantOrThrow(slug);
    const keys = await this.ensure(tenant);
    if (keys.some((k) => k.use === 'next')) return this.describe(tenant, keys);
    // The key rotated out last time ("previous") is dropped now: a whole rotation has passed.
    const next = [...keys.filter((k) => k.use !== 'previous'), await this.generate(tenant.slug, 'next')];
    return this.commit(tenant, keys, next, actor, 'saml.sp_key.rotate');
  }

  /**
   * Step 2: the next key becomes the active one (it signs AuthnRequests from now on); the old
   * active key is kept as "previous" for decryption only, until the next rotation drops it.
   */
  async promote(slug: string, actor: string): Promise<SpKeyRotation> {
    const tenant = await this.tenantOrThrow(slug);
    const keys = await this.repository.read(tenant.id);
    if (!keys.some((k) => k.use === 'next')) {
      throw new ApiException(409, 'no_next_key', `tenant "${slug}" has no next SP key: run saml-sp-key-rotate first, and give the IdPs time to read the new metadata`);
    }
    const next = keys
      .filter((k) => k.use !== 'previous')
      .map((k): StoredSpKey => ({ ...k, use: k.use === 'next' ? 'active' : 'previous' }));
    return this.commit(tenant, keys, next, actor, 'saml.sp_key.promote');
  }

  private async commit(tenant: TenantRef, before: StoredSpKey[], after: StoredSpKey[], actor: string, action: string): Promise<SpKeyRotation> {
    if (!(await this.repository.swap(tenant.id, before, after))) {
      throw new ApiException(409, 'concurrent_change', 'the SP keys changed meanwhile; run the command again');
    }
    const view = this.describe(tenant, after);
    await this.audit.record(tenant.id, { kind: 'settings', action, actor, target: tenant.slug, outcome: 'success', details: { keys: view.keys } });
    return view;
  }

  private describe(tenant: TenantRef, keys: readonly StoredSpKey[]): SpKeyRotation {
    return {
      tenant: tenant.slug,
      keys: keys.map((k) => {
        const cert = new X509Certificate(k.certPem);
        return { use: k.use, sha256Fingerprint: cert.fingerprint256, notAfter: new Date(cert.validTo).toISOString() };
      }),
    };
  }

  private async tenantOrThrow(slug: string): Promise<TenantRef> {
    const tenant = await this.tenants.resolve(slug);
    if (!tenant) throw new ApiException(404, 'tenant_not_found', `no tenant "${slug}"`);
    return tenant;
  }
}
