import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { PaginationQueryDto } from '@app/common';
import { MAX_QUANTITY } from '../entities/inventory-level.entity';
import { MOVEMENT_TYPES, MovementType } from '../entities/inventory-movement.entity';
import { MAX_BATCH_ITEMS, MAX_RESERVATION_LINES, MAX_TTL_SECONDS } from '../inventory.service';

// --- requests -------------------------------------------------------------------------------

export class AdjustStockDto {
  @ApiProperty({ example: -3, description: `A delta added to on_hand (may be negative), |quantity| <= ${MAX_QUANTITY}` })
  @IsInt() @Min(-MAX_QUANTITY) @Max(MAX_QUANTITY)
  quantity: number;

  @ApiProperty({ example: 'stock count', description: 'Why; kept in the ledger' })
  @IsString() @Length(1, 500)
  reason: string;

  @ApiPropertyOptional({ description: "Defaults to the product's default (or only) variant" })
  @IsOptional() @IsUUID()
  variant_id?: string;

  @ApiPropertyOptional({ description: 'Defaults to the default stock location' })
  @IsOptional() @IsUUID()
  location_id?: string;
}

export class ReserveProductDto {
  @ApiProperty({ example: 2, minimum: 1, maximum: MAX_QUANTITY })
  @IsInt() @Min(1) @Max(MAX_QUANTITY)
  quantity: number;

  @ApiPropertyOptional({ description: "Defaults to the product's default (or only) variant" })
  @IsOptional() @IsUUID()
  variant_id?: string;

  @ApiPropertyOptional({ description: 'Hold duration; default INVENTORY_RESERVATION_TTL_SECONDS (30 min)', minimum: 1, maximum: MAX_TTL_SECONDS })
  @IsOptional() @IsInt() @Min(1) @Max(MAX_TTL_SECONDS)
  ttl_seconds?: number;

  @ApiPropertyOptional({ description: 'The order (or other) id the hold is for; unique per store. Generated when absent.' })
  @IsOptional() @IsString() @Length(1, 200)
  reference?: string;

  @ApiPropertyOptional() @IsOptional() @IsUUID()
  location_id?: string;
}

export class ReservationLineDto {
  @ApiProperty() @IsUUID()
  variant_id: string;

  @ApiProperty({ minimum: 1, maximum: MAX_QUANTITY }) @IsInt() @Min(1) @Max(MAX_QUANTITY)
  quantity: number;
}

export class CreateReservationDto {
  @ApiProperty({ type: [ReservationLineDto], description: 'All reserved or none; lines of one variant are summed' })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(MAX_RESERVATION_LINES) @ValidateNested({ each: true }) @Type(() => ReservationLineDto)
  items: ReservationLineDto[];

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_TTL_SECONDS }) @IsOptional() @IsInt() @Min(1) @Max(MAX_TTL_SECONDS)
  ttl_seconds?: number;

  @ApiPropertyOptional({ description: 'The order id; unique per store. Generated when absent.' }) @IsOptional() @IsString() @Length(1, 200)
  reference?: string;

  @ApiPropertyOptional() @IsOptional() @IsUUID()
  location_id?: string;
}

export class BatchItemDto {
  @ApiProperty() @IsUUID()
  product_id: string;

  @ApiPropertyOptional() @IsOptional() @IsUUID()
  variant_id?: string;

  @ApiPropertyOptional() @IsOptional() @IsUUID()
  location_id?: string;

  @ApiProperty({ description: 'set: the new on_hand (>= 0); adjust: a delta' }) @IsInt() @Min(-MAX_QUANTITY) @Max(MAX_QUANTITY)
  quantity: number;

  @ApiProperty({ enum: ['set', 'adjust'] }) @IsIn(['set', 'adjust'])
  mode: 'set' | 'adjust';

  @ApiProperty() @IsString() @Length(1, 500)
  reason: string;

  @ApiPropertyOptional({ description: 'Let reservations exceed on_hand at this level' }) @IsOptional() @IsBoolean()
  allow_backorder?: boolean;
}

export class BatchUpdateDto {
  @ApiProperty({ type: [BatchItemDto] })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(MAX_BATCH_ITEMS) @ValidateNested({ each: true }) @Type(() => BatchItemDto)
  items: BatchItemDto[];
}

export class CreateLocationDto {
  @ApiProperty({ example: 'Warehouse B' }) @IsString() @Length(1, 200)
  name: string;
}

export class LowStockQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ description: "Instead of each product's own low_stock_threshold" })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(MAX_QUANTITY)
  threshold?: number;
}

export class HistoryQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID()
  variant_id?: string;

  @ApiPropertyOptional({ enum: MOVEMENT_TYPES }) @IsOptional() @IsIn(MOVEMENT_TYPES)
  type?: MovementType;
}

// --- responses ------------------------------------------------------------------------------

export class LevelStateDto {
  @ApiProperty() product_id: string;
  @ApiProperty() variant_id: string;
  @ApiProperty() location_id: string;
  @ApiProperty({ nullable: true }) sku: string | null;
  @ApiProperty() on_hand: number;
  @ApiProperty() reserved: number;
  @ApiProperty({ description: 'on_hand - reserved' }) available: number;
  @ApiProperty() allow_backorder: boolean;
}

export class AdjustResultDto extends LevelStateDto {
  @ApiProperty({ nullable: true, description: 'The ledger row (null when nothing changed)' }) movement_id: string | null;
}

export class BatchResultDto {
  @ApiProperty({ type: [LevelStateDto], description: 'Each item\'s level after the whole batch' }) items: LevelStateDto[];
  @ApiProperty({ description: 'Ledger rows written' }) movements: number;
}

export class LocationLevelDto {
  @ApiProperty() location_id: string;
  @ApiProperty({ nullable: true }) location_name: string | null;
  @ApiProperty() is_default: boolean;
  @ApiProperty() on_hand: number;
  @ApiProperty() reserved: number;
  @ApiProperty() available: number;
  @ApiProperty() allow_backorder: boolean;
}

export class VariantInventoryDto {
  @ApiProperty() variant_id: string;
  @ApiProperty({ nullable: true }) sku: string | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) attributes: Record<string, string>;
  @ApiProperty() is_default: boolean;
  @ApiProperty({ description: 'Over all locations' }) on_hand: number;
  @ApiProperty() reserved: number;
  @ApiProperty() available: number;
  @ApiProperty({ nullable: true }) low_stock_threshold: number | null;
  @ApiProperty() low_stock: boolean;
  @ApiProperty() allow_backorder: boolean;
  @ApiProperty({ type: [LocationLevelDto] }) locations: LocationLevelDto[];
}

export class ProductInventoryDto {
  @ApiProperty() product_id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'false: always available, reservations hold nothing' }) track_inventory: boolean;
  @ApiProperty({ nullable: true }) low_stock_threshold: number | null;
  @ApiProperty() on_hand: number;
  @ApiProperty() reserved: number;
  @ApiProperty() available: number;
  @ApiProperty({ type: [VariantInventoryDto] }) variants: VariantInventoryDto[];
}

export class MovementActorDto {
  @ApiProperty({ enum: ['user', 'api_key', 'system'] }) type: string;
  @ApiProperty({ nullable: true }) id: string | null;
}

export class MovementDto {
  @ApiProperty() id: string;
  @ApiProperty({ description: 'Ledger order' }) seq: number;
  @ApiProperty({ enum: MOVEMENT_TYPES }) type: MovementType;
  @ApiProperty() product_id: string;
  @ApiProperty() variant_id: string;
  @ApiProperty() location_id: string;
  @ApiProperty({ description: 'As requested: a signed delta for adjustments, the target for a set, units otherwise' }) quantity: number;
  @ApiProperty() on_hand_delta: number;
  @ApiProperty() reserved_delta: number;
  @ApiProperty() on_hand_after: number;
  @ApiProperty() reserved_after: number;
  @ApiProperty({ nullable: true }) reason: string | null;
  @ApiProperty({ nullable: true }) reference: string | null;
  @ApiProperty({ nullable: true }) reservation_id: string | null;
  @ApiProperty({ type: MovementActorDto }) actor: MovementActorDto;
  @ApiProperty({ nullable: true }) request_id: string | null;
  @ApiProperty() created_at: string;
}

export class MovementPageDto {
  @ApiProperty({ type: [MovementDto] }) items: MovementDto[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() per_page: number;
  @ApiProperty() has_next: boolean;
}

export class LowStockItemDto {
  @ApiProperty() product_id: string;
  @ApiProperty() product_name: string;
  @ApiProperty() variant_id: string;
  @ApiProperty({ nullable: true }) sku: string | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) attributes: Record<string, string>;
  @ApiProperty() location_id: string;
  @ApiProperty() location_name: string;
  @ApiProperty() on_hand: number;
  @ApiProperty() reserved: number;
  @ApiProperty() available: number;
  @ApiProperty({ nullable: true }) low_stock_threshold: number | null;
}

export class LowStockPageDto {
  @ApiProperty({ type: [LowStockItemDto] }) items: LowStockItemDto[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() per_page: number;
  @ApiProperty() has_next: boolean;
}

export class ReservationLineViewDto {
  @ApiProperty() product_id: string;
  @ApiProperty() variant_id: string;
  @ApiProperty() quantity: number;
  @ApiProperty({ nullable: true }) location_id: string | null;
  @ApiProperty({ description: 'false: the product does not track inventory; nothing is held' }) tracked: boolean;
}

export class ReservationDto {
  @ApiProperty() id: string;
  @ApiProperty() reference: string;
  @ApiProperty({ enum: ['active', 'committed', 'released', 'expired'] }) status: string;
  @ApiProperty() expires_at: string;
  @ApiProperty({ nullable: true }) closed_at: string | null;
  @ApiProperty() created_at: string;
  @ApiProperty({ type: [ReservationLineViewDto] }) lines: ReservationLineViewDto[];
}

export class ReservationResultDto extends ReservationDto {
  @ApiProperty({ description: 'false when the call found the reservation already in that state (idempotent retry)' }) changed: boolean;
}

export class LocationDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty() is_default: boolean;
  @ApiProperty() created_at: string;
}

export class LocationListDto {
  @ApiProperty({ type: [LocationDto] }) items: LocationDto[];
}
