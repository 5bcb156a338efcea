import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Auth, Ctx, CurrentPrincipal, Principal, RequestContext, requireMerchantScope, resolvePage } from '@app/common';
import { CollectionsService } from './collections.service';
import {
  AddCollectionProductsDto,
  CollectionDto,
  CollectionListDto,
  CollectionListQueryDto,
  CollectionProductsDto,
  CollectionProductsQueryDto,
  CreateCollectionDto,
  MerchantScopeQueryDto,
  UpdateCollectionDto,
} from './dto/collection.dto';

const ID_OR_SLUG = { name: 'id', description: 'Collection id or slug' };

/** A merchant's collections; admins name the store with ?merchant_id=. */
@ApiTags('catalog')
@Controller('collections')
@Auth('merchant', 'admin')
export class CollectionsController {
  constructor(private readonly collections: CollectionsService) {}

  @Get()
  @ApiOperation({ summary: 'Ordered by display_order, then name; limit+offset or page+per_page' })
  @ApiOkResponse({ type: CollectionListDto })
  list(@CurrentPrincipal() p: Principal, @Query() query: CollectionListQueryDto): Promise<CollectionListDto> {
    return this.collections.list(requireMerchantScope(p, query.merchant_id), resolvePage(query));
  }

  @Post()
  @ApiCreatedResponse({ type: CollectionDto })
  create(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Body() body: CreateCollectionDto, @Query() scope: MerchantScopeQueryDto): Promise<CollectionDto> {
    return this.collections.create(ctx, requireMerchantScope(p, scope.merchant_id), body);
  }

  @Get(':id')
  @ApiParam(ID_OR_SLUG)
  @ApiOkResponse({ type: CollectionDto })
  get(@CurrentPrincipal() p: Principal, @Param('id') idOrSlug: string, @Query() scope: MerchantScopeQueryDto): Promise<CollectionDto> {
    return this.collections.get(requireMerchantScope(p, scope.merchant_id), idOrSlug);
  }

  @Put(':id')
  @ApiParam(ID_OR_SLUG)
  @ApiOperation({ summary: 'Update any subset of fields' })
  @ApiOkResponse({ type: CollectionDto })
  update(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Param('id') idOrSlug: string, @Body() body: UpdateCollectionDto, @Query() scope: MerchantScopeQueryDto): Promise<CollectionDto> {
    return this.collections.update(ctx, requireMerchantScope(p, scope.merchant_id), idOrSlug, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiParam(ID_OR_SLUG)
  @ApiOperation({ summary: 'Deletes the collection, its memberships and translations (the products stay)' })
  @ApiNoContentResponse()
  async remove(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Param('id') idOrSlug: string, @Query() scope: MerchantScopeQueryDto): Promise<void> {
    await this.collections.remove(ctx, requireMerchantScope(p, scope.merchant_id), idOrSlug);
  }

  @Get(':id/products')
  @ApiParam(ID_OR_SLUG)
  @ApiOperation({ summary: 'Live products of the collection, in membership order' })
  @ApiOkResponse({ type: CollectionProductsDto })
  listProducts(@CurrentPrincipal() p: Principal, @Param('id') idOrSlug: string, @Query() query: CollectionProductsQueryDto): Promise<CollectionProductsDto> {
    return this.collections.listProducts(requireMerchantScope(p, query.merchant_id), idOrSlug, resolvePage(query), { includeVariants: query.include_variants === 'true', includeCost: true });
  }

  @Post(':id/products')
  @HttpCode(200)
  @ApiParam(ID_OR_SLUG)
  @ApiOperation({ summary: 'Attach live products of this store: all or none (422 names the bad ids); attaching again is a no-op' })
  @ApiOkResponse({ type: CollectionDto })
  addProducts(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Param('id') idOrSlug: string, @Body() body: AddCollectionProductsDto, @Query() scope: MerchantScopeQueryDto): Promise<CollectionDto> {
    return this.collections.addProducts(ctx, requireMerchantScope(p, scope.merchant_id), idOrSlug, body);
  }

  @Delete(':id/products/:productId')
  @HttpCode(204)
  @ApiParam(ID_OR_SLUG)
  @ApiOperation({ summary: 'Take a product out of the collection (a product not in it: no-op)' })
  @ApiNoContentResponse()
  async removeProduct(
    @Ctx() ctx: RequestContext,
    @CurrentPrincipal() p: Principal,
    @Param('id') idOrSlug: string,
    @Param('productId') productId: string,
    @Query() scope: MerchantScopeQueryDto,
  ): Promise<void> {
    await this.collections.removeProduct(ctx, requireMerchantScope(p, scope.merchant_id), idOrSlug, productId);
  }
}
