import { Injectable } from '@nestjs/common';
import type { ScimGateRow } from './scim-gate.repository.js';

/** Tenants whose gate one process keeps; a process serving more re-reads the least recent (as TenantDirectory). */
export const SCIM_GATE_CACHE_SIZE = 10_000;

/** What a fill must hand back: the cache's generation when its database read began. */
export type FillTicket = number;

/**
 * The SCIM gate rows of recently seen tenants, so an admitted request costs no second database
 * round trip. Trusted only while `ScimGateListener` is LISTENing for settings changes: it marks
 * the cache up once LISTEN has taken effect and down the moment its connection fails; down, the
 * cache is empty and stores nothing, so every request reads the database (no stale window).
 *
 * A read that began before an invalidation must not store what it read (the row may predate the
 * change): every invalidation, and every up or down, bumps the generation, and a fill carries the
 * generation its read began in. One counter for all tenants: a change voids unrelated fills in
 * flight too, which only costs them a later read.
 */
@Injectable()
export class ScimGateCache {
  private readonly rows = new Map<string, ScimGateRow>();
  private generation = 0;
  private listening = false;

  /** Whether entries are served (the listener is connected and LISTEN has taken effect). */
  get up(): boolean {
    return this.listening;
  }

  get size(): number {
    return this.rows.size;
  }

  get(tenantId: string): ScimGateRow | undefined {
    const row = this.rows.get(tenantId);
    if (row) {
      // Least recently used goes first when the map is full: re-insert to mark this one recent.
      this.rows.delete(tenantId);
      this.rows.set(tenantId, row);
    }
    return row;
  }

  /** Call before reading the database for a fill. */
  ticket(): FillTicket {
    return this.generation;
  }

  /** Stores a row read under `ticket`, unless the cache is down or anything was invalidated since. */
  fill(tenantId: string, row: ScimGateRow, ticket: FillTicket): void {
    if (!this.listening || ticket !== this.generation) return;
    if (this.rows.size >= SCIM_GATE_CACHE_SIZE && !this.rows.has(tenantId)) this.rows.delete(this.rows.keys().next().value!);
    this.rows.set(tenantId, Object.freeze(row));
  }

  /** A change notice for the tenant. */
  invalidate(tenantId: string): void {
    this.generation++;
    this.rows.delete(tenantId);
  }

  /** LISTEN has taken effect: start from empty, since changes made while down were not heard. */
  markUp(): void {
    this.generation++;
    this.rows.clear();
    this.listening = true;
  }

  /** The listener's connection failed or closed: forget everything and store nothing until up again. */
  markDown(): void {
    this.generation++;
    this.rows.clear();
    this.listening = false;
  }
}
