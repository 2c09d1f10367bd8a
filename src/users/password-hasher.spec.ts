import { describe, expect, it, jest } from '@jest/globals';
import { PasswordHasher } from './password-hasher.js';

// Real scrypt (N=2^15, 32 MiB each): a few hashes take well over jest's 5 s default on a busy machine.
jest.setTimeout(60_000);

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher();
  hasher.onModuleInit();

  it('hashes with a random salt in a self-describing format and verifies', async () => {
    const a = await hasher.hash('correct horse battery');
    const b = await hasher.hash('correct horse battery');
    expect(a).toMatch(/^scrypt\$15\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    await expect(hasher.verify('correct horse battery', a)).resolves.toBe(true);
    await expect(hasher.verify('correct horse batterY', a)).resolves.toBe(false);
  });

  it('treats equivalent Unicode forms of a password alike (NFKC)', async () => {
    const stored = await hasher.hash('cafe\u0301 password');
    await expect(hasher.verify('caf\u00e9 password', stored)).resolves.toBe(true);
  });

  it('refuses malformed or absurd stored hashes instead of throwing or hanging', async () => {
    await expect(hasher.verify('x', 'plaintext')).resolves.toBe(false);
    await expect(hasher.verify('x', 'scrypt$40$8$1$c2FsdA$aGFzaA')).resolves.toBe(false);
    await expect(hasher.verifyDummy('x')).resolves.toBe(false);
  });
});
