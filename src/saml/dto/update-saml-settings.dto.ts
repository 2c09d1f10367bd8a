import { IsBoolean, IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';
import { MAX_SETTING_URL_LENGTH } from '../../common/validation/http-url.js';

export class UpdateSamlSettingsDto {
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @IsOptional()
  @IsBoolean()
  enforceLogin?: boolean;

  /** The IdP's SSO URL for SP-initiated sign-on; null clears it, absent leaves it. Checked as a URL by the service (400 invalid_url). */
  @ValidateIf((o: UpdateSamlSettingsDto) => o.idpSsoUrl !== undefined && o.idpSsoUrl !== null)
  @IsString()
  @MaxLength(MAX_SETTING_URL_LENGTH + 1)
  idpSsoUrl?: string | null;
}
