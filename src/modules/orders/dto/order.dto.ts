import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsDateString, IsIn, IsOptional, IsString, IsUrl, IsUUID, Length, Matches } from 'class-validator';
import { PaginationQueryDto } from '@app/common';
import { ORDER_STATUSES, type OrderStatus, TRANSITION_SOURCES } from '../entities/order.entity';

// --- requests -------------------------------------------------------------------------------

export const ORDER_SORT_FIELDS = ['created_at', 'amount_total', 'order_number', 'status', 'updated_at', 'customer_email', 'customer_name'] as const;
export type OrderSortField = (typeof ORDER_SORT_FIELDS)[number];

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class MerchantOrderQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: ORDER_STATUSES, description: 'One status, or several separated by commas' })
  @IsOptional() @Matches(new RegExp(`^(${ORDER_STATUSES.join('|')})(,(${ORDER_STATUSES.join('|')}))*$`), { message: `status must be one or more of ${ORDER_STATUSES.join(', ')}` })
  status?: string;

  @ApiPropertyOptional({ example: '2024-01-01', description: 'Created on or after this UTC day' })
  @IsOptional() @Matches(DATE, { message: 'start_date must be YYYY-MM-DD' }) @IsDateString({ strict: true })
  start_date?: string;

  @ApiPropertyOptional({ example: '2024-01-31', description: 'Created on or before this UTC day' })
  @IsOptional() @Matches(DATE, { message: 'end_date must be YYYY-MM-DD' }) @IsDateString({ strict: true })
  end_date?: string;

  @ApiPropertyOptional({ description: 'Order number, customer email or name (partial, case-insensitive)' })
  @IsOptional() @IsString() @Length(1, 200)
  search?: string;

  @ApiPropertyOptional({ enum: ORDER_SORT_FIELDS, default: 'created_at' })
  @IsOptional() @IsIn(ORDER_SORT_FIELDS)
  sort_by?: OrderSortField;

  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'desc' })
  @IsOptional() @IsIn(['asc', 'desc', 'ASC', 'DESC'])
  sort_order?: string;

  @ApiPropertyOptional({ description: 'Admins: one merchant' })
  @IsOptional() @IsUUID()
  merchant_id?: string;
}

export class CustomerOrderQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: ORDER_STATUSES })
  @IsOptional() @IsIn(ORDER_STATUSES)
  status?: OrderStatus;
}

export class ShipOrderDto {
  @ApiPropertyOptional({ example: '1Z999AA10123456784' })
  @IsOptional() @IsString() @Length(1, 100)
  tracking_number?: string;

  @ApiPropertyOptional({ example: 'UPS' })
  @IsOptional() @IsString() @Length(1, 100)
  carrier?: string;

  @ApiPropertyOptional({ example: 'https://www.ups.com/track?tracknum=1Z999AA10123456784' })
  @IsOptional() @IsUrl({ protocols: ['http', 'https'], require_protocol: true }) @Length(1, 2048)
  tracking_url?: string;

  @ApiPropertyOptional()
  @IsOptional() @IsString() @Length(1, 1000)
  note?: string;

  @ApiPropertyOptional({ description: 'Create the shipment and label through the store\'s logistics provider instead of sending tracking data' })
  @IsOptional() @IsBoolean()
  create_logistics_shipment?: boolean;

  @ApiPropertyOptional()
  @IsOptional() @IsString() @Length(1, 100)
  courier_id?: string;
}

export const SHIPPING_STATUS_UPDATES = ['in_transit', 'out_for_delivery', 'failed', 'returned'] as const;

export class UpdateShippingStatusDto {
  @ApiProperty({ enum: SHIPPING_STATUS_UPDATES })
  @IsIn(SHIPPING_STATUS_UPDATES)
  status: (typeof SHIPPING_STATUS_UPDATES)[number];

  @ApiPropertyOptional()
  @IsOptional() @IsString() @Length(1, 1000)
  note?: string;

  @ApiPropertyOptional()
  @IsOptional() @IsString() @Length(1, 100)
  tracking_number?: string;

  @ApiPropertyOptional()
  @IsOptional() @IsString() @Length(1, 100)
  carrier?: string;
}

export class OrderNoteDto {
  @ApiPropertyOptional()
  @IsOptional() @IsString() @Length(1, 1000)
  note?: string;
}

export class CancelOrderDto {
  @ApiPropertyOptional({ example: 'Customer changed their mind' })
  @IsOptional() @IsString() @Length(1, 500)
  reason?: string;
}

// --- responses ------------------------------------------------------------------------------

export class OrderItemDto {
  @ApiProperty() product_id: string;
  @ApiProperty() variant_id: string;
  @ApiProperty() product_name: string;
  @ApiProperty({ nullable: true }) sku: string | null;
  @ApiProperty() quantity: number;
  @ApiProperty({ example: '29.99', description: 'Unit price at checkout' }) price: string;
  @ApiProperty({ example: '59.98' }) total: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) variant_attributes: Record<string, string>;
  @ApiProperty({ nullable: true }) image_url: string | null;
}

export class ShippingAddressDto {
  @ApiProperty() line_1: string;
  @ApiProperty({ nullable: true }) line_2: string | null;
  @ApiProperty() city: string;
  @ApiProperty({ nullable: true }) state: string | null;
  @ApiProperty() postal_code: string;
  @ApiProperty({ example: 'US' }) country_alpha2: string;
  @ApiProperty() contact_name: string;
  @ApiProperty({ nullable: true }) contact_phone: string | null;
  @ApiProperty({ nullable: true }) contact_email: string | null;
}

export class OrderDto {
  @ApiProperty() id: string;
  @ApiProperty({ example: 'ORD-20240115-0001' }) order_number: string;
  @ApiProperty() merchant_id: string;
  @ApiProperty({ nullable: true }) customer_user_id: string | null;
  @ApiProperty() customer_email: string;
  @ApiProperty() customer_name: string;
  @ApiProperty({ enum: ORDER_STATUSES }) status: string;
  @ApiProperty({ description: 'Grows with every change' }) version: number;
  @ApiProperty({ example: '59.98' }) subtotal: string;
  @ApiProperty({ example: '5.00' }) shipping_fee: string;
  @ApiProperty({ example: '0.00' }) tax_amount: string;
  @ApiProperty({ example: '64.98' }) amount_total: string;
  @ApiProperty({ example: '0.00' }) refunded_amount: string;
  @ApiProperty() prices_include_tax: boolean;
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty({ nullable: true }) payment_provider: string | null;
  @ApiProperty({ nullable: true }) stripe_payment_intent_id: string | null;
  @ApiProperty({ nullable: true }) checkout_url: string | null;
  @ApiProperty({ nullable: true }) tracking_number: string | null;
  @ApiProperty({ nullable: true }) carrier: string | null;
  @ApiProperty({ nullable: true }) tracking_url: string | null;
  @ApiProperty({ nullable: true }) label_url: string | null;
  @ApiProperty({ nullable: true }) label_state: string | null;
  @ApiProperty({ type: ShippingAddressDto }) shipping_address: ShippingAddressDto;
  @ApiProperty({ nullable: true }) shipping_rate_id: string | null;
  @ApiProperty({ type: [OrderItemDto] }) items: OrderItemDto[];
  @ApiProperty({ nullable: true }) utm_source: string | null;
  @ApiProperty({ nullable: true }) utm_medium: string | null;
  @ApiProperty({ nullable: true }) utm_campaign: string | null;
  @ApiProperty({ nullable: true }) utm_term: string | null;
  @ApiProperty({ nullable: true }) utm_content: string | null;
  @ApiProperty({ nullable: true }) gclid: string | null;
  @ApiProperty({ description: 'An unpaid order is cancelled at this time' }) expires_at: string;
  @ApiProperty({ nullable: true }) paid_at: string | null;
  @ApiProperty({ nullable: true }) shipped_at: string | null;
  @ApiProperty({ nullable: true }) delivered_at: string | null;
  @ApiProperty({ nullable: true }) completed_at: string | null;
  @ApiProperty({ nullable: true }) cancelled_at: string | null;
  @ApiProperty({ nullable: true, enum: TRANSITION_SOURCES }) cancelled_by: string | null;
  @ApiProperty({ nullable: true }) cancellation_reason: string | null;
  @ApiProperty({ nullable: true }) refunded_at: string | null;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
}

export class OrderPageDto {
  @ApiProperty({ type: [OrderDto] }) items: OrderDto[];
  @ApiProperty({ description: 'Orders matching the filters: exact up to 10,000, PostgreSQL\'s estimate past that (see total_exact)' }) total: number;
  @ApiProperty() page: number;
  @ApiProperty() per_page: number;
  @ApiProperty({ description: 'Exact in every case (the next page\'s first order was read)' }) has_next: boolean;
  @ApiProperty({ description: 'false when total is an estimate: more than 10,000 orders match' }) total_exact: boolean;
}

export class StatusHistoryEntryDto {
  @ApiProperty({ nullable: true, enum: ORDER_STATUSES }) from_status: string | null;
  @ApiProperty({ enum: ORDER_STATUSES }) to_status: string;
  @ApiProperty({ enum: TRANSITION_SOURCES }) source: string;
  @ApiProperty({ nullable: true }) note: string | null;
  @ApiProperty() timestamp: string;
}

export class StatusHistoryDto {
  @ApiProperty() order_id: string;
  @ApiProperty() status: string;
  @ApiProperty({ type: [StatusHistoryEntryDto] }) history: StatusHistoryEntryDto[];
}

export class TrackingDto {
  @ApiProperty() order_id: string;
  @ApiProperty() order_number: string;
  @ApiProperty() status: string;
  @ApiProperty({ nullable: true }) tracking_number: string | null;
  @ApiProperty({ nullable: true }) carrier: string | null;
  @ApiProperty({ nullable: true }) tracking_url: string | null;
  @ApiProperty({ type: [StatusHistoryEntryDto], description: 'Shipping events, oldest first' }) events: StatusHistoryEntryDto[];
}
