import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length, ValidateIf } from 'class-validator';
import { PaginationQueryDto } from '@app/common';
import { REFUND_REASONS, REFUND_SOURCES, REFUND_STATUSES, type RefundReasonValue, type RefundSource, type RefundStatus } from '../entities/refund.entity';

const isMoneyInput = (v: unknown) => typeof v === 'number' || typeof v === 'string';

export class CreateRefundDto {
  @ApiProperty({ example: 'pi_3PbXyZ2eZvKYlo2C1a2b3c4d', description: 'The payment to refund (an order\'s stripe_payment_intent_id)' })
  @IsString() @Length(1, 255)
  payment_intent_id: string;

  @ApiPropertyOptional({
    oneOf: [{ type: 'string', example: '10.00' }, { type: 'number', example: 10 }],
    description: 'In the payment\'s currency; omitted = everything not refunded yet',
  })
  @IsOptional() @ValidateIf((o) => !isMoneyInput(o.amount)) @IsString({ message: 'amount must be a number or a decimal string' })
  amount?: string | number;

  @ApiProperty({ enum: REFUND_REASONS })
  @IsIn(REFUND_REASONS)
  reason: RefundReasonValue;
}

export class RefundQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional() @IsUUID()
  order_id?: string;

  @ApiPropertyOptional()
  @IsOptional() @IsString() @Length(1, 255)
  payment_intent_id?: string;

  @ApiPropertyOptional({ enum: REFUND_STATUSES })
  @IsOptional() @IsIn(REFUND_STATUSES)
  status?: RefundStatus;

  @ApiPropertyOptional({ format: 'uuid', description: 'Admins: one merchant (all when omitted)' })
  @IsOptional() @IsUUID()
  merchant_id?: string;
}

export class RefundDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) merchant_id: string;
  @ApiProperty({ format: 'uuid' }) order_id: string;
  @ApiProperty({ format: 'uuid' }) payment_id: string;
  @ApiProperty({ nullable: true }) payment_intent_id: string | null;
  @ApiProperty({ example: '10.00' }) amount: string;
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty({ enum: REFUND_REASONS, nullable: true }) reason: RefundReasonValue | null;
  @ApiProperty({
    enum: REFUND_STATUSES,
    description: 'pending: reserved, the provider has not confirmed it yet (retried by the worker with the same idempotency key); succeeded; failed: refused, nothing was refunded',
  })
  status: RefundStatus;
  @ApiProperty({ enum: REFUND_SOURCES, description: 'api, order_cancel, late_payment, or provider (made at the provider, e.g. its dashboard)' }) source: RefundSource;
  @ApiProperty({ nullable: true }) note: string | null;
  @ApiProperty({ nullable: true, example: 're_3PbXyZ2eZvKYlo2C0a1b2c3d' }) provider_refund_id: string | null;
  @ApiProperty({ nullable: true }) failure_message: string | null;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
  @ApiProperty({ nullable: true }) succeeded_at: string | null;
}

export class RefundPageDto {
  @ApiProperty({ type: [RefundDto] }) items: RefundDto[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() per_page: number;
  @ApiProperty() has_next: boolean;
}
