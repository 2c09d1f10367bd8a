import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';

export class UpdateScimSettingsDto {
  /** "Enable SCIM Provisioning". */
  @ApiProperty()
  @IsBoolean()
  enabled!: boolean;
}
