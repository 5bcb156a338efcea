import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { AuditLog } from '../entities/audit-log.entity';

export class AuditLogQueryDto {
  @ApiPropertyOptional({ description: 'Admin only: one merchant\'s entries' })
  @IsOptional() @IsUUID()
  merchant_id?: string;

  @ApiPropertyOptional({ example: 'merchant.approve' }) @IsOptional() @IsString() @MaxLength(100)
  action?: string;

  @ApiPropertyOptional({ example: 'merchant' }) @IsOptional() @IsString() @MaxLength(50)
  entity_type?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100)
  entity_id?: string;

  @ApiPropertyOptional() @IsOptional() @IsUUID()
  actor_id?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time' }) @IsOptional() @Type(() => Date) @IsDate()
  since?: Date;

  @ApiPropertyOptional({ type: String, format: 'date-time' }) @IsOptional() @Type(() => Date) @IsDate()
  until?: Date;

  @ApiPropertyOptional({ description: 'next_cursor of the previous page' }) @IsOptional() @IsString() @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100)
  limit?: number;
}

export class AuditLogDto {
  @ApiProperty() id: string;
  @ApiProperty({ nullable: true }) merchant_id: string | null;
  @ApiProperty({ enum: ['user', 'api_key', 'system'] }) actor_type: string;
  @ApiProperty({ nullable: true }) actor_id: string | null;
  @ApiProperty({ nullable: true }) actor_role: string | null;
  @ApiProperty() action: string;
  @ApiProperty() entity_type: string;
  @ApiProperty({ nullable: true }) entity_id: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { status: { before: 'PENDING', after: 'ACTIVE' } } })
  changes: Record<string, { before: unknown; after: unknown }>;
  @ApiProperty({ nullable: true }) request_id: string | null;
  @ApiProperty({ nullable: true }) ip: string | null;
  @ApiProperty() created_at: string;

  static from(row: AuditLog): AuditLogDto {
    return {
      id: row.id,
      merchant_id: row.merchantId,
      actor_type: row.actorType,
      actor_id: row.actorId,
      actor_role: row.actorRole,
      action: row.action,
      entity_type: row.entityType,
      entity_id: row.entityId,
      changes: row.changes,
      request_id: row.requestId,
      ip: row.ip,
      created_at: row.createdAt.toISOString(),
    };
  }
}

export class AuditLogPageDto {
  @ApiProperty({ type: [AuditLogDto] }) items: AuditLogDto[];
  @ApiProperty({ nullable: true, description: 'Pass as `cursor` for the next page; null at the end' }) next_cursor: string | null;
}
