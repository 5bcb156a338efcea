import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, IsString, Length } from 'class-validator';
import { SCOPES, Scope } from '@app/common';
import { ApiKey } from '../entities/api-key.entity';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'Inventory sync' }) @IsString() @Length(1, 100)
  name: string;

  @ApiPropertyOptional({ enum: SCOPES, isArray: true, default: ['read'], description: '`read` keys can only GET' })
  @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(2) @IsIn(SCOPES, { each: true })
  scopes?: Scope[];

  @ApiPropertyOptional({ enum: ['live', 'test'], default: 'live' }) @IsOptional() @IsIn(['live', 'test'])
  mode?: 'live' | 'test';
}

export class ApiKeyDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ example: 'ock_live_Ab3d', description: 'The first characters of the key' }) prefix: string;
  @ApiProperty({ enum: SCOPES, isArray: true }) scopes: Scope[];
  @ApiProperty({ enum: ['live', 'test'] }) mode: 'live' | 'test';
  @ApiProperty({ nullable: true }) last_used_at: string | null;
  @ApiProperty() created_at: string;

  static from(key: ApiKey): ApiKeyDto {
    return {
      id: key.id,
      name: key.name,
      prefix: key.prefix,
      scopes: key.scopes,
      mode: key.mode,
      last_used_at: key.lastUsedAt?.toISOString() ?? null,
      created_at: key.createdAt.toISOString(),
    };
  }
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ description: 'The key itself. Shown only in this response; store it now.', example: 'ock_live_…' })
  key: string;
}
