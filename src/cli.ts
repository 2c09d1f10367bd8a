import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { AppModule } from './app.module.js';
import { CliUsageError, resolveAdminPassword } from './cli-password.js';
import { resolveRuntime } from './bootstrap/resolve-database.js';
import { ApiException } from './common/http/api-exception.js';
import { createLogger } from './common/logging/logger.js';
import { PinoNestLogger } from './common/logging/pino-nest-logger.js';
import { loadConfig } from './config/app-config.js';
import { SamlSpKeyService } from './saml/saml-sp-key.service.js';
import { CreateTenantDto } from './tenancy/dto/create-tenant.dto.js';
import { TenantsService } from './tenancy/tenants.service.js';

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  create-tenant --slug <slug> --name <name> --admin-email <email>
                --admin-given-name <name> --admin-family-name <name>
                [--admin-password-file <path>]
      Creates a tenant with its first System Admin. The password is read from the file's first
      line, or env LATCHKEY_ADMIN_PASSWORD, or asked on the terminal; never from the command line
      (--admin-password is refused: every user of the machine can read a process's arguments).
  saml-unenforce --tenant <slug>
      Break-glass: turns Enforce SAML Login off so a System Admin can sign in with a password.
  saml-sp-key-rotate --tenant <slug>
      SP key rotation, step 1: a next SP key is published in the SP metadata beside the active
      one (for signing and encryption) and decrypts too. Then update the identity providers.
  saml-sp-key-promote --tenant <slug>
      Step 2: the next key becomes the active one (signs AuthnRequests, listed alone in the
      metadata); the old key still decrypts until the next rotation.

Uses DATABASE_URL, or the embedded PostgreSQL under ./data when it is unset.`;

async function askPassword(): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await rl.question('Password for the System Admin: ');
  } finally {
    rl.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 64;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      slug: { type: 'string' },
      name: { type: 'string' },
      tenant: { type: 'string' },
      'admin-email': { type: 'string' },
      // Declared only to refuse it with a clear message (see cli-password.ts).
      'admin-password': { type: 'string' },
      'admin-password-file': { type: 'string' },
      'admin-given-name': { type: 'string' },
      'admin-family-name': { type: 'string' },
    },
  });

  let password: string | undefined;
  try {
    if (command === 'create-tenant' || values['admin-password'] !== undefined) {
      password = await resolveAdminPassword(values, { env: process.env, readFile: (p) => readFileSync(p, 'utf8'), ask: process.stdin.isTTY ? askPassword : undefined });
    }
  } catch (err) {
    if (!(err instanceof CliUsageError)) throw err;
    process.stderr.write(`${err.message}\n\n${USAGE}\n`);
    return 64;
  }

  const env = loadConfig();
  const logger = createLogger(env.LOG_LEVEL === 'info' ? 'warn' : env.LOG_LEVEL);
  const { config, database } = await resolveRuntime(env, logger);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config, logger), { logger: new PinoNestLogger(logger) });
  try {
    const tenants = app.get(TenantsService);
    switch (command) {
      case 'create-tenant': {
        const dto = plainToInstance(CreateTenantDto, {
          slug: values.slug,
          name: values.name,
          admin: {
            email: values['admin-email'],
            password,
            givenName: values['admin-given-name'],
            familyName: values['admin-family-name'],
          },
        });
        const errors = await validate(dto);
        if (errors.length > 0) {
          const lines = errors.flatMap((e) =>
            e.children?.length
              ? e.children.map((c) => `admin.${c.property}: ${Object.values(c.constraints ?? {}).join('; ')}`)
              : [`${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`],
          );
          process.stderr.write(`Invalid input:\n  ${lines.join('\n  ')}\n\n${USAGE}\n`);
          return 64;
        }
        const tenant = await tenants.create(dto, 'operator-cli');
        process.stdout.write(`${JSON.stringify({ id: tenant.id, slug: tenant.slug, name: tenant.name })}\n`);
        process.stdout.write(`Sign in at ${config.publicUrl}/t/${tenant.slug}/login as ${dto.admin.email}\n`);
        return 0;
      }
      case 'saml-unenforce': {
        if (!values.tenant) {
          process.stderr.write(`--tenant is required\n\n${USAGE}\n`);
          return 64;
        }
        const result = await tenants.unenforceSaml(values.tenant, 'operator-cli');
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return 0;
      }
      case 'saml-sp-key-rotate':
      case 'saml-sp-key-promote': {
        if (!values.tenant) {
          process.stderr.write(`--tenant is required\n\n${USAGE}\n`);
          return 64;
        }
        const keys = app.get(SamlSpKeyService);
        const result = command === 'saml-sp-key-rotate' ? await keys.rotate(values.tenant, 'operator-cli') : await keys.promote(values.tenant, 'operator-cli');
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return 0;
      }
      default:
        process.stderr.write(`Unknown command "${command}"\n\n${USAGE}\n`);
        return 64;
    }
  } catch (err) {
    if (err instanceof ApiException) {
      process.stderr.write(`${err.code}: ${err.message}\n`);
      return err.getStatus() === 409 ? 75 : 65;
    }
    throw err;
  } finally {
    await app.close();
    await database.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
