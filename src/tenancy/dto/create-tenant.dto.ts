import { ApiProperty, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsObject, IsString, Matches, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { CreateUserDto, PASSWORD_MAX, PASSWORD_MIN } from '../../users/dto/create-user.dto.js';
import { TENANT_SLUG } from '../tenant-slug.js';

/** The tenant's first System Admin: a console user whose password is required. */
export class TenantAdminDto extends PickType(CreateUserDto, ['email', 'givenName', 'familyName'] as const) {
  @ApiProperty({ minLength: PASSWORD_MIN })
  @IsString()
  @MinLength(PASSWORD_MIN, { message: `must be at least ${PASSWORD_MIN} characters` })
  @MaxLength(PASSWORD_MAX)
  password!: string;
}

export class CreateTenantDto {
  @ApiProperty({ example: 'acme', pattern: TENANT_SLUG.source })
  @IsString()
  @Matches(TENANT_SLUG, { message: 'must be 1-40 lowercase letters, digits or inner hyphens' })
  slug!: string;

  @ApiProperty({ example: 'Acme Corporation' })
  @IsString()
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(200)
  name!: string;

  @ApiProperty({ type: TenantAdminDto })
  @IsDefined({ message: 'is required' })
  @IsObject()
  @ValidateNested()
  @Type(() => TenantAdminDto)
  admin!: TenantAdminDto;
}
