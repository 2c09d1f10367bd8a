import { hkdfSync } from 'node:crypto';
import { SecretBox } from './secret-box.js';

/**
 * Every key the service derives from APP_SECRET, in one place. Each purpose gets its own key
 * (HKDF-SHA256, salt "latchkey", the purpose as info), so a key for one use never works for
 * another. The labels are part of stored data (sealed SCIM tokens, issued cursors): never rename one.
 */
export const KEY_PURPOSES = {
  /** CSRF token = HMAC(session token). */
  csrf: 'csrf',
  /** SCIM paging cursors (RFC 9865) are signed with it. */
  scimCursor: 'scim-cursor',
} as const;
export type KeyPurpose = (typeof KEY_PURPOSES)[keyof typeof KEY_PURPOSES];

/** Values sealed at rest (AES-256-GCM), each purpose with its own key. */
export const SEAL_PURPOSES = {
  /** The SCIM token, kept for display to System Admins. */
  scimToken: 'scim-token',
  /** A tenant's SAML SP private key (PKCS#8 PEM): signs AuthnRequests, decrypts assertions. */
  samlSpKey: 'saml-sp-key',
} as const;
export type SealPurpose = (typeof SEAL_PURPOSES)[keyof typeof SEAL_PURPOSES];

export class KeyRing {
  private readonly keys = new Map<string, Buffer>();
  private readonly boxes = new Map<SealPurpose, SecretBox>();

  constructor(private readonly appSecret: string) {}

  /** A 256-bit key for one purpose, derived once. */
  key(purpose: KeyPurpose): Buffer {
    return this.derive(purpose);
  }

  /** The sealing box of one purpose. */
  secretBox(purpose: SealPurpose): SecretBox {
    let box = this.boxes.get(purpose);
    if (!box) {
      box = new SecretBox(this.derive(`secret-box:${purpose}`));
      this.boxes.set(purpose, box);
    }
    return box;
  }

  private derive(info: string): Buffer {
    let key = this.keys.get(info);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', this.appSecret, 'latchkey', info, 32));
      this.keys.set(info, key);
    }
    return key;
  }
}
