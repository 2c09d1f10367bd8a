import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { IsEmailAddress } from '../../common/validation/is-email-address.decorator.js';
import { USER_ROLES, type UserRole } from '../user.entity.js';

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 200;

export class CreateUserDto {
  @ApiProperty({ example: 'ada@acme.test' })
  @IsEmailAddress()
  email!: string;

  @ApiProperty({ example: 'Ada' })
  @IsString()
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(200)
  givenName!: string;

  @ApiProperty({ example: 'Lovelace' })
  @IsString()
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(200)
  familyName!: string;

  @ApiPropertyOptional({ enum: USER_ROLES, default: 'user' })
  @IsOptional()
  @IsIn(USER_ROLES)
  role?: UserRole;

  @ApiPropertyOptional({ minLength: PASSWORD_MIN, description: 'Leave out for users who sign in with SAML only' })
  @IsOptional()
  @IsString()
  @MinLength(PASSWORD_MIN, { message: `must be at least ${PASSWORD_MIN} characters` })
  @MaxLength(PASSWORD_MAX)
  password?: string;
}
