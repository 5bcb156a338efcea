import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiNoContentResponse, ApiNotModifiedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { Auth, Ctx, CurrentPrincipal, Principal, Public, RequestContext, requireMerchantScope, resolvePage, sendCacheable, ValidationError } from '@app/common';
import { MerchantsService } from './merchants.service';
import {
  AdminMerchantQueryDto,
  MerchantDto,
  MerchantPageDto,
  MerchantProfileDto,
  MerchantStatusChangeDto,
  MerchantTranslationBodyDto,
  MerchantTranslationDto,
  PublicStoreDto,
  UpdateMerchantProfileDto,
} from './dto/merchant.dto';
import { MerchantTranslation } from './entities/merchant-translation.entity';

const LANG = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
const translationDto = (t: MerchantTranslation): MerchantTranslationDto => ({
  language_code: t.languageCode,
  name: t.name,
  description: t.description,
  updated_at: t.updatedAt.toISOString(),
});
function language(code: string): string {
  if (!LANG.test(code)) throw new ValidationError('lang: not a language code such as en or pt-BR', { lang: ['is not a language code'] });
  return code;
}

/** The caller's own store (merchant); an admin names the store with ?merchant_id=. */
@ApiTags('merchants')
@Controller('merchants/me')
@Auth('merchant', 'admin')
export class MerchantProfileController {
  constructor(private readonly merchants: MerchantsService) {}

  @Get()
  @ApiOkResponse({ type: MerchantDto })
  async get(@CurrentPrincipal() p: Principal, @Query('merchant_id') merchantId?: string): Promise<MerchantDto> {
    return MerchantDto.from(await this.merchants.getById(requireMerchantScope(p, merchantId)));
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'First-time store setup: the whole profile' })
  @ApiOkResponse({ type: MerchantDto })
  async setup(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Body() body: MerchantProfileDto, @Query('merchant_id') merchantId?: string): Promise<MerchantDto> {
    return MerchantDto.from(await this.merchants.updateProfile(ctx, requireMerchantScope(p, merchantId), body));
  }

  @Put()
  @ApiOperation({ summary: 'Update the store profile (any subset of fields)' })
  @ApiOkResponse({ type: MerchantDto })
  async update(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Body() body: UpdateMerchantProfileDto, @Query('merchant_id') merchantId?: string): Promise<MerchantDto> {
    return MerchantDto.from(await this.merchants.updateProfile(ctx, requireMerchantScope(p, merchantId), body));
  }

  @Get('translations')
  @ApiOkResponse({ type: [MerchantTranslationDto] })
  async translations(@CurrentPrincipal() p: Principal, @Query('merchant_id') merchantId?: string): Promise<MerchantTranslationDto[]> {
    return (await this.merchants.listTranslations(requireMerchantScope(p, merchantId))).map(translationDto);
  }

  @Post('translations')
  @ApiOkResponse({ type: MerchantTranslationDto })
  async addTranslation(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Body() body: MerchantTranslationBodyDto, @Query('merchant_id') merchantId?: string): Promise<MerchantTranslationDto> {
    if (!body.language_code) throw new ValidationError('language_code: is required', { language_code: ['is required'] });
    return translationDto(await this.merchants.upsertTranslation(ctx, requireMerchantScope(p, merchantId), body.language_code, body));
  }

  @Get('translations/:lang')
  @ApiOkResponse({ type: MerchantTranslationDto })
  async translation(@CurrentPrincipal() p: Principal, @Param('lang') lang: string, @Query('merchant_id') merchantId?: string): Promise<MerchantTranslationDto> {
    return translationDto(await this.merchants.getTranslation(requireMerchantScope(p, merchantId), language(lang)));
  }

  @Put('translations/:lang')
  @ApiOkResponse({ type: MerchantTranslationDto })
  async putTranslation(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Param('lang') lang: string, @Body() body: MerchantTranslationBodyDto, @Query('merchant_id') merchantId?: string): Promise<MerchantTranslationDto> {
    return translationDto(await this.merchants.upsertTranslation(ctx, requireMerchantScope(p, merchantId), language(lang), body));
  }

  @Delete('translations/:lang')
  @HttpCode(204)
  @ApiNoContentResponse()
  async deleteTranslation(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Param('lang') lang: string, @Query('merchant_id') merchantId?: string): Promise<void> {
    await this.merchants.deleteTranslation(ctx, requireMerchantScope(p, merchantId), language(lang));
  }
}

class StoreQueryDto {
  @IsOptional() @IsString() @Matches(LANG)
  locale?: string;
}

@ApiTags('merchants')
@Controller('public/stores')
export class PublicStoresController {
  constructor(private readonly merchants: MerchantsService) {}

  @Get(':merchantId')
  @Public()
  @ApiOperation({ summary: 'A store for storefronts, by id or slug (ACTIVE stores only); cacheable with ETag' })
  @ApiOkResponse({ type: PublicStoreDto })
  @ApiNotModifiedResponse({ description: 'The If-None-Match ETag is current; empty body' })
  async get(
    @Param('merchantId') idOrSlug: string,
    @Query() query: StoreQueryDto,
    @Res() reply: FastifyReply,
    @Headers('accept-language') acceptLanguage?: string,
    @Headers('if-none-match') ifNoneMatch?: string,
  ): Promise<void> {
    const locale = query.locale ?? acceptLanguage?.split(',')[0]?.split(';')[0]?.trim();
    sendCacheable(reply, await this.merchants.getPublicStore(idOrSlug, locale, ifNoneMatch));
  }
}

@ApiTags('admin')
@Controller('admin/merchants')
@Auth('admin')
export class AdminMerchantsController {
  constructor(private readonly merchants: MerchantsService) {}

  @Get()
  @ApiOkResponse({ type: MerchantPageDto })
  async list(@Query() query: AdminMerchantQueryDto): Promise<MerchantPageDto> {
    const page = await this.merchants.list({ status: query.status, search: query.search }, resolvePage(query));
    return { ...page, items: page.items.map(MerchantDto.from) };
  }

  @Post(':id/approve')
  @HttpCode(200)
  @ApiOkResponse({ type: MerchantDto })
  async approve(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: MerchantStatusChangeDto): Promise<MerchantDto> {
    return MerchantDto.from(await this.merchants.changeStatus(ctx, id, 'approve', body.reason));
  }

  @Post(':id/reject')
  @HttpCode(200)
  @ApiOkResponse({ type: MerchantDto })
  async reject(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: MerchantStatusChangeDto): Promise<MerchantDto> {
    return MerchantDto.from(await this.merchants.changeStatus(ctx, id, 'reject', body.reason));
  }

  @Post(':id/suspend')
  @HttpCode(200)
  @ApiOkResponse({ type: MerchantDto })
  async suspend(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: MerchantStatusChangeDto): Promise<MerchantDto> {
    return MerchantDto.from(await this.merchants.changeStatus(ctx, id, 'suspend', body.reason));
  }
}
