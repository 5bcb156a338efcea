import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, Ctx, CurrentPrincipal, Principal, RequestContext, requireMerchantScope, UserAuth } from '@app/common';
import { AdminUpdateMerchantPayoutsDto, MerchantPayoutsDto, UpdateMerchantPayoutsDto } from './dto/merchant-payouts.dto';
import { MerchantPayoutsService } from './merchant-payouts.service';

/** The caller's own store's payout settings (admins: ?merchant_id=). */
@ApiTags('merchants')
@Controller('merchants/me/payouts')
export class MerchantPayoutsController {
  constructor(private readonly payouts: MerchantPayoutsService) {}

  @Get()
  @Auth('merchant', 'admin')
  @ApiOperation({ summary: 'The connected Stripe account and the platform fee that applies to this store\'s sales' })
  @ApiOkResponse({ type: MerchantPayoutsDto })
  get(@CurrentPrincipal() p: Principal, @Query('merchant_id') merchantId?: string): Promise<MerchantPayoutsDto> {
    return this.payouts.get(requireMerchantScope(p, merchantId));
  }

  // Signed-in users only: an API key must not be able to redirect the store's payouts.
  @Put()
  @UserAuth('merchant', 'admin')
  @ApiOperation({ summary: 'Connect (or with null, disconnect) the store\'s Stripe account' })
  @ApiOkResponse({ type: MerchantPayoutsDto })
  update(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Body() body: UpdateMerchantPayoutsDto, @Query('merchant_id') merchantId?: string): Promise<MerchantPayoutsDto> {
    return this.payouts.update(ctx, requireMerchantScope(p, merchantId), { connectedAccountId: body.connected_account_id });
  }
}

/** Admins: any store's payout settings, including its platform fee. */
@ApiTags('admin')
@Controller('admin/merchants')
@Auth('admin')
export class AdminMerchantPayoutsController {
  constructor(private readonly payouts: MerchantPayoutsService) {}

  @Get(':id/payouts')
  @ApiOkResponse({ type: MerchantPayoutsDto })
  get(@Param('id') id: string): Promise<MerchantPayoutsDto> {
    return this.payouts.get(id);
  }

  @Put(':id/payouts')
  @ApiOperation({ summary: 'Set the store\'s platform fee (null = the default) and/or its connected account' })
  @ApiOkResponse({ type: MerchantPayoutsDto })
  update(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: AdminUpdateMerchantPayoutsDto): Promise<MerchantPayoutsDto> {
    return this.payouts.update(ctx, id, { connectedAccountId: body.connected_account_id, platformFeePercentage: body.platform_fee_percentage });
  }
}
