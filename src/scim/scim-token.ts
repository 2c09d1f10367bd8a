import { timingSafeEqual } from 'node:crypto';
import { sha256 } from '../common/crypto/tokens.js';

/** What is stored to look the token up: its SHA-256 (32 bytes). */
export function scimTokenHash(token: string): Buffer {
  return sha256(token);
}

/** Compares a presented token with the stored hash in constant time. */
export function scimTokenMatches(presented: string, storedHash: Buffer | null): boolean {
  if (!storedHash || storedHash.length !== 32) return false;
  return timingSafeEqual(scimTokenHash(presented), storedHash);
}
