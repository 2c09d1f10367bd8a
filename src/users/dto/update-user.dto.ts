import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsBoolean, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { LICENSE_KEYS } from '../licenses.js';
import { USER_ROLES, type UserRole } from '../user.entity.js';

export class UpdateUserDto {
  /** Checked by the service, so an unknown key answers 400 `unknown_license` naming it. */
  @ApiPropertyOptional({ type: [String], enum: LICENSE_KEYS })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  licenses?: string[];

  @ApiPropertyOptional({ enum: USER_ROLES })
  @IsOptional()
  @IsIn(USER_ROLES)
  role?: UserRole;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(200)
  givenName?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(200)
  familyName?: string;
}
