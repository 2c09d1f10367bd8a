import { Column, Entity, PrimaryColumn } from 'typeorm';

export const AUDIT_KINDS = ['saml_login', 'scim', 'settings', 'auth'] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];
export const AUDIT_OUTCOMES = ['success', 'failure'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

@Entity({ name: 'audit_events' })
export class AuditEventEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  /** Identity column; bigint comes back from pg as a string. */
  @PrimaryColumn({ type: 'bigint', generated: 'identity', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at!: Date;

  @Column({ type: 'varchar', length: 20 })
  kind!: AuditKind;

  @Column({ type: 'varchar', length: 320, nullable: true })
  actor!: string | null;

  @Column({ type: 'varchar', length: 64 })
  action!: string;

  @Column({ type: 'varchar', length: 320, nullable: true })
  target!: string | null;

  @Column({ type: 'varchar', length: 10 })
  outcome!: AuditOutcome;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  details!: Record<string, unknown> | null;

  /** How many identical failures this row stands for (1 for every other row). */
  @Column({ type: 'integer', default: 1 })
  count!: number;

  /** The newest of them; null while count is 1. */
  @Column({ name: 'last_at', type: 'timestamptz', nullable: true })
  lastAt!: Date | null;
}
