import { Injectable } from '@nestjs/common';
import { isTenantSlug } from './tenant-slug.js';
import { TenantsRepository } from './tenants.repository.js';

/** A tenant as every entry point knows it once its URL slug is resolved. */
export interface TenantRef {
  id: string;
  slug: string;
  name: string;
}

/** Slugs kept in memory; a process serving more tenants than this re-reads the least recent. */
export const TENANT_DIRECTORY_SIZE = 10_000;

/**
 * The one front door from a URL's tenant slug to the tenant: every entry point (console API,
 * password login, auth options, ACS, SP metadata, SCIM, the operator API) asks here, and the
 * slug is checked here and nowhere else.
 *
 * A slug names its tenant for the tenant's life (slugs are never changed or reused, tenants are
 * not renamed or deleted), so found tenants are kept in memory: the hot paths then read the
 * tenant's rows by `tenant_id` alone (one shard when the tables are distributed by tenant_id).
 * This is a cache of facts that never change, not state instances must share. Unknown slugs are
 * never cached, so a tenant created on another instance is found at once.
 */
@Injectable()
export class TenantDirectory {
  private readonly known = new Map<string, TenantRef>();

  constructor(private readonly tenants: TenantsRepository) {}

  async resolve(slug: unknown): Promise<TenantRef | null> {
    if (!isTenantSlug(slug)) return null;
    const cached = this.known.get(slug);
    if (cached) {
      // Least recently used goes first when the map is full: re-insert to mark this one recent.
      this.known.delete(slug);
      this.known.set(slug, cached);
      return cached;
    }
    const row = await this.tenants.findBySlug(slug);
    if (!row) return null;
    const tenant: TenantRef = { id: row.id, slug: row.slug, name: row.name };
    if (this.known.size >= TENANT_DIRECTORY_SIZE) this.known.delete(this.known.keys().next().value!);
    this.known.set(slug, tenant);
    return tenant;
  }
}
