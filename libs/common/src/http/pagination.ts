import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const DEFAULT_PER_PAGE = 20;
export const MAX_PER_PAGE = 100;

/**
 * Deployed clients page either way: `page` + `per_page`, or `limit` + `offset`. List DTOs extend
 * this and call `resolvePage()`; `limit`/`offset` win when both are sent.
 */
export class PaginationQueryDto {
  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1_000_000)
  page?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PER_PAGE, default: DEFAULT_PER_PAGE })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_PER_PAGE)
  per_page?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PER_PAGE, description: 'Alternative to per_page' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_PER_PAGE)
  limit?: number;

  @ApiPropertyOptional({ minimum: 0, description: 'Alternative to page' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(100_000_000)
  offset?: number;
}

export interface PageRequest {
  limit: number;
  offset: number;
  page: number;
  per_page: number;
}

export function resolvePage(query: PaginationQueryDto): PageRequest {
  const perPage = query.limit ?? query.per_page ?? DEFAULT_PER_PAGE;
  const offset = query.offset ?? ((query.page ?? 1) - 1) * perPage;
  return { limit: perPage, offset, per_page: perPage, page: Math.floor(offset / perPage) + 1 };
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  per_page: number;
  has_next: boolean;
}

export function toPage<T>(items: T[], total: number, request: PageRequest): Page<T> {
  return { items, total, page: request.page, per_page: request.per_page, has_next: request.offset + items.length < total };
}
