import { Body, Controller, Get, Headers, HttpCode, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiHeader, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Auth, AuthenticatedRequest, Ctx, CurrentPrincipal, Principal, Public, RequestContext, requireMerchantScope } from '@app/common';
import { cartOwnerOf } from '../cart/cart-owner';
import { CheckoutSettingsService } from './checkout-settings.service';
import { CheckoutService } from './checkout.service';
import { CheckoutDto, CheckoutResultDto, CheckoutSettingsDto, UpdateCheckoutSettingsDto } from './dto/checkout.dto';

@ApiTags('checkout')
@Controller('public/checkout')
export class CheckoutController {
  constructor(private readonly checkout: CheckoutService) {}

  @Post()
  @Public()
  @HttpCode(201)
  @ApiOperation({ summary: 'Place an order: prices from the database, stock reserved for every line, a payment session opened' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retry with the same key and body returns the same order (Idempotent-Replayed: true); another body with that key is a 422' })
  @ApiHeader({ name: 'X-Session-ID', required: false, description: 'The guest cart to check out when items are not sent' })
  @ApiCreatedResponse({ type: CheckoutResultDto })
  @ApiConflictResponse({ description: 'ERR_OUT_OF_STOCK: a line asks for more than is available; nothing was reserved' })
  @ApiNotFoundResponse({ description: 'Unknown store, product or variant' })
  @ApiUnprocessableEntityResponse({ description: 'Invalid input, ERR_NOT_PURCHASABLE, ERR_IDEMPOTENCY_KEY_REUSED, or an empty cart' })
  async place(
    @Ctx() ctx: RequestContext,
    @Req() request: AuthenticatedRequest,
    @Body() body: CheckoutDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<CheckoutResultDto> {
    const { body: result, replayed } = await this.checkout.checkout(ctx, body, cartOwnerOf(request), idempotencyKey);
    if (replayed) void reply.header('Idempotent-Replayed', 'true');
    return result;
  }
}

/** The store's checkout policy (admins: ?merchant_id=). */
@ApiTags('checkout')
@Controller('checkout/settings')
@Auth('merchant', 'admin')
export class CheckoutSettingsController {
  constructor(private readonly settings: CheckoutSettingsService) {}

  @Get()
  @ApiOkResponse({ type: CheckoutSettingsDto })
  get(@CurrentPrincipal() p: Principal, @Query('merchant_id') merchantId?: string): Promise<CheckoutSettingsDto> {
    return this.settings.get(requireMerchantScope(p, merchantId));
  }

  @Put()
  @ApiOperation({ summary: 'Flat shipping per currency, free-shipping thresholds, tax rates by destination country (fields sent replace their values)' })
  @ApiOkResponse({ type: CheckoutSettingsDto })
  update(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Body() body: UpdateCheckoutSettingsDto, @Query('merchant_id') merchantId?: string): Promise<CheckoutSettingsDto> {
    return this.settings.update(ctx, requireMerchantScope(p, merchantId), body);
  }
}

