import { Allow, IsBoolean, IsOptional } from 'class-validator';

export class UpdateSamlSettingsDto {
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @IsOptional()
  @IsBoolean()
  enforceLogin?: boolean;

  /**
   * Where the IdP publishes its metadata, or null to stop refreshing from it. Checked by the
   * service (parseAdminUrl), which answers 400 `invalid_url` naming the field for anything that is
   * not an http(s) URL; null is a value here ("clear"), so the field is not @IsOptional.
   */
  @Allow()
  metadataUrl?: unknown;

  /**
   * The IdP's SSO URL for SP-initiated sign-on (GET /saml/{tenant}/login sends the AuthnRequest
   * there), or null to clear it. Checked by the service (parseAdminUrl): 400 `invalid_url` naming
   * the field.
   */
  @Allow()
  idpSsoUrl?: unknown;
}
