import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsString } from 'class-validator';
import { LICENSE_KEYS } from '../../users/licenses.js';

export class UpdateGroupLicensesDto {
  /** Checked by the service, so an unknown key answers 400 `unknown_license` naming it. */
  @ApiProperty({ type: [String], enum: LICENSE_KEYS, description: 'The licenses the group gives its members (all of them; [] for none)' })
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  licenses!: string[];
}
