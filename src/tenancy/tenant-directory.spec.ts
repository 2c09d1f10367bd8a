import { describe, expect, it } from '@jest/globals';
import { TENANT_DIRECTORY_SIZE, TenantDirectory } from './tenant-directory.js';
import type { TenantsRepository } from './tenants.repository.js';

function directoryOver(slugs: string[]) {
  const reads: string[] = [];
  const existing = new Set(slugs);
  const repository = {
    findBySlug: async (slug: string) => {
      reads.push(slug);
      return existing.has(slug) ? { id: `id-${slug}`, slug, name: `Tenant ${slug}` } : null;
    },
  } as unknown as TenantsRepository;
  return { directory: new TenantDirectory(repository), reads, existing };
}

describe('TenantDirectory', () => {
  it('checks the slug before any read and refuses what cannot be a slug', async () => {
    const { directory, reads } = directoryOver(['acme']);
    for (const bad of ['', 'ACME', 'a/b', '-acme', 'x'.repeat(41), undefined, 42]) await expect(directory.resolve(bad)).resolves.toBeNull();
    expect(reads).toEqual([]);
  });

  it('reads a found tenant once, and an unknown slug every time (a tenant created elsewhere is found at once)', async () => {
    const { directory, reads, existing } = directoryOver(['acme']);
    await expect(directory.resolve('acme')).resolves.toEqual({ id: 'id-acme', slug: 'acme', name: 'Tenant acme' });
    await expect(directory.resolve('acme')).resolves.toEqual({ id: 'id-acme', slug: 'acme', name: 'Tenant acme' });
    await expect(directory.resolve('later')).resolves.toBeNull();
    existing.add('later');
    await expect(directory.resolve('later')).resolves.toMatchObject({ id: 'id-later' });
    expect(reads).toEqual(['acme', 'later', 'later']);
  });

  it('keeps at most TENANT_DIRECTORY_SIZE tenants, dropping the least recently used', async () => {
    const slugs = Array.from({ length: TENANT_DIRECTORY_SIZE + 1 }, (_, i) => `t${i}`);
    const { directory, reads } = directoryOver(slugs);
    for (const slug of slugs.slice(0, TENANT_DIRECTORY_SIZE)) await directory.resolve(slug);
    await directory.resolve('t0'); // t0 is recent again; t1 is now the least recent
    await directory.resolve(slugs[TENANT_DIRECTORY_SIZE]!);
    reads.length = 0;
    await directory.resolve('t0');
    await directory.resolve('t1');
    expect(reads).toEqual(['t1']);
  });
});
