import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Auth, Ctx, CurrentPrincipal, merchantScopeOf, Principal, RequestContext, requireMerchantScope, resolvePage } from '@app/common';
import { ProductInputDto, ProductListQueryDto, VariantInputDto } from './dto/product.dto';
import { ProductDto, VariantDto } from './product-views';
import { ProductsService } from './products.service';
import { VariantsService } from './variants.service';

class ProductPageDto {
  @ApiProperty({ type: [ProductDto] }) items: ProductDto[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() per_page: number;
  @ApiProperty() has_next: boolean;
}

class VariantListDto {
  @ApiProperty({ type: [VariantDto] }) items: VariantDto[];
  @ApiProperty() total: number;
}

/** A merchant's own catalog; admins pass ?merchant_id= (required to write, optional to list). */
@ApiTags('catalog')
@Controller('products')
@Auth('merchant', 'admin')
export class ProductsController {
  constructor(
    private readonly products: ProductsService,
    private readonly variants: VariantsService,
  ) {}

  @Post()
  @ApiCreatedResponse({ type: ProductDto })
  create(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Body() body: ProductInputDto, @Query('merchant_id') merchantId?: string): Promise<ProductDto> {
    return this.products.create(ctx, requireMerchantScope(p, merchantId), body);
  }

  @Get()
  @ApiOperation({ summary: 'List with filters, search, sorting, and either pagination style' })
  @ApiOkResponse({ type: ProductPageDto })
  list(@CurrentPrincipal() p: Principal, @Query() query: ProductListQueryDto): Promise<ProductPageDto> {
    return this.products.list(
      merchantScopeOf(p, query.merchant_id),
      {
        status: query.status,
        tags: query.tags,
        collections: query.collections ?? query.collection,
        categoryId: query.category_id,
        search: query.search,
        sortBy: query.sort_by,
        sortOrder: query.sort_order,
      },
      resolvePage(query),
      { includeVariants: query.include_variants === 'true', includeCost: true },
    );
  }

  @Get(':id')
  @ApiOkResponse({ type: ProductDto })
  get(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Query('merchant_id') merchantId?: string): Promise<ProductDto> {
    return this.products.view(requireMerchantScope(p, merchantId), id);
  }

  @Put(':id')
  @ApiOperation({ summary: 'Update any subset of fields; `stock` is accepted for `stock_quantity`' })
  @ApiOkResponse({ type: ProductDto })
  update(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: ProductInputDto, @Query('merchant_id') merchantId?: string): Promise<ProductDto> {
    return this.products.update(ctx, requireMerchantScope(p, merchantId), id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Soft delete (again: no-op)' })
  @ApiNoContentResponse()
  async remove(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Param('id') id: string, @Query('merchant_id') merchantId?: string): Promise<void> {
    await this.products.remove(ctx, requireMerchantScope(p, merchantId), id);
  }

  @Get(':id/variants')
  @ApiOkResponse({ type: VariantListDto })
  async listVariants(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Query('merchant_id') merchantId?: string): Promise<VariantListDto> {
    const items = await this.variants.list(requireMerchantScope(p, merchantId), id);
    return { items, total: items.length };
  }

  @Get(':id/variants/search')
  @ApiOperation({ summary: 'Variants whose attributes match every query parameter, e.g. ?color=red&size=M' })
  @ApiOkResponse({ type: VariantListDto })
  async searchVariants(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Query() query: Record<string, string>): Promise<VariantListDto> {
    const { merchant_id: merchantId, ...attributes } = query;
    const items = await this.variants.search(requireMerchantScope(p, merchantId), id, attributes);
    return { items, total: items.length };
  }

  @Post(':id/variants')
  @ApiCreatedResponse({ type: VariantDto })
  createVariant(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: VariantInputDto, @Query('merchant_id') merchantId?: string): Promise<VariantDto> {
    return this.variants.create(ctx, requireMerchantScope(p, merchantId), id, body);
  }

  @Put(':id/variants/:variantId')
  @ApiOkResponse({ type: VariantDto })
  updateVariant(
    @Ctx() ctx: RequestContext,
    @CurrentPrincipal() p: Principal,
    @Param('id') id: string,
    @Param('variantId') variantId: string,
    @Body() body: VariantInputDto,
    @Query('merchant_id') merchantId?: string,
  ): Promise<VariantDto> {
    return this.variants.update(ctx, requireMerchantScope(p, merchantId), id, variantId, body);
  }

  @Delete(':id/variants/:variantId')
  @HttpCode(204)
  @ApiNoContentResponse()
  async removeVariant(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Param('id') id: string, @Param('variantId') variantId: string, @Query('merchant_id') merchantId?: string): Promise<void> {
    await this.variants.remove(ctx, requireMerchantScope(p, merchantId), id, variantId);
  }
}
