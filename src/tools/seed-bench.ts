import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { DataSource } from 'typeorm';
import { insertBenchGroups, sampleUserIds } from './bench-groups.js';
import { insertBenchUsers } from './bench-users.js';
import { AppModule } from '../app.module.js';
import { resolveRuntime } from '../bootstrap/resolve-database.js';
import { createLogger } from '../common/logging/logger.js';
import { loadConfig } from '../config/app-config.js';
import { ScimSettingsService } from '../scim/scim-settings.service.js';
import { SecuritySettingsService } from '../settings/security-settings.service.js';
import { SecuritySettingsRepository } from '../tenancy/security-settings.repository.js';
import { TenantsService } from '../tenancy/tenants.service.js';

/** Where the benchmark's generated files go (git-ignored): IdP key and certificate, seed output. */
export const BENCH_DIR = resolve('.bench');

/**
 * `npm run seed:bench -- --tenant bench --users N`: a tenant with SAML (a generated IdP
 * certificate whose key the benchmark signs with) and SCIM enabled, and users
 * user{i}@bench.test (Given{i} Family{i}), i = 1..N, inserted with set-based SQL, and the groups
 * of the group scenarios (bench-groups.ts: 100,000 members, 10 members, PATCH targets). Idempotent:
 * running it again with a larger N adds the missing users.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { tenant: { type: 'string', default: 'bench' }, users: { type: 'string', default: '100000' } },
  });
  const slug = values.tenant!;
  const count = Number.parseInt(values.users!, 10);
  if (!Number.isInteger(count) || count < 1 || count > 10_000_000) throw new Error('--users must be a whole number from 1 to 10000000');

  const env = loadConfig();
  const logger = createLogger(env.LOG_LEVEL === 'info' ? 'warn' : env.LOG_LEVEL);
  const { config, database } = await resolveRuntime(env, logger);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config, logger), { logger: false });
  try {
    mkdirSync(BENCH_DIR, { recursive: true });
    const tenants = app.get(TenantsService);
    let tenant = await tenants.findBySlug(slug);
    if (!tenant) {
      const password = randomBytes(12).toString('base64url');
      tenant = await tenants.create(
        { slug, name: `Benchmark (${slug})`, admin: { email: `admin@${slug}.test`, password, givenName: 'Bench', familyName: 'Admin' } },
        'seed-bench',
      );
      writeFileSync(join(BENCH_DIR, `${slug}-admin-password`), `${password}\n`, { mode: 0o600 });
    }

    // SAML: a fresh IdP key pair the first time; the benchmark signs ACS responses with the key.
    const keyFile = join(BENCH_DIR, `${slug}-idp-key.pem`);
    const certFile = join(BENCH_DIR, `${slug}-idp-cert.pem`);
    if (!existsSync(keyFile) || !existsSync(certFile)) {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-sha256', '-nodes', '-days', '365', '-subj', '/CN=Latchkey Bench IdP', '-keyout', keyFile, '-out', certFile], {
        stdio: 'pipe',
      });
    }
    const settingsRepo = app.get(SecuritySettingsRepository);
    const settings = await settingsRepo.get(tenant.id);
    settings.samlEnabled = true;
    settings.samlCertificates = [{ pem: readFileSync(certFile, 'utf8') }];
    await settingsRepo.save(settings);
    const view = app.get(SecuritySettingsService).toView(tenant.slug, await app.get(ScimSettingsService).setEnabled(tenant, true, 'seed-bench'));

    const started = Date.now();
    const inserted = await insertBenchUsers(app.get<DataSource>(getDataSourceToken()), tenant.id, count);
    const seconds = (Date.now() - started) / 1000;
    const groupsStarted = Date.now();
    const dataSource = app.get<DataSource>(getDataSourceToken());
    const groups = await insertBenchGroups(dataSource, tenant.id);
    const userIdsFile = join(BENCH_DIR, `${slug}-user-ids.json`);
    writeFileSync(userIdsFile, JSON.stringify(await sampleUserIds(dataSource, tenant.id, 50_000)));
    const groupSeconds = (Date.now() - groupsStarted) / 1000;

    const output = {
      baseUrl: config.publicUrl,
      tenant: slug,
      users: count,
      scimUrl: view.scim.url,
      scimToken: view.scim.token,
      acsUrl: view.saml.signOnUrl,
      idpKeyFile: keyFile,
      idpCertFile: certFile,
      groups,
      userIdsFile,
    };
    writeFileSync(join(BENCH_DIR, `${slug}-seed.json`), `${JSON.stringify(output, null, 2)}\n`, { mode: 0o600 });
    process.stdout.write(
      [
        `Seeded tenant "${slug}": ${inserted} new users in ${seconds.toFixed(1)} s (${count} in all); groups in ${groupSeconds.toFixed(1)} s`,
        `SCIM URL:   ${view.scim.url}`,
        `SCIM token: ${view.scim.token}`,
        `ACS URL:    ${view.saml.signOnUrl} (responses signed with ${keyFile})`,
        `Written to ${join(BENCH_DIR, `${slug}-seed.json`)}; run: npm run bench -- --tenant ${slug}`,
        '',
      ].join('\n'),
    );
  } finally {
    await app.close();
    await database.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
