import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SCIM Groups and group licenses (contract v2), and the user columns contract v2 adds.
 *
 * - users.display_name: SCIM displayName stored as sent (NULL: never sent, derived from the names).
 * - users.scim_removed_at: the identity provider deleted the user (SCIM DELETE). Such a user is
 *   gone for SCIM (404, left out of lists) but kept in the User List; a later POST of the same
 *   userName brings the same row back.
 * - groups: tenant first in every key (Citus: distributed by tenant_id). displayName is unique per
 *   tenant by an ASCII-only case fold, the same rule as email keys (users/email-key.ts): two names a
 *   person would call different never collide through Unicode or locale case folding.
 *   member_count is kept by the statements that change memberships, so a list page never counts a
 *   100,000-member group.
 * - group_members: one row per membership, keyed (tenant, group, user) and indexed the other way
 *   (tenant, user, group) for a user's groups and effective licenses. Deleting a group or a user
 *   row removes its memberships.
 */
// Written out, not imported: a landed migration must never change with the code.
const NAME_KEY = "translate(display_name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')";

export class Groups1795530000000 implements MigrationInterface {
  name = 'Groups1795530000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE users ADD COLUMN display_name varchar(400), ADD COLUMN scim_removed_at timestamptz');

    await q.query(`
      CREATE TABLE groups (
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        display_name varchar(400) NOT NULL,
        external_id varchar(255),
        licenses text[] NOT NULL DEFAULT '{}',
        source varchar(10) NOT NULL DEFAULT 'scim' CHECK (source IN ('scim')),
        member_count integer NOT NULL DEFAULT 0 CHECK (member_count >= 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        PRIMARY KEY (tenant_id, id)
      )`);
    await q.query(`CREATE UNIQUE INDEX groups_tenant_display_name_key ON groups (tenant_id, ${NAME_KEY})`);
    await q.query('CREATE INDEX groups_tenant_external_id_idx ON groups (tenant_id, external_id) WHERE external_id IS NOT NULL');
    await q.query('CREATE INDEX groups_tenant_order_idx ON groups (tenant_id, created_at, id)');

    await q.query(`
      CREATE TABLE group_members (
        tenant_id uuid NOT NULL,
        group_id uuid NOT NULL,
        user_id uuid NOT NULL,
        PRIMARY KEY (tenant_id, group_id, user_id),
        FOREIGN KEY (tenant_id, group_id) REFERENCES groups (tenant_id, id) ON DELETE CASCADE,
        FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
      )`);
    await q.query('CREATE INDEX group_members_tenant_user_idx ON group_members (tenant_id, user_id, group_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE group_members');
    await q.query('DROP TABLE groups');
    await q.query('ALTER TABLE users DROP COLUMN scim_removed_at, DROP COLUMN display_name');
  }
}
