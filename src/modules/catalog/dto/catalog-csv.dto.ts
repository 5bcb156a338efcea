import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBooleanString, IsIn, IsOptional, IsUUID } from 'class-validator';
import { IMPORT_RUN_STATUSES, ImportRunStatus } from '../entities/catalog-import-run.entity';

export class CatalogExportQueryDto {
  @ApiPropertyOptional({ enum: ['csv'], default: 'csv' }) @IsOptional() @IsIn(['csv'], { message: 'format must be csv' })
  format?: 'csv';

  @ApiPropertyOptional({ description: 'Admins only: the store to export' }) @IsOptional() @IsUUID()
  merchant_id?: string;
}

export class CatalogImportQueryDto {
  @ApiPropertyOptional({ description: 'Validate and report without writing (also accepted as a form field)' }) @IsOptional() @IsBooleanString()
  dry_run?: string;

  @ApiPropertyOptional({ description: 'Admins only: the store to import into' }) @IsOptional() @IsUUID()
  merchant_id?: string;
}

export class ImportRowErrorDto {
  @ApiProperty({ description: 'CSV line the row starts on; the header is line 1' }) line: number;
  @ApiPropertyOptional({ example: 'variant_price' }) column?: string;
  @ApiPropertyOptional({ description: 'The product the row belongs to; all its rows were skipped' }) handle?: string;
  @ApiProperty({ example: 'variant_price: Amount "12.345" has more decimals than USD allows (2)' }) message: string;
}

/**
 * An import's report, and a queued one's progress. Rows are data rows (the header is not one);
 * created/updated/unchanged/failed count products (a product is all the rows of one handle).
 */
export class CatalogImportReportDto {
  @ApiProperty({ nullable: true, description: 'For GET /api/products/import/{job_id}; null for a dry run answered inline' }) job_id: string | null;
  @ApiProperty({ enum: IMPORT_RUN_STATUSES }) status: ImportRunStatus;
  @ApiProperty() dry_run: boolean;
  @ApiProperty({ nullable: true }) file_name: string | null;
  @ApiProperty() total_rows: number;
  @ApiProperty() processed_rows: number;
  @ApiProperty() created: number;
  @ApiProperty() updated: number;
  @ApiProperty() unchanged: number;
  @ApiProperty() failed: number;
  @ApiProperty({ type: [ImportRowErrorDto], description: 'The first 1,000 row errors' }) errors: ImportRowErrorDto[];
  @ApiProperty({ description: 'More row errors happened than `errors` lists' }) errors_truncated: boolean;
  @ApiProperty({ nullable: true }) failure_reason: string | null;
  @ApiProperty({ nullable: true }) created_at: string | null;
  @ApiProperty({ nullable: true }) started_at: string | null;
  @ApiProperty({ nullable: true }) finished_at: string | null;
}
