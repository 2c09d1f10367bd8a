import { describe, expect, it } from '@jest/globals';
import { CliUsageError, PASSWORD_FLAG_REFUSED, resolveAdminPassword, type PasswordSources } from './cli-password.js';

const sources = (o: Partial<PasswordSources> = {}): PasswordSources => ({
  env: {},
  readFile: () => {
    throw Object.assign(new Error('nope'), { code: 'ENOENT' });
  },
  ...o,
});

describe('resolveAdminPassword (create-tenant)', () => {
  it('refuses --admin-password: it would show in the process list', async () => {
    await expect(resolveAdminPassword({ 'admin-password': 'hunter2hunter2' }, sources({ env: { LATCHKEY_ADMIN_PASSWORD: 'x' } }))).rejects.toThrow(
      new CliUsageError(PASSWORD_FLAG_REFUSED),
    );
    expect(PASSWORD_FLAG_REFUSED).not.toContain('hunter2');
  });

  it('reads the first line of --admin-password-file, before the environment', async () => {
    const read: string[] = [];
    const readFile = (p: string) => {
      read.push(p);
      return 'correct horse battery\r\nignored\n';
    };
    await expect(resolveAdminPassword({ 'admin-password-file': '/run/secrets/pw' }, sources({ readFile, env: { LATCHKEY_ADMIN_PASSWORD: 'env' } }))).resolves.toBe('correct horse battery');
    expect(read).toEqual(['/run/secrets/pw']);
  });

  it('says which file it could not read', async () => {
    await expect(resolveAdminPassword({ 'admin-password-file': '/no/such' }, sources())).rejects.toThrow('--admin-password-file: cannot read /no/such (ENOENT)');
  });

  it('takes LATCHKEY_ADMIN_PASSWORD, else asks on the terminal, else says how to give it', async () => {
    await expect(resolveAdminPassword({}, sources({ env: { LATCHKEY_ADMIN_PASSWORD: 'from env 123' } }))).resolves.toBe('from env 123');
    await expect(resolveAdminPassword({}, sources({ ask: () => Promise.resolve('typed 12345') }))).resolves.toBe('typed 12345');
    await expect(resolveAdminPassword({}, sources())).rejects.toThrow(/set LATCHKEY_ADMIN_PASSWORD or pass --admin-password-file/);
  });
});
