import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tenants, their security settings, users, sessions, login throttling and the audit log.
 * Every tenant-owned table leads its primary key with tenant_id, so the schema can be
 * distributed by tenant_id (Citus) as it is.
 */
export class InitialSchema1795467307773 implements MigrationInterface {
  name = 'InitialSchema1795467307773';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tenants (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        slug varchar(40) NOT NULL,
        name varchar(200) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT tenants_slug_format CHECK (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$')
      )`);
    await q.query(`CREATE UNIQUE INDEX tenants_slug_key ON tenants (slug)`);

    await q.query(`
      CREATE TABLE tenant_security_settings (
        tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
        saml_enabled boolean NOT NULL DEFAULT false,
        saml_enforce_login boolean NOT NULL DEFAULT false,
        saml_certificates jsonb NOT NULL DEFAULT '[]',
        saml_idp_entity_id text,
        scim_enabled boolean NOT NULL DEFAULT false,
        scim_token_hash bytea,
        scim_token_ciphertext text,
        scim_token_created_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE users (
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        email varchar(254) NOT NULL,
        given_name varchar(200) NOT NULL DEFAULT '',
        family_name varchar(200) NOT NULL DEFAULT '',
        active boolean NOT NULL DEFAULT true,
        role varchar(20) NOT NULL DEFAULT 'user' CHECK (role IN ('system_admin', 'user')),
        password_hash text,
        licenses text[] NOT NULL DEFAULT '{}',
        source varchar(10) NOT NULL DEFAULT 'manual' CHECK (source IN ('manual', 'scim')),
        external_id varchar(255),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        last_login_at timestamptz,
        version integer NOT NULL DEFAULT 1,
        PRIMARY KEY (tenant_id, id)
      )`);
    // Email is unique per tenant without regard to case; inactive users keep theirs.
    await q.query(`CREATE UNIQUE INDEX users_tenant_email_key ON users (tenant_id, lower(email))`);
    await q.query(`CREATE INDEX users_tenant_external_id_idx ON users (tenant_id, external_id) WHERE external_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE sessions (
        tenant_id uuid NOT NULL,
        token_hash bytea NOT NULL,
        user_id uuid NOT NULL,
        method varchar(10) NOT NULL CHECK (method IN ('password', 'saml')),
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, token_hash),
        FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX sessions_tenant_user_idx ON sessions (tenant_id, user_id)`);
    await q.query(`CREATE INDEX sessions_expires_at_idx ON sessions (expires_at)`);

    await q.query(`
      CREATE TABLE login_throttle (
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        key varchar(400) NOT NULL,
        failures integer NOT NULL,
        window_started_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, key)
      )`);

    await q.query(`
      CREATE TABLE audit_events (
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        id bigint GENERATED ALWAYS AS IDENTITY,
        at timestamptz NOT NULL DEFAULT now(),
        kind varchar(20) NOT NULL,
        actor varchar(320),
        action varchar(64) NOT NULL,
        target varchar(320),
        outcome varchar(10) NOT NULL CHECK (outcome IN ('success', 'failure')),
        reason text,
        details jsonb,
        PRIMARY KEY (tenant_id, id)
      )`);
    await q.query(`CREATE INDEX audit_events_tenant_kind_idx ON audit_events (tenant_id, kind, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE audit_events');
    await q.query('DROP TABLE login_throttle');
    await q.query('DROP TABLE sessions');
    await q.query('DROP TABLE users');
    await q.query('DROP TABLE tenant_security_settings');
    await q.query('DROP TABLE tenants');
  }
}
