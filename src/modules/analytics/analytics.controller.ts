import { Controller, Get, Query } from '@nestjs/common';
import { ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Auth, CurrentPrincipal, Principal, requireMerchantScope } from '@app/common';
import {
  CustomersQueryDto,
  CustomersResponseDto,
  FinancialQueryDto,
  FinancialResponseDto,
  PlatformOverviewQueryDto,
  PlatformOverviewResponseDto,
  SalesQueryDto,
  SalesResponseDto,
  TopProductsQueryDto,
  TopProductsResponseDto,
} from './dto/analytics.dto';
import { AnalyticsService } from './analytics.service';

const ok = <T>(data: T) => ({ success: true as const, data });

const MERCHANT_ROUTE = {
  forbidden: { description: 'ERR_FORBIDDEN: customers (and API keys without the read scope) may not read a store\'s analytics' },
  invalid: { description: 'ERR_VALIDATION: days, limit, month or currency out of range or malformed, or an admin without merchant_id (detail.fields names each)' },
  notFound: { description: 'ERR_NOT_FOUND: an admin named a merchant_id that is no store' },
};

const WINDOW_NOTE =
  ' Figures come from rollups the worker keeps from order events (a few seconds behind), by the UTC day an order was placed; ' +
  'a paid order counts once paid, and stops counting for revenue when refunded in full.';

/**
 * A store's reports (seed 004): merchants (users and API keys with the read scope) get their own
 * store; admins name one with ?merchant_id=.
 */
@ApiTags('analytics')
@Controller('v1')
@Auth('merchant', 'admin')
export class AnalyticsController {
  constructor(private readonly analytics: AnalyticsService) {}

  @Get('sales')
  @ApiOperation({ summary: 'Revenue and paid orders of the last N days, per day', description: `The last \`days\` UTC days, today included.${WINDOW_NOTE}` })
  @ApiOkResponse({ type: SalesResponseDto })
  @ApiForbiddenResponse(MERCHANT_ROUTE.forbidden)
  @ApiUnprocessableEntityResponse(MERCHANT_ROUTE.invalid)
  @ApiNotFoundResponse(MERCHANT_ROUTE.notFound)
  async sales(@CurrentPrincipal() p: Principal, @Query() query: SalesQueryDto): Promise<SalesResponseDto> {
    const merchantId = requireMerchantScope(p, query.merchant_id);
    return ok(await this.analytics.sales(merchantId, await this.analytics.reportCurrency(merchantId, query.currency), query.days ?? 7));
  }

  @Get('products/top')
  @ApiOperation({ summary: 'Best-selling products of the last N days, by revenue', description: `Lines of paid orders placed in the last \`days\` UTC days, orders refunded in full excluded.${WINDOW_NOTE}` })
  @ApiOkResponse({ type: TopProductsResponseDto })
  @ApiForbiddenResponse(MERCHANT_ROUTE.forbidden)
  @ApiUnprocessableEntityResponse(MERCHANT_ROUTE.invalid)
  @ApiNotFoundResponse(MERCHANT_ROUTE.notFound)
  async topProducts(@CurrentPrincipal() p: Principal, @Query() query: TopProductsQueryDto): Promise<TopProductsResponseDto> {
    const merchantId = requireMerchantScope(p, query.merchant_id);
    return ok(await this.analytics.topProducts(merchantId, await this.analytics.reportCurrency(merchantId, query.currency), query.days ?? 30, query.limit ?? 10));
  }

  @Get('customers')
  @ApiOperation({
    summary: 'Customers of the last N days: new, repeat, top spenders',
    description:
      'A customer is an email address (lower-cased; guests included) with at least one paid order in this store and currency. ' +
      '`total_customers`: customers with a paid order placed in the last `days` UTC days. `new_customers`: of those, the ones whose ' +
      'first paid order was placed in the window. `repeat_customers`: of those, the ones with two paid orders or more in all ' +
      '(in the window or before). `repeat_rate` = repeat_customers / total_customers. `top_customers`: up to 10 customers of the ' +
      'window with the highest lifetime `total_spent` (paid orders less full refunds); their `order_count` counts every paid order.' +
      WINDOW_NOTE,
  })
  @ApiOkResponse({ type: CustomersResponseDto })
  @ApiForbiddenResponse(MERCHANT_ROUTE.forbidden)
  @ApiUnprocessableEntityResponse(MERCHANT_ROUTE.invalid)
  @ApiNotFoundResponse(MERCHANT_ROUTE.notFound)
  async customers(@CurrentPrincipal() p: Principal, @Query() query: CustomersQueryDto): Promise<CustomersResponseDto> {
    const merchantId = requireMerchantScope(p, query.merchant_id);
    return ok(await this.analytics.customers(merchantId, await this.analytics.reportCurrency(merchantId, query.currency), query.days ?? 90));
  }

  @Get('financial')
  @ApiOperation({
    summary: 'A month\'s revenue, platform fee and payouts',
    description:
      'Sales of the orders placed in the UTC month (gross_revenue before refunds, refunds, net_revenue = gross − refunds − platform_fee) ' +
      'and the transfers of the month\'s payments to the store\'s connected payout account (fee, pending and paid-out net amounts). ' +
      'A store without a connected account has no transfers: its platform_fee and transfer figures are 0.' +
      WINDOW_NOTE,
  })
  @ApiOkResponse({ type: FinancialResponseDto })
  @ApiForbiddenResponse(MERCHANT_ROUTE.forbidden)
  @ApiUnprocessableEntityResponse(MERCHANT_ROUTE.invalid)
  @ApiNotFoundResponse(MERCHANT_ROUTE.notFound)
  async financial(@CurrentPrincipal() p: Principal, @Query() query: FinancialQueryDto): Promise<FinancialResponseDto> {
    const merchantId = requireMerchantScope(p, query.merchant_id);
    return ok(await this.analytics.financial(merchantId, await this.analytics.reportCurrency(merchantId, query.currency), query.month));
  }
}

/** The whole platform's month (admins only). */
@ApiTags('analytics')
@Controller('v1/platform')
@Auth('admin')
export class PlatformAnalyticsController {
  constructor(private readonly analytics: AnalyticsService) {}

  @Get('overview')
  @ApiOperation({
    summary: 'The platform\'s month: GMV, orders, active and new stores, fees',
    description:
      'Money figures (platform_gmv, platform_revenue) are in `currency` (default USD) and cover only orders and transfers in it; counts ' +
      '(total_orders, active_merchants, new_merchants) cover every currency. subscription_mrr is always "0.00": there are no subscriptions.' +
      WINDOW_NOTE,
  })
  @ApiOkResponse({ type: PlatformOverviewResponseDto })
  @ApiForbiddenResponse({ description: 'ERR_FORBIDDEN: admins only' })
  @ApiUnprocessableEntityResponse({ description: 'ERR_VALIDATION: month or currency malformed' })
  async overview(@Query() query: PlatformOverviewQueryDto): Promise<PlatformOverviewResponseDto> {
    return ok(await this.analytics.platformOverview(this.analytics.checkedCurrency(query.currency ?? 'USD'), query.month));
  }
}
