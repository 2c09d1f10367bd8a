import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/http/page-query.dto.js';

export class ListGroupsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Part of the display name, ASCII letters in any case' })
  @IsOptional()
  @IsString()
  @MaxLength(400)
  search?: string;
}
