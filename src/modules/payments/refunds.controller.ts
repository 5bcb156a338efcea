import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, Ctx, CurrentPrincipal, merchantScopeOf, Principal, RequestContext, resolvePage } from '@app/common';
import { CreateRefundDto, RefundDto, RefundPageDto, RefundQueryDto } from './dto/refunds.dto';
import { RefundsService, refundView } from './refunds.service';

/** Refunds of a store's payments (admins: any store, or ?merchant_id=). */
@ApiTags('payments')
@Controller('refunds')
@Auth('merchant', 'admin')
export class RefundsController {
  constructor(private readonly refunds: RefundsService) {}

  @Post('create')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Refund a payment, fully (no amount) or partly',
    description:
      'The amount is reserved against the payment before the provider is asked, so concurrent refunds never add up to more than was captured. ' +
      'Answers `pending` when the provider could not be reached: the worker retries with the same idempotency key. ' +
      'When nothing is left, the order becomes `refunded`.',
  })
  @ApiCreatedResponse({ type: RefundDto })
  @ApiNotFoundResponse({ description: 'No payment with this payment_intent_id in the store' })
  @ApiConflictResponse({ description: 'ERR_REFUND_EXCEEDS_CAPTURED: more than is left to refund (detail: captured, refunded, pending, refundable); ERR_PAYMENT_NOT_REFUNDABLE: nothing was captured' })
  async create(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Body() body: CreateRefundDto, @Query('merchant_id') merchantId?: string): Promise<RefundDto> {
    const refund = await this.refunds.create(ctx, merchantScopeOf(p, merchantId), { paymentIntentId: body.payment_intent_id, amount: body.amount, reason: body.reason });
    return refundView(refund);
  }

  @Get()
  @ApiOperation({ summary: 'Refunds, newest first, by order, payment or status' })
  @ApiOkResponse({ type: RefundPageDto })
  async list(@CurrentPrincipal() p: Principal, @Query() query: RefundQueryDto): Promise<RefundPageDto> {
    const page = await this.refunds.list(merchantScopeOf(p, query.merchant_id), { orderId: query.order_id, paymentIntentId: query.payment_intent_id, status: query.status }, resolvePage(query));
    return { ...page, items: page.items.map(refundView) };
  }

  @Get(':id')
  @ApiOkResponse({ type: RefundDto })
  @ApiNotFoundResponse({ description: 'No such refund in the store' })
  async get(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Query('merchant_id') merchantId?: string): Promise<RefundDto> {
    return refundView(await this.refunds.get(merchantScopeOf(p, merchantId), id));
  }
}
