import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';

export const MAX_DAYS = 366;
export const MAX_TOP_PRODUCTS = 100;

const CURRENCY_DOC =
  'ISO 4217 code of the figures. A store sells in several currencies and nothing is converted: every amount and count of ' +
  'the answer covers the orders (and transfers) in this currency only. Default: the store\'s `default_currency`.';
const MERCHANT_DOC = 'Admins: the store to report on (required). Merchants always get their own store; a merchant_id they send is ignored.';

class MerchantReportQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: MERCHANT_DOC })
  @IsOptional() @IsUUID()
  merchant_id?: string;

  @ApiPropertyOptional({ example: 'USD', description: CURRENCY_DOC })
  @IsOptional() @Matches(/^[A-Za-z]{3}$/, { message: 'currency must be a 3-letter ISO 4217 code' })
  currency?: string;
}

export class SalesQueryDto extends MerchantReportQueryDto {
  @ApiPropertyOptional({ default: 7, minimum: 1, maximum: MAX_DAYS, description: 'The last N UTC days, today included' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_DAYS)
  days?: number;
}

export class TopProductsQueryDto extends MerchantReportQueryDto {
  @ApiPropertyOptional({ default: 30, minimum: 1, maximum: MAX_DAYS, description: 'The last N UTC days, today included' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_DAYS)
  days?: number;

  @ApiPropertyOptional({ default: 10, minimum: 1, maximum: MAX_TOP_PRODUCTS })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_TOP_PRODUCTS)
  limit?: number;
}

export class CustomersQueryDto extends MerchantReportQueryDto {
  @ApiPropertyOptional({ default: 90, minimum: 1, maximum: MAX_DAYS, description: 'The last N UTC days, today included' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_DAYS)
  days?: number;
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export class FinancialQueryDto extends MerchantReportQueryDto {
  @ApiPropertyOptional({ example: '2026-11', description: 'UTC month, YYYY-MM. Default: the current month' })
  @IsOptional() @Matches(MONTH, { message: 'month must be YYYY-MM (01-12)' })
  month?: string;
}

export class PlatformOverviewQueryDto {
  @ApiPropertyOptional({ example: '2026-11', description: 'UTC month, YYYY-MM. Default: the current month' })
  @IsOptional() @Matches(MONTH, { message: 'month must be YYYY-MM (01-12)' })
  month?: string;

  @ApiPropertyOptional({ example: 'USD', default: 'USD', description: 'ISO 4217 code of the money figures (GMV, platform revenue): only orders and transfers in this currency are summed, nothing is converted' })
  @IsOptional() @Matches(/^[A-Za-z]{3}$/, { message: 'currency must be a 3-letter ISO 4217 code' })
  currency?: string;
}

// --- answers ------------------------------------------------------------------------------------

export class PeriodDto {
  @ApiProperty({ example: '2024-01-09', description: 'First UTC day, inclusive' }) start: string;
  @ApiProperty({ example: '2024-01-15', description: 'Last UTC day, inclusive (today for day windows)' }) end: string;
}

export class DailySalesDto {
  @ApiProperty({ example: '2024-01-15' }) date: string;
  @ApiProperty({ example: '2000.00', description: 'Paid minus refunded, of the orders placed that day' }) revenue: string;
  @ApiProperty({ example: 25, description: 'Paid orders placed that day, less those refunded in full' }) orders: number;
}

export class SalesDto {
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty({ example: '12500.00', description: 'What customers paid for the orders placed in the period (totals with shipping and tax), less full refunds' })
  total_revenue: string;
  @ApiProperty({ example: 150, description: 'Orders placed in the period that were paid and not refunded in full' }) order_count: number;
  @ApiProperty({ example: '83.33', description: 'total_revenue / order_count, rounded half up to the minor unit; "0.00" without orders' }) avg_order_value: string;
  @ApiProperty({ type: PeriodDto }) period: PeriodDto;
  @ApiProperty({ type: [DailySalesDto], description: 'One entry per day of the period, days without sales included, newest first' })
  daily_breakdown: DailySalesDto[];
}

export class TopProductDto {
  @ApiProperty({ format: 'uuid' }) product_id: string;
  @ApiProperty({ description: 'The name on its most recent order line counted (lines are snapshots)' }) product_name: string;
  @ApiProperty({ example: 50 }) quantity_sold: number;
  @ApiProperty({ example: '4950.00', description: 'Sum of its line totals (unit price × quantity; shipping and order-level tax excluded)' }) revenue: string;
  @ApiProperty({ example: 45, description: 'Orders with at least one line of the product' }) order_count: number;
}

export class TopProductsDto {
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty({ type: PeriodDto }) period: PeriodDto;
  @ApiProperty({ type: [TopProductDto], description: 'By revenue, highest first (ties: quantity, then product id)' }) products: TopProductDto[];
}

export class TopCustomerDto {
  @ApiProperty({ example: 'vip@example.com', description: 'Lower-cased: customers are told apart by email, guests included' }) customer_email: string;
  @ApiProperty({ example: 10, description: 'All their paid orders in this currency (lifetime), refunded ones included' }) order_count: number;
  @ApiProperty({ example: '5000.00', description: 'What those orders came to, less full refunds (lifetime)' }) total_spent: string;
  @ApiProperty({ example: '2023-01-01' }) first_order_date: string;
  @ApiProperty({ example: '2024-01-15' }) last_order_date: string;
}

export class CustomersDto {
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty({ type: PeriodDto }) period: PeriodDto;
  @ApiProperty({ example: 500, description: 'Customers with at least one paid order placed in the period' }) total_customers: number;
  @ApiProperty({ example: 50, description: 'Of those, the ones whose first paid order in this store (and currency) was placed in the period' }) new_customers: number;
  @ApiProperty({ example: 150, description: 'Of total_customers, the ones with two paid orders or more in all (the period\'s and earlier ones)' }) repeat_customers: number;
  @ApiProperty({ example: 0.3, description: 'repeat_customers / total_customers, 4 decimals; 0 without customers' }) repeat_rate: number;
  @ApiProperty({ type: [TopCustomerDto], description: 'Up to 10 customers of the period with the highest lifetime total_spent' }) top_customers: TopCustomerDto[];
}

export class FinancialDto {
  @ApiProperty({ example: '2024-01' }) month: string;
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty({ type: PeriodDto }) period: PeriodDto;
  @ApiProperty({ example: '50000.00', description: 'What customers paid for the orders placed in the month (before refunds)' }) gross_revenue: string;
  @ApiProperty({ example: '0.00', description: 'Full refunds of those orders' }) refunds: string;
  @ApiProperty({
    example: '2500.00',
    description: 'The platform\'s fee on the transfers of the month\'s payments (stores with a connected payout account; without one the store has no transfers and no fee is recorded)',
  })
  platform_fee: string;
  @ApiProperty({ example: '47500.00', description: 'gross_revenue − refunds − platform_fee' }) net_revenue: string;
  @ApiProperty({ example: '5000.00', description: 'Net amount of the month\'s transfers still to be paid out (scheduled or processing)' }) pending_transfers: string;
  @ApiProperty({ example: '42500.00', description: 'Net amount of the month\'s transfers paid out' }) completed_transfers: string;
  @ApiProperty({ example: 150, description: 'Transfers of the month\'s payments, cancelled ones (refunded in full before the payout) excluded' }) transfer_count: number;
}

export class PlatformOverviewDto {
  @ApiProperty({ example: '2024-01' }) month: string;
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty({ type: PeriodDto }) period: PeriodDto;
  @ApiProperty({ example: '500000.00', description: 'What customers paid, in `currency`, for the orders placed in the month in all stores (before refunds)' }) platform_gmv: string;
  @ApiProperty({ example: 5000, description: 'Paid orders placed in the month, all stores and all currencies' }) total_orders: number;
  @ApiProperty({ example: 50, description: 'Stores with at least one paid order placed in the month (any currency)' }) active_merchants: number;
  @ApiProperty({ example: 5, description: 'Stores registered in the month (any status)' }) new_merchants: number;
  @ApiProperty({ example: '25000.00', description: 'Platform fees, in `currency`, on the transfers of the month\'s payments' }) platform_revenue: string;
  @ApiProperty({ example: '0.00', description: 'Always "0.00": the platform has no subscriptions (yet)' }) subscription_mrr: string;
}

function envelope<T>(data: new () => T, name: string) {
  class Envelope {
    @ApiProperty({ example: true, enum: [true] }) success: true;
    @ApiProperty({ type: data }) data: T;
  }
  Object.defineProperty(Envelope, 'name', { value: name });
  return Envelope;
}

export class SalesResponseDto extends envelope(SalesDto, 'SalesResponseDto') {}
export class TopProductsResponseDto extends envelope(TopProductsDto, 'TopProductsResponseDto') {}
export class CustomersResponseDto extends envelope(CustomersDto, 'CustomersResponseDto') {}
export class FinancialResponseDto extends envelope(FinancialDto, 'FinancialResponseDto') {}
export class PlatformOverviewResponseDto extends envelope(PlatformOverviewDto, 'PlatformOverviewResponseDto') {}
