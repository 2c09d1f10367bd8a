import { Injectable, type OnModuleInit } from '@nestjs/common';
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const KEY_LENGTH = 32;
/** N = 2^15, r = 8, p = 1: about 65 ms on this 2-core machine. Raise it as hardware allows. */
const DEFAULT_COST = 15;

function scryptAsync(password: string, salt: Buffer, cost: number, r: number, p: number): Promise<Buffer> {
  const options: ScryptOptions = { N: 2 ** cost, r, p, maxmem: 256 * 1024 * 1024 };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/**
 * scrypt password hashes in the form scrypt$<log2 N>$<r>$<p>$<salt>$<hash> (base64url parts),
 * so parameters can be raised later without invalidating stored hashes.
 */
@Injectable()
export class PasswordHasher implements OnModuleInit {
  private readonly cost = DEFAULT_COST;
  private dummyHash: Promise<string> | undefined;

  onModuleInit(): void {
    this.dummyHash = this.hash(randomBytes(16).toString('hex'));
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const key = await scryptAsync(password, salt, this.cost, 8, 1);
    return ['scrypt', this.cost, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const parts = stored.split('$');
    if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
    const [cost, r, p] = parts.slice(1, 4).map((x) => Number.parseInt(x, 10));
    if (!cost || !r || !p || cost > 22) return false;
    const expected = Buffer.from(parts[5] ?? '', 'base64url');
    const actual = await scryptAsync(password, Buffer.from(parts[4] ?? '', 'base64url'), cost, r, p);
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }

  /**
   * Spends the same time as a real verification, for unknown emails and users without a password,
   * so response time does not reveal which accounts exist.
   */
  async verifyDummy(password: string): Promise<false> {
    this.dummyHash ??= this.hash(randomBytes(16).toString('hex'));
    await this.verify(password, await this.dummyHash);
    return false;
  }
}
