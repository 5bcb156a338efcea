import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { ORDER_STATUSES } from '../../orders/entities/order.entity';
import { PAYMENT_STATUSES } from '../entities/payment.entity';

/** What the webhook endpoint answers once the event is stored (before it is applied). */
export class WebhookAckDto {
  @ApiProperty({ example: true }) received: true;
  @ApiPropertyOptional({ example: true, description: 'This event id was received before: nothing was stored or queued again' })
  duplicate?: true;
}

export class PaymentStatusQueryDto {
  @ApiPropertyOptional({ description: 'Admins: the store the order belongs to (optional)' })
  @IsOptional() @IsUUID()
  merchant_id?: string;
}

/** GET /api/payments/status/{order_id}: the contract's fields, plus refunds, failure and dispute. */
export class PaymentStatusDto {
  @ApiProperty() order_id: string;
  @ApiProperty({ example: 'ORD-20260101-0001' }) order_number: string;
  @ApiProperty({ enum: PAYMENT_STATUSES, description: '`pending` also while no payment session was opened yet' }) status: string;
  @ApiProperty({ enum: ORDER_STATUSES }) order_status: string;
  @ApiProperty({ nullable: true, example: 'stripe', description: '`stripe` or `test`' }) provider: string | null;
  @ApiProperty({ example: '38.50' }) amount: string;
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty({ example: '38.50', description: 'Money actually taken' }) captured: string;
  @ApiProperty({ example: '0.00' }) refunded: string;
  @ApiProperty({ nullable: true, format: 'date-time' }) paid_at: string | null;
  @ApiProperty({ nullable: true, example: 'Your card was declined.' }) failure_message: string | null;
  @ApiProperty({ description: 'A chargeback was opened on the payment' }) disputed: boolean;
}
