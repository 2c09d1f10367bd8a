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

  /** Where the IdP publishes its metadata; refreshed on a schedule (saml/ SamlMetadataService). */
  @Column({ name: 'saml_metadata_url', type: 'text', nullable: true })
  samlMetadataUrl!: string | null;

  @Column({ name: 'saml_metadata_refreshed_at', type: 'timestamptz', nullable: true })
  samlMetadataRefreshedAt!: Date | null;

  /** The last refresh's failure (null after a success), and when it happened. */
  @Column({ name: 'saml_metadata_error', type: 'text', nullable: true })
  samlMetadataError!: string | null;

  @Column({ name: 'saml_metadata_error_at', type: 'timestamptz', nullable: true })
  samlMetadataErrorAt!: Date | null;

  /** When the scheduled sweep refreshes the metadata next. */
  @Column({ name: 'saml_metadata_next_at', type: 'timestamptz', nullable: true })
  samlMetadataNextAt!: Date | null;

  /** The refresh running now (one per tenant across instances) and until when its claim holds. */
  @Column({ name: 'saml_metadata_lease_id', type: 'uuid', nullable: true })
  samlMetadataLeaseId!: string | null;

  @Column({ name: 'saml_metadata_lease_until', type: 'timestamptz', nullable: true })
  samlMetadataLeaseUntil!: Date | null;

  /** The lease of the last refresh that finished: a refresh that waited for it takes its outcome. */
  @Column({ name: 'saml_metadata_last_attempt_id', type: 'uuid', nullable: true })
  samlMetadataLastAttemptId!: string | null;

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
