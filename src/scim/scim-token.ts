import { SecretBox } from '../common/crypto/secret-box.js';

/** The SCIM token is encrypted at rest for display to System Admins with this purpose label. */
export const SCIM_TOKEN_PURPOSE = 'scim-token';

export function scimTokenBox(appSecret: string): SecretBox {
  return new SecretBox(appSecret, SCIM_TOKEN_PURPOSE);
}
