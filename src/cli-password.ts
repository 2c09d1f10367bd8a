/** A mistake in how the CLI was called: printed with the usage, exit code 64. */
export class CliUsageError extends Error {}

export const PASSWORD_FLAG_REFUSED =
  '--admin-password is not accepted: a command line is readable by every user of the machine (ps, /proc/<pid>/cmdline) ' +
  'and stays in shell history. Set LATCHKEY_ADMIN_PASSWORD, pass --admin-password-file <path>, or type the password when asked.';

export interface PasswordSources {
  env: Record<string, string | undefined>;
  readFile: (path: string) => string;
  /** Asks on the terminal; undefined when stdin is no terminal. */
  ask?: () => Promise<string>;
}

/**
 * The first System Admin's password, from anywhere but the command line: the file named by
 * --admin-password-file (its first line), LATCHKEY_ADMIN_PASSWORD, or the terminal.
 */
export async function resolveAdminPassword(values: { 'admin-password'?: string; 'admin-password-file'?: string }, sources: PasswordSources): Promise<string> {
  if (values['admin-password'] !== undefined) throw new CliUsageError(PASSWORD_FLAG_REFUSED);
  const file = values['admin-password-file'];
  if (file !== undefined) {
    let text: string;
    try {
      text = sources.readFile(file);
    } catch (err) {
      throw new CliUsageError(`--admin-password-file: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    return text.split(/\r?\n/, 1)[0] ?? '';
  }
  const fromEnv = sources.env.LATCHKEY_ADMIN_PASSWORD;
  if (fromEnv) return fromEnv;
  if (!sources.ask) throw new CliUsageError('No password: set LATCHKEY_ADMIN_PASSWORD or pass --admin-password-file <path> (stdin is no terminal to ask on)');
  return sources.ask();
}
