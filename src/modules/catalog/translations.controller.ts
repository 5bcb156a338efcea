import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Auth, Ctx, CurrentPrincipal, Principal, RequestContext, requireMerchantScope } from '@app/common';
import { MerchantScopeQueryDto } from './dto/collection.dto';
import {
  CollectionTranslationBodyDto,
  CollectionTranslationDto,
  CollectionTranslationListDto,
  ProductTranslationBodyDto,
  ProductTranslationDto,
  ProductTranslationListDto,
} from './dto/translation.dto';
import { TranslationsService } from './translations.service';

const LANG = { name: 'lang', description: 'Language code from GET /api/languages, e.g. fr, en-US, zh-CN' };

/** Translations of one of the merchant's live products. POST adds a language (409 if present); PUT creates or replaces it. */
@ApiTags('catalog')
@Controller('products/:id/translations')
@Auth('merchant', 'admin')
export class ProductTranslationsController {
  constructor(private readonly translations: TranslationsService) {}

  @Get()
  @ApiOkResponse({ type: ProductTranslationListDto })
  async list(@CurrentPrincipal() p: Principal, @Param('id') productId: string, @Query() scope: MerchantScopeQueryDto): Promise<ProductTranslationListDto> {
    const items = await this.translations.listForProduct(requireMerchantScope(p, scope.merchant_id), productId);
    return { items, total: items.length };
  }

  @Post()
  @ApiCreatedResponse({ type: ProductTranslationDto })
  create(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Param('id') productId: string, @Body() body: ProductTranslationBodyDto, @Query() scope: MerchantScopeQueryDto): Promise<ProductTranslationDto> {
    return this.translations.writeForProduct(ctx, requireMerchantScope(p, scope.merchant_id), productId, 'create', body);
  }

  @Get(':lang')
  @ApiParam(LANG)
  @ApiOkResponse({ type: ProductTranslationDto })
  get(@CurrentPrincipal() p: Principal, @Param('id') productId: string, @Param('lang') lang: string, @Query() scope: MerchantScopeQueryDto): Promise<ProductTranslationDto> {
    return this.translations.getForProduct(requireMerchantScope(p, scope.merchant_id), productId, lang);
  }

  @Put(':lang')
  @ApiParam(LANG)
  @ApiOperation({ summary: 'Create or replace the translation in this language' })
  @ApiOkResponse({ type: ProductTranslationDto })
  put(
    @Ctx() ctx: RequestContext,
    @CurrentPrincipal() p: Principal,
    @Param('id') productId: string,
    @Param('lang') lang: string,
    @Body() body: ProductTranslationBodyDto,
    @Query() scope: MerchantScopeQueryDto,
  ): Promise<ProductTranslationDto> {
    return this.translations.writeForProduct(ctx, requireMerchantScope(p, scope.merchant_id), productId, 'upsert', body, lang);
  }

  @Delete(':lang')
  @HttpCode(204)
  @ApiParam(LANG)
  @ApiNoContentResponse()
  async remove(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Param('id') productId: string, @Param('lang') lang: string, @Query() scope: MerchantScopeQueryDto): Promise<void> {
    await this.translations.deleteForProduct(ctx, requireMerchantScope(p, scope.merchant_id), productId, lang);
  }
}

/** Translations of one of the merchant's collections (by id or slug), with the same rules as products'. */
@ApiTags('catalog')
@Controller('collections/:id/translations')
@Auth('merchant', 'admin')
export class CollectionTranslationsController {
  constructor(private readonly translations: TranslationsService) {}

  @Get()
  @ApiOkResponse({ type: CollectionTranslationListDto })
  async list(@CurrentPrincipal() p: Principal, @Param('id') idOrSlug: string, @Query() scope: MerchantScopeQueryDto): Promise<CollectionTranslationListDto> {
    const items = await this.translations.listForCollection(requireMerchantScope(p, scope.merchant_id), idOrSlug);
    return { items, total: items.length };
  }

  @Post()
  @ApiCreatedResponse({ type: CollectionTranslationDto })
  create(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Param('id') idOrSlug: string, @Body() body: CollectionTranslationBodyDto, @Query() scope: MerchantScopeQueryDto): Promise<CollectionTranslationDto> {
    return this.translations.writeForCollection(ctx, requireMerchantScope(p, scope.merchant_id), idOrSlug, 'create', body);
  }

  @Get(':lang')
  @ApiParam(LANG)
  @ApiOkResponse({ type: CollectionTranslationDto })
  get(@CurrentPrincipal() p: Principal, @Param('id') idOrSlug: string, @Param('lang') lang: string, @Query() scope: MerchantScopeQueryDto): Promise<CollectionTranslationDto> {
    return this.translations.getForCollection(requireMerchantScope(p, scope.merchant_id), idOrSlug, lang);
  }

  @Put(':lang')
  @ApiParam(LANG)
  @ApiOperation({ summary: 'Create or replace the translation in this language' })
  @ApiOkResponse({ type: CollectionTranslationDto })
  put(
    @Ctx() ctx: RequestContext,
    @CurrentPrincipal() p: Principal,
    @Param('id') idOrSlug: string,
    @Param('lang') lang: string,
    @Body() body: CollectionTranslationBodyDto,
    @Query() scope: MerchantScopeQueryDto,
  ): Promise<CollectionTranslationDto> {
    return this.translations.writeForCollection(ctx, requireMerchantScope(p, scope.merchant_id), idOrSlug, 'upsert', body, lang);
  }

  @Delete(':lang')
  @HttpCode(204)
  @ApiParam(LANG)
  @ApiNoContentResponse()
  async remove(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Param('id') idOrSlug: string, @Param('lang') lang: string, @Query() scope: MerchantScopeQueryDto): Promise<void> {
    await this.translations.deleteForCollection(ctx, requireMerchantScope(p, scope.merchant_id), idOrSlug, lang);
  }
}
