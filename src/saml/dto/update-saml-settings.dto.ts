import { IsBoolean, IsOptional, IsString, ValidateIf } from 'class-validator';

export class UpdateSamlSettingsDto {
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @IsOptional()
  @IsBoolean()
  enforceLogin?: boolean;

  /**
   * The IdP's SSO URL for SP-initiated sign-on; null clears it, absent leaves it. Checked as a URL
   * (and its length) by the service: 400 invalid_url. The 16 KiB body limit bounds it before that.
   */
  @ValidateIf((o: UpdateSamlSettingsDto) => o.idpSsoUrl !== undefined && o.idpSsoUrl !== null)
  @IsString()
  idpSsoUrl?: string | null;
}
