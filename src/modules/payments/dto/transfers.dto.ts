import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsDateString, IsIn, IsOptional, IsUUID, Matches } from 'class-validator';
import { PaginationQueryDto } from '@app/common';
import { TRANSFER_STATUSES, type TransferStatus } from '../entities/merchant-transfer.entity';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class TransferSummaryQueryDto {
  @ApiPropertyOptional({ enum: TRANSFER_STATUSES })
  @IsOptional() @IsIn(TRANSFER_STATUSES)
  status?: TransferStatus;

  @ApiPropertyOptional({ example: '2024-01-01', description: 'Recorded on or after this UTC day' })
  @IsOptional() @Matches(DATE, { message: 'start_date must be YYYY-MM-DD' }) @IsDateString({ strict: true })
  start_date?: string;

  @ApiPropertyOptional({ example: '2024-01-31', description: 'Recorded on or before this UTC day' })
  @IsOptional() @Matches(DATE, { message: 'end_date must be YYYY-MM-DD' }) @IsDateString({ strict: true })
  end_date?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Admins: one merchant (all when omitted)' })
  @IsOptional() @IsUUID()
  merchant_id?: string;
}

export class TransferQueryDto extends IntersectionType(PaginationQueryDto, TransferSummaryQueryDto) {}

export class TransferDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) merchant_id: string;
  @ApiProperty({ format: 'uuid' }) order_id: string;
  @ApiProperty({ format: 'uuid' }) payment_id: string;
  @ApiProperty({ enum: TRANSFER_STATUSES }) status: TransferStatus;
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty({ example: '38.50', description: 'What the customer paid' }) gross_amount: string;
  @ApiProperty({ example: '0.00', description: 'Refunded before the payout' }) refunded_amount: string;
  @ApiProperty({ example: '3.85', description: 'The platform\'s fee on gross − refunded' }) platform_fee: string;
  @ApiProperty({ example: '34.65', description: 'gross − refunded − platform fee: what the merchant receives' }) net_amount: string;
  @ApiProperty({ example: '10.00' }) platform_fee_percentage: string;
  @ApiProperty({ example: 7 }) transfer_delay_days: number;
  @ApiProperty({ description: 'When the transfer is due' }) available_on: string;
  @ApiProperty({ example: 'acct_1PbXyZ2eZvKYlo2C' }) connected_account_id: string;
  @ApiProperty({ nullable: true, example: 'tr_1PbXyZ2eZvKYlo2C' }) provider_transfer_id: string | null;
  @ApiProperty({ nullable: true }) failure_message: string | null;
  @ApiProperty({ nullable: true }) paid_at: string | null;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
}

export class TransferPageDto {
  @ApiProperty({ type: [TransferDto] }) items: TransferDto[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() per_page: number;
  @ApiProperty() has_next: boolean;
}

export class TransferStatusTotalsDto {
  @ApiProperty({ enum: TRANSFER_STATUSES }) status: TransferStatus;
  @ApiProperty() count: number;
  @ApiProperty({ example: '38.50' }) gross_amount: string;
  @ApiProperty({ example: '0.00' }) refunded_amount: string;
  @ApiProperty({ example: '3.85' }) platform_fee: string;
  @ApiProperty({ example: '34.65' }) net_amount: string;
}

export class TransferCurrencyTotalsDto {
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty() transfer_count: number;
  @ApiProperty({ example: '38.50' }) gross_amount: string;
  @ApiProperty({ example: '0.00' }) refunded_amount: string;
  @ApiProperty({ example: '3.85' }) platform_fee: string;
  @ApiProperty({ example: '34.65' }) net_amount: string;
  @ApiProperty({ example: '34.65', description: 'Net of transfers not paid yet (scheduled, processing)' }) pending_amount: string;
  @ApiProperty({ example: '0.00', description: 'Net of paid transfers' }) paid_amount: string;
  @ApiProperty({ type: [TransferStatusTotalsDto] }) by_status: TransferStatusTotalsDto[];
}

export class TransferSummaryDto {
  @ApiProperty({ nullable: true, format: 'uuid', description: 'Null: every merchant (admins)' }) merchant_id: string | null;
  @ApiProperty({ type: [TransferCurrencyTotalsDto], description: 'One entry per currency; amounts are never added across currencies' }) currencies: TransferCurrencyTotalsDto[];
}
