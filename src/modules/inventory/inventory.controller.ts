import { Body, Controller, Get, Headers, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Auth, Ctx, CurrentPrincipal, Principal, RequestContext, requireMerchantScope, resolvePage } from '@app/common';
import {
  AdjustResultDto,
  AdjustStockDto,
  BatchResultDto,
  BatchUpdateDto,
  CreateLocationDto,
  CreateReservationDto,
  HistoryQueryDto,
  LocationDto,
  LocationListDto,
  LowStockPageDto,
  LowStockQueryDto,
  MovementPageDto,
  ProductInventoryDto,
  ReservationDto,
  ReservationResultDto,
  ReserveProductDto,
} from './dto/inventory.dto';
import { InventoryReadService, locationView } from './inventory-read.service';
import { InventoryService } from './inventory.service';

const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description: 'A retry with the same key and body applies once and answers the first response again (with `Idempotent-Replayed: true`); kept a day',
};

const replayed = (reply: FastifyReply, yes: boolean) => {
  if (yes) void reply.header('Idempotent-Replayed', 'true');
};

/** Stock levels, adjustments, the ledger and low-stock items of a merchant (admins: ?merchant_id=). */
@ApiTags('inventory')
@Controller('inventory')
@Auth('merchant', 'admin')
export class InventoryController {
  constructor(
    private readonly inventory: InventoryService,
    private readonly read: InventoryReadService,
  ) {}

  @Get('low-stock')
  @ApiOperation({ summary: "Levels whose available quantity is at or below ?threshold= or their product's low_stock_threshold, lowest first" })
  @ApiOkResponse({ type: LowStockPageDto })
  lowStock(@CurrentPrincipal() p: Principal, @Query() query: LowStockQueryDto, @Query('merchant_id') merchantId?: string): Promise<LowStockPageDto> {
    return this.read.lowStock(requireMerchantScope(p, merchantId), query.threshold, resolvePage(query));
  }

  @Get('locations')
  @ApiOperation({ summary: 'Stock locations (the default one first)' })
  @ApiOkResponse({ type: LocationListDto })
  async locations(@CurrentPrincipal() p: Principal, @Query('merchant_id') merchantId?: string): Promise<LocationListDto> {
    return { items: await this.read.locations(requireMerchantScope(p, merchantId)) };
  }

  @Post('locations')
  @ApiCreatedResponse({ type: LocationDto })
  async createLocation(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Body() body: CreateLocationDto, @Query('merchant_id') merchantId?: string): Promise<LocationDto> {
    return locationView(await this.inventory.createLocation(ctx, requireMerchantScope(p, merchantId), body.name.trim()));
  }

  @Post('update')
  @HttpCode(200)
  @ApiOperation({ summary: 'Batch: set or adjust many levels, all or nothing' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiOkResponse({ type: BatchResultDto })
  @ApiConflictResponse({ description: 'An item would take on_hand below 0 or below what is reserved; nothing was changed' })
  async batch(
    @Ctx() ctx: RequestContext,
    @CurrentPrincipal() p: Principal,
    @Body() body: BatchUpdateDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('idempotency-key') idempotencyKey?: string,
    @Query('merchant_id') merchantId?: string,
  ): Promise<BatchResultDto> {
    const entries = body.items.map((i) => ({
      productId: i.product_id,
      variantId: i.variant_id,
      locationId: i.location_id,
      mode: i.mode,
      quantity: i.quantity,
      reason: i.reason,
      allowBackorder: i.allow_backorder,
    }));
    const result = await this.inventory.batchUpdate(ctx, requireMerchantScope(p, merchantId), entries, { idempotencyKey });
    replayed(reply, result.replayed);
    return result.body;
  }

  @Put('products/:id/stock')
  @ApiOperation({ summary: 'Add a delta (may be negative) to a variant\'s on_hand, with a reason for the ledger' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiOkResponse({ type: AdjustResultDto })
  @ApiConflictResponse({ description: 'on_hand would go below 0 or below what is reserved for orders' })
  async adjust(
    @Ctx() ctx: RequestContext,
    @CurrentPrincipal() p: Principal,
    @Param('id') id: string,
    @Body() body: AdjustStockDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('idempotency-key') idempotencyKey?: string,
    @Query('merchant_id') merchantId?: string,
  ): Promise<AdjustResultDto> {
    const result = await this.inventory.adjustProductStock(ctx, requireMerchantScope(p, merchantId), id, body, idempotencyKey);
    replayed(reply, result.replayed);
    return result.body;
  }

  @Get('products/:id/history')
  @ApiOperation({ summary: 'The movement ledger of a product, newest first' })
  @ApiOkResponse({ type: MovementPageDto })
  history(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Query() query: HistoryQueryDto, @Query('merchant_id') merchantId?: string): Promise<MovementPageDto> {
    return this.read.history(requireMerchantScope(p, merchantId), id, { variantId: query.variant_id, type: query.type }, resolvePage(query));
  }

  @Post('products/:id/reserve')
  @ApiOperation({ summary: 'Hold units of one variant for an order until committed, released or expired (TTL)' })
  @ApiCreatedResponse({ type: ReservationDto })
  @ApiConflictResponse({ description: 'Not enough available stock; nothing was held' })
  async reserve(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: ReserveProductDto, @Query('merchant_id') merchantId?: string): Promise<ReservationDto> {
    return (await this.inventory.reserveProduct(ctx, requireMerchantScope(p, merchantId), id, body)).reservation;
  }

  @Get(':product_id')
  @ApiOperation({ summary: 'Levels per variant (and per location): on_hand, reserved, available, low_stock_threshold' })
  @ApiOkResponse({ type: ProductInventoryDto })
  product(@CurrentPrincipal() p: Principal, @Param('product_id') productId: string, @Query('merchant_id') merchantId?: string): Promise<ProductInventoryDto> {
    return this.read.productLevels(requireMerchantScope(p, merchantId), productId);
  }
}

/** Reservations of several lines (what checkout uses), and committing or releasing one by id. */
@ApiTags('inventory')
@Controller('inventory/reservations')
@Auth('merchant', 'admin')
export class ReservationsController {
  constructor(private readonly inventory: InventoryService) {}

  @Post()
  @ApiOperation({ summary: 'Hold every line of an order, or none (409 names the line short of stock)' })
  @ApiCreatedResponse({ type: ReservationDto })
  @ApiConflictResponse({ description: 'A line has too little available stock, or the reference is taken; nothing was held' })
  async create(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Body() body: CreateReservationDto, @Query('merchant_id') merchantId?: string): Promise<ReservationDto> {
    const items = body.items.map((i) => ({ variantId: i.variant_id, quantity: i.quantity }));
    const { reservation } = await this.inventory.reserve(ctx, requireMerchantScope(p, merchantId), items, { ttlSeconds: body.ttl_seconds, reference: body.reference, locationId: body.location_id });
    return reservation;
  }

  @Get(':id')
  @ApiOkResponse({ type: ReservationDto })
  get(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Query('merchant_id') merchantId?: string): Promise<ReservationDto> {
    const scope = requireMerchantScope(p, merchantId);
    return this.inventory.reservationView(this.inventory.readManager(), scope, { id });
  }

  @Post(':id/commit')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sell the held units (payment succeeded); committing again changes nothing' })
  @ApiOkResponse({ type: ReservationResultDto })
  @ApiConflictResponse({ description: 'The reservation was released or expired' })
  async commit(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Param('id') id: string, @Query('merchant_id') merchantId?: string): Promise<ReservationResultDto> {
    const { reservation, changed } = await this.inventory.commit(ctx, requireMerchantScope(p, merchantId), { id });
    return { ...reservation, changed };
  }

  @Post(':id/release')
  @HttpCode(200)
  @ApiOperation({ summary: 'Give the held units back (order cancelled); releasing again changes nothing' })
  @ApiOkResponse({ type: ReservationResultDto })
  @ApiConflictResponse({ description: 'The reservation was committed (sold)' })
  async release(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Param('id') id: string, @Query('merchant_id') merchantId?: string): Promise<ReservationResultDto> {
    const { reservation, changed } = await this.inventory.release(ctx, requireMerchantScope(p, merchantId), { id });
    return { ...reservation, changed };
  }
}
