import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Auth, Ctx, CurrentPrincipal, ForbiddenError, merchantScopeOf, Principal, RequestContext, resolvePage, UserAuth } from '@app/common';
import {
  CancelOrderDto,
  CustomerOrderQueryDto,
  MerchantOrderQueryDto,
  OrderDto,
  OrderNoteDto,
  OrderPageDto,
  ShipOrderDto,
  StatusHistoryDto,
  TrackingDto,
  UpdateShippingStatusDto,
} from './dto/order.dto';
import { OrdersReadService } from './orders-read.service';
import { OrdersService } from './orders.service';

const INVALID_STATE = { description: 'ERR_INVALID_STATE: the order\'s current status does not allow this (detail.current_status)' };

/** A store's orders (admins: all stores, or ?merchant_id=). */
@ApiTags('orders')
@Controller('orders/merchant')
@Auth('merchant', 'admin')
export class MerchantOrdersController {
  constructor(
    private readonly orders: OrdersService,
    private readonly read: OrdersReadService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Orders with filters (status, dates, search) and sorting' })
  @ApiOkResponse({ type: OrderPageDto })
  list(@CurrentPrincipal() p: Principal, @Query() query: MerchantOrderQueryDto): Promise<OrderPageDto> {
    return this.read.merchantList(merchantScopeOf(p, query.merchant_id), query, resolvePage(query));
  }

  @Get(':id')
  @ApiOkResponse({ type: OrderDto })
  detail(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Query('merchant_id') merchantId?: string): Promise<OrderDto> {
    return this.read.merchantOrder(merchantScopeOf(p, merchantId), id);
  }

  @Get(':id/shipping-history')
  @ApiOperation({ summary: 'Every status change with its source and note, oldest first' })
  @ApiOkResponse({ type: StatusHistoryDto })
  history(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Query('merchant_id') merchantId?: string): Promise<StatusHistoryDto> {
    return this.read.history({ merchantId: merchantScopeOf(p, merchantId) }, id);
  }

  @Post(':id/ship')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark shipped with tracking data (or create_logistics_shipment through the logistics provider)' })
  @ApiOkResponse({ type: OrderDto })
  @ApiConflictResponse(INVALID_STATE)
  @ApiUnprocessableEntityResponse({ description: 'Missing tracking data, or ERR_LOGISTICS_UNAVAILABLE' })
  async ship(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: ShipOrderDto, @Query('merchant_id') merchantId?: string): Promise<OrderDto> {
    return this.read.view(await this.orders.ship(ctx, merchantScopeOf(p, merchantId), id, body));
  }

  @Post(':id/update-shipping-status')
  @HttpCode(200)
  @ApiOperation({ summary: 'in_transit, out_for_delivery, failed or returned (same status again: updates the tracking data)' })
  @ApiOkResponse({ type: OrderDto })
  @ApiConflictResponse(INVALID_STATE)
  async updateShippingStatus(
    @Ctx() ctx: RequestContext,
    @CurrentPrincipal() p: Principal,
    @Param('id') id: string,
    @Body() body: UpdateShippingStatusDto,
    @Query('merchant_id') merchantId?: string,
  ): Promise<OrderDto> {
    return this.read.view(await this.orders.updateShippingStatus(ctx, merchantScopeOf(p, merchantId), id, body));
  }

  @Post(':id/mark-delivered')
  @HttpCode(200)
  @ApiOkResponse({ type: OrderDto })
  @ApiConflictResponse(INVALID_STATE)
  async markDelivered(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: OrderNoteDto, @Query('merchant_id') merchantId?: string): Promise<OrderDto> {
    return this.read.view(await this.orders.markDelivered(ctx, merchantScopeOf(p, merchantId), id, body?.note));
  }

  @Post(':id/complete')
  @HttpCode(200)
  @ApiOkResponse({ type: OrderDto })
  @ApiConflictResponse(INVALID_STATE)
  async complete(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: OrderNoteDto, @Query('merchant_id') merchantId?: string): Promise<OrderDto> {
    return this.read.view(await this.orders.complete(ctx, merchantScopeOf(p, merchantId), id, body?.note));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel before shipping: releases the held stock (unpaid) or restocks and refunds in full (paid)' })
  @ApiOkResponse({ type: OrderDto })
  @ApiConflictResponse(INVALID_STATE)
  async cancel(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: CancelOrderDto, @Query('merchant_id') merchantId?: string): Promise<OrderDto> {
    return this.read.view(await this.orders.cancelByMerchant(ctx, merchantScopeOf(p, merchantId), id, body?.reason));
  }

  @Post(':id/refresh-label')
  @HttpCode(200)
  @ApiOperation({ summary: 'Fetch the label again from the logistics provider' })
  @ApiOkResponse({ type: OrderDto })
  @ApiUnprocessableEntityResponse({ description: 'ERR_LOGISTICS_UNAVAILABLE: the order has no logistics shipment' })
  async refreshLabel(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Query('merchant_id') merchantId?: string): Promise<OrderDto> {
    return this.read.view(await this.orders.refreshLabel(merchantScopeOf(p, merchantId), id));
  }
}

/** The signed-in customer's own orders. */
@ApiTags('orders')
@Controller('orders')
@UserAuth('customer')
export class CustomerOrdersController {
  constructor(
    private readonly orders: OrdersService,
    private readonly read: OrdersReadService,
  ) {}

  @Get()
  @ApiOkResponse({ type: OrderPageDto })
  list(@CurrentPrincipal() p: Principal, @Query() query: CustomerOrderQueryDto): Promise<OrderPageDto> {
    return this.read.customerList(customerIdOf(p), query.status, resolvePage(query));
  }

  @Get(':id')
  @ApiOkResponse({ type: OrderDto })
  detail(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<OrderDto> {
    return this.read.customerOrder(customerIdOf(p), id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel while not yet shipped' })
  @ApiOkResponse({ type: OrderDto })
  @ApiConflictResponse(INVALID_STATE)
  async cancel(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: CancelOrderDto): Promise<OrderDto> {
    return this.read.view(await this.orders.cancelByCustomer(ctx, customerIdOf(p), id, body?.reason));
  }
}

/** Where a shipment is: for the order's customer, its merchant, or an admin. */
@ApiTags('orders')
@Controller('tracking')
@Auth('customer', 'merchant', 'admin')
export class TrackingController {
  constructor(private readonly read: OrdersReadService) {}

  @Get('order/:id')
  @ApiOkResponse({ type: TrackingDto })
  track(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<TrackingDto> {
    const scope = p.role === 'customer' ? { customerUserId: customerIdOf(p) } : { merchantId: merchantScopeOf(p) };
    return this.read.tracking(scope, id);
  }
}

function customerIdOf(p: Principal): string {
  if (!p.userId) throw new ForbiddenError('Orders belong to a local user account');
  return p.userId;
}
