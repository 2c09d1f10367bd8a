import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** One stored IdP verification certificate (PEM); its details are derived when shown. */
export interface StoredCertificate {
  pem: string;
}

/** One of the tenant's own SAML SP key pairs (saml/ reads and writes them; see the migration 1795540000000). */
export interface StoredSpKey {
  use: 'active' | 'next' | 'previous';
  certPem: string;
  /** The PKCS#8 private key PEM, sealed with the key ring (purpose saml-sp-key). */
  sealedKey: string;
  createdAt: string;
}

/** Per-tenant SAML and SCIM settings: one row per tenant, created with the tenant. */
@Entity({ name: 'tenant_security_settings' })
export class TenantSecuritySettingsEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'saml_enabled', type: 'boolean', default: false })
  samlEnabled!: boolean;

  @Column({ name: 'saml_enforce_login', type: 'boolean', default: false })
  samlEnforceLogin!: boolean;

  @Column({ name: 'saml_certificates', type: 'jsonb', default: () => "'[]'" })
  samlCertificates!: StoredCertificate[];

  @Column({ name: 'saml_idp_entity_id', type: 'text', nullable: true })
  samlIdpEntityId!: string | null;

  @Column({ name: 'saml_idp_sso_url', type: 'text', nullable: true })
  samlIdpSsoUrl!: string | null;

  @Column({ name: 'saml_sp_keys', type: 'jsonb', default: () => "'[]'" })
  samlSpKeys!: StoredSpKey[];

  @Column({ name: 'scim_enabled', type: 'boolean', default: false })
  scimEnabled!: boolean;

  @Column({ name: 'scim_token_hash', type: 'bytea', nullable: true })
  scimTokenHash!: Buffer | null;

  @Column({ name: 'scim_token_ciphertext', type: 'text', nullable: true })
  scimTokenCiphertext!: string | null;

  @Column({ name: 'scim_token_created_at', type: 'timestamptz', nullable: true })
  scimTokenCreatedAt!: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
