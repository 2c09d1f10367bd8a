import { IsBoolean, IsOptional } from 'class-validator';

export class UpdateSamlSettingsDto {
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @IsOptional()
  @IsBoolean()
  enforceLogin?: boolean;
}
