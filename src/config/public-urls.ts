/**
 * The URLs Latchkey publishes per tenant, all under PUBLIC_URL: what an identity provider is
 * given (the ACS, which is also the SP entity ID and the only URL in the SP metadata) and the
 * SCIM base URL.
 * One place builds them, so the ACS that checks a response's Destination and Audience, the
 * metadata an IdP imports and the settings page the admin copies from can never disagree.
 * Injectable (ConfigModule provides it) and pure: constructed from the resolved public URL.
 */
export class PublicUrls {
  /** `publicUrl`: AppConfig.publicUrl, no trailing slash. */
  constructor(private readonly publicUrl: string) {}

  /** The Sign-on Page URL and the SP entity ID (what Entra and Okta are given). */
  acs(slug: string): string {
    return `${this.publicUrl}/saml/${slug}/acs`;
  }

  /** The SCIM 2.0 base URL; resources are under it (`…/Users/{id}`). */
  scimBase(slug: string): string {
    return `${this.publicUrl}/scim/v2/${slug}`;
  }
}
