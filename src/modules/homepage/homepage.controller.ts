import { applyDecorators, Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiNotModifiedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Auth, Ctx, CurrentPrincipal, Principal, Public, RequestContext, requireMerchantScope, sendCacheable } from '@app/common';
import { StorefrontSelectionDto } from '../catalog/dto/public-catalog.dto';
import {
  BannerImagePatchDto,
  BannerImagesBodyDto,
  CollectionSlugsBodyDto,
  CreateSectionDto,
  HomepageConfigDto,
  HomepageScopeQueryDto,
  HomepageSectionDto,
  HomepageSectionListDto,
  HomepageTemplateListDto,
  PageSettingsBodyDto,
  PublicHomepageDto,
  ReorderSectionIdsDto,
  ReorderSectionsDto,
  SectionQueryDto,
  SectionTargetBodyDto,
  SectionTranslationBodyDto,
  SectionTranslationDto,
  SectionTranslationListDto,
  SettingsUpdatesDto,
  SwitchTemplateDto,
  UpdateSectionDto,
} from './dto/homepage.dto';
import { expectedVersion, HomepageService } from './homepage.service';
import { PublicHomepageService } from './public-homepage.service';

/** The contract's prefix (api-contract.md: Homepage). */
const P = 'v1/merchants/me/homepage-config';

const SECTION_ID = { name: 'id', description: 'A section of the caller\'s homepage (another store\'s: 404)' };
const LANG = { name: 'lang', description: 'Language code from GET /api/languages, e.g. fr, en-US' };

/** The optimistic-concurrency header and the answers of a homepage change. */
const HomepageChange = () =>
  applyDecorators(
    ApiHeader({ name: 'If-Match', required: false, description: 'The config version the change is based on (or send `version` in the body)' }),
    ApiConflictResponse({ description: 'ERR_VERSION_CONFLICT: the config is at another version than If-Match/version' }),
    ApiUnprocessableEntityResponse({ description: 'ERR_VALIDATION, or ERR_HOMEPAGE_UNKNOWN_MEDIA / _COLLECTION / _PRODUCT / _SECTION / _LANGUAGE, ERR_HOMEPAGE_SECTION_LIMIT, ERR_HOMEPAGE_WRONG_SECTION_TYPE' }),
  );

/**
 * The caller's homepage (contract prefix P): config, template, page settings, sections, their
 * settings and translations. Saved is published. Admins name the store with ?merchant_id=.
 */
@ApiTags('homepage')
@Controller()
@Auth('merchant', 'admin')
export class HomepageConfigController {
  constructor(private readonly homepage: HomepageService) {}

  @Get([P, 'homepage/config'])
  @ApiOperation({ summary: 'The homepage config; created from the standard template on first use' })
  @ApiOkResponse({ type: HomepageConfigDto })
  get(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Query() scope: HomepageScopeQueryDto): Promise<HomepageConfigDto> {
    return this.homepage.getConfig(ctx, requireMerchantScope(p, scope.merchant_id));
  }

  @Post(`${P}/switch-template`)
  @HttpCode(200)
  @ApiOperation({ summary: 'Replace the sections with a template\'s (page settings stay)' })
  @HomepageChange()
  @ApiOkResponse({ type: HomepageConfigDto })
  switchTemplate(
    @Ctx() ctx: RequestContext,
    @CurrentPrincipal() p: Principal,
    @Body() body: SwitchTemplateDto,
    @Query() scope: HomepageScopeQueryDto,
    @Headers('if-match') ifMatch?: string,
  ): Promise<HomepageConfigDto> {
    return this.homepage.switchTemplate(ctx, requireMerchantScope(p, scope.merchant_id), body.template_key, expectedVersion(ifMatch, body.version));
  }

  @Patch(`${P}/page-settings`)
  @ApiOperation({ summary: 'Background and overlay; the fields sent replace the stored ones (null clears)' })
  @HomepageChange()
  @ApiOkResponse({ type: HomepageConfigDto })
  pageSettings(
    @Ctx() ctx: RequestContext,
    @CurrentPrincipal() p: Principal,
    @Body() body: PageSettingsBodyDto,
    @Query() scope: HomepageScopeQueryDto,
    @Headers('if-match') ifMatch?: string,
  ): Promise<HomepageConfigDto> {
    return this.homepage.updatePageSettings(ctx, requireMerchantScope(p, scope.merchant_id), body, expectedVersion(ifMatch, body.version));
  }

  @Get(`${P}/sections`)
  @ApiOperation({ summary: 'The sections in order' })
  @ApiOkResponse({ type: HomepageSectionListDto })
  listSections(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Query() scope: HomepageScopeQueryDto): Promise<HomepageSectionListDto> {
    return this.homepage.listSections(ctx, requireMerchantScope(p, scope.merchant_id));
  }

  @Post([`${P}/sections`, 'homepage/sections'])
  @ApiOperation({ summary: 'Add a section (settings validated for its type; what they name must exist in the store)' })
  @HomepageChange()
  @ApiCreatedResponse({ type: HomepageSectionDto })
  createSection(
    @Ctx() ctx: RequestContext,
    @CurrentPrincipal() p: Principal,
    @Body() body: CreateSectionDto,
    @Query() scope: HomepageScopeQueryDto,
    @Headers('if-match') ifMatch?: string,
  ): Promise<HomepageSectionDto> {
    return this.homepage.createSection(ctx, requireMerchantScope(p, scope.merchant_id), body, expectedVersion(ifMatch, body.version));
  }

  // Declared before sections/:id (Fastify also prefers the static segment).
  @Put(`${P}/sections/reorder`)
  @ApiOperation({ summary: 'Move sections to 1-based positions, moves applied in order' })
  @HomepageChange()
  @ApiOkResponse({ type: HomepageSectionListDto })
  reorder(
    @Ctx() ctx: RequestContext,
    @CurrentPrincipal() p: Principal,
    @Body() body: ReorderSectionsDto,
    @Query() scope: HomepageScopeQueryDto,
    @Headers('if-match') ifMatch?: string,
  ): Promise<{ sections: HomepageSectionDto[] }> {
    return this.homepage.reorder(ctx, requireMerchantScope(p, scope.merchant_id), body.moves, expectedVersion(ifMatch, body.version));
  }

  @Get(`${P}/sections/:id`)
  @ApiParam(SECTION_ID)
  @ApiOkResponse({ type: HomepageSectionDto })
  getSection(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Query() query: SectionQueryDto): Promise<HomepageSectionDto> {
    return this.homepage.getSection(requireMerchantScope(p, query.merchant_id), id, query.expand === 'translations');
  }

  @Put([`${P}/sections/:id`, 'homepage/sections/:id'])
  @ApiParam(SECTION_ID)
  @ApiOperation({ summary: 'Replace the translations and/or settings sent' })
  @HomepageChange()
  @ApiOkResponse({ type: HomepageSectionDto })
  updateSection(
    @Ctx() ctx: RequestContext,
    @CurrentPrincipal() p: Principal,
    @Param('id') id: string,
    @Body() body: UpdateSectionDto,
    @Query() scope: HomepageScopeQueryDto,
    @Headers('if-match') ifMatch?: string,
  ): Promise<HomepageSectionDto> {
    return this.homepage.updateSection(ctx, requireMerchantScope(p, scope.merchant_id), id, body, expectedVersion(ifMatch, body.version));
  }

  @Delete([`${P}/sections/:id`, 'homepage/sections/:id'])
  @HttpCode(204)
  @ApiParam(SECTION_ID)
  @HomepageChange()
  @ApiNoContentResponse()
  async deleteSection(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Param('id') id: string, @Query() scope: HomepageScopeQueryDto, @Headers('if-match') ifMatch?: string): Promise<void> {
    await this.homepage.deleteSection(ctx, requireMerchantScope(p, scope.merchant_id), id, expectedVersion(ifMatch, undefined));
  }

  @Put(`${P}/sections/:id/settings/images`)
  @ApiParam(SECTION_ID)
  @ApiOperation({ summary: 'A banner\'s images, replaced' })
  @HomepageChange()
  @ApiOkResponse({ type: HomepageSectionDto })
  replaceImages(
    @Ctx() ctx: RequestContext,
    @CurrentPrincipal() p: Principal,
    @Param('id') id: string,
    @Body() body: BannerImagesBodyDto,
    @Query() scope: HomepageScopeQueryDto,
    @Headers('if-match') ifMatch?: string,
  ): Promise<HomepageSectionDto> {
    return this.homepage.replaceImages(ctx, requireMerchantScope(p, scope.merchant_id), id, body.images, expectedVersion(ifMatch, body.version));
  }

  @Patch(`${P}/sections/:id/settings/images/:index`)
  @ApiParam(SECTION_ID)
  @ApiParam({ name: 'index', description: '1-based position of the image (404 outside the banner\'s images)' })
  @ApiOperation({ summary: 'Change one banner image; the fields sent replace its own' })
  @HomepageChange()
  @ApiOkResponse({ type: HomepageSectionDto })
  patchImage(
    @Ctx() ctx: RequestContext,
    @CurrentPrincipal() p: Principal,
    @Param('id') id: string,
    @Param('index') index: string,
    @Body() body: BannerImagePatchDto,
    @Query() scope: HomepageScopeQueryDto,
    @Headers('if-match') ifMatch?: string,
  ): Promise<HomepageSectionDto> {
    return this.homepage.patchImage(ctx, requireMerchantScope(p, scope.merchant_id), id, index, body, expectedVersion(ifMatch, body.version));
  }

  @Put(`${P}/sections/:id/settings/collections`)
  @ApiParam(SECTION_ID)
  @ApiOperation({ summary: 'A collections section\'s collections, by slug, in order' })
  @HomepageChange()
  @ApiOkResponse({ type: HomepageSectionDto })
  replaceCollections(
    @Ctx() ctx: RequestContext,
    @CurrentPrincipal() p: Principal,
    @Param('id') id: string,
    @Body() body: CollectionSlugsBodyDto,
    @Query() scope: HomepageScopeQueryDto,
    @Headers('if-match') ifMatch?: string,
  ): Promise<HomepageSectionDto> {
    return this.homepage.replaceCollections(ctx, requireMerchantScope(p, scope.merchant_id), id, body.collection_slugs, expectedVersion(ifMatch, body.version));
  }

  @Put(`${P}/sections/:id/settings/target`)
  @ApiParam(SECTION_ID)
  @ApiOperation({ summary: 'A featured section\'s target' })
  @HomepageChange()
  @ApiOkResponse({ type: HomepageSectionDto })
  replaceTarget(
    @Ctx() ctx: RequestContext,
    @CurrentPrincipal() p: Principal,
    @Param('id') id: string,
    @Body() body: SectionTargetBodyDto,
    @Query() scope: HomepageScopeQueryDto,
    @Headers('if-match') ifMatch?: string,
  ): Promise<HomepageSectionDto> {
    return this.homepage.replaceTarget(ctx, requireMerchantScope(p, scope.merchant_id), id, body, expectedVersion(ifMatch, body.version));
  }

  @Patch(`${P}/sections/:id/settings`)
  @ApiParam(SECTION_ID)
  @ApiOperation({ summary: 'Replace some settings keys; the result is validated for the section\'s type' })
  @HomepageChange()
  @ApiOkResponse({ type: HomepageSectionDto })
  patchSettings(
    @Ctx() ctx: RequestContext,
    @CurrentPrincipal() p: Principal,
    @Param('id') id: string,
    @Body() body: SettingsUpdatesDto,
    @Query() scope: HomepageScopeQueryDto,
    @Headers('if-match') ifMatch?: string,
  ): Promise<HomepageSectionDto> {
    return this.homepage.patchSettings(ctx, requireMerchantScope(p, scope.merchant_id), id, body.updates, expectedVersion(ifMatch, body.version));
  }

  @Get(`${P}/sections/:id/translations`)
  @ApiParam(SECTION_ID)
  @ApiOkResponse({ type: SectionTranslationListDto })
  listTranslations(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Query() scope: HomepageScopeQueryDto): Promise<SectionTranslationListDto> {
    return this.homepage.listTranslations(requireMerchantScope(p, scope.merchant_id), id);
  }

  @Put(`${P}/sections/:id/translations/:lang`)
  @ApiParam(SECTION_ID)
  @ApiParam(LANG)
  @ApiOperation({ summary: 'Create or replace the section\'s title and description in this language' })
  @HomepageChange()
  @ApiOkResponse({ type: SectionTranslationDto })
  putTranslation(
    @Ctx() ctx: RequestContext,
    @CurrentPrincipal() p: Principal,
    @Param('id') id: string,
    @Param('lang') lang: string,
    @Body() body: SectionTranslationBodyDto,
    @Query() scope: HomepageScopeQueryDto,
    @Headers('if-match') ifMatch?: string,
  ): Promise<SectionTranslationDto> {
    return this.homepage.putTranslation(ctx, requireMerchantScope(p, scope.merchant_id), id, lang, body, expectedVersion(ifMatch, body.version));
  }

  @Delete(`${P}/sections/:id/translations/:lang`)
  @HttpCode(204)
  @ApiParam(SECTION_ID)
  @ApiParam(LANG)
  @HomepageChange()
  @ApiNoContentResponse()
  async deleteTranslation(
    @Ctx() ctx: RequestContext,
    @CurrentPrincipal() p: Principal,
    @Param('id') id: string,
    @Param('lang') lang: string,
    @Query() scope: HomepageScopeQueryDto,
    @Headers('if-match') ifMatch?: string,
  ): Promise<void> {
    await this.homepage.deleteTranslation(ctx, requireMerchantScope(p, scope.merchant_id), id, lang, expectedVersion(ifMatch, undefined));
  }

  // Last: the one-segment parameter route after the static ones.
  @Delete(`${P}/:config_id`)
  @ApiParam({ name: 'config_id', description: 'The id of the caller\'s config (GET P)' })
  @ApiOperation({ summary: 'Reset: the sections of the config\'s template again, page settings cleared (id kept, version bumped)' })
  @HomepageChange()
  @ApiOkResponse({ type: HomepageConfigDto })
  reset(
    @Ctx() ctx: RequestContext,
    @CurrentPrincipal() p: Principal,
    @Param('config_id') configId: string,
    @Query() scope: HomepageScopeQueryDto,
    @Headers('if-match') ifMatch?: string,
  ): Promise<HomepageConfigDto> {
    return this.homepage.reset(ctx, requireMerchantScope(p, scope.merchant_id), configId, expectedVersion(ifMatch, undefined));
  }
}

/**
 * Seed 000's short forms whose body or method differ from the contract's routes (reorder by ids,
 * POST settings); the others are second paths of HomepageConfigController's handlers.
 */
@ApiTags('homepage')
@Controller('homepage')
@Auth('merchant', 'admin')
export class HomepageShortFormsController {
  constructor(private readonly homepage: HomepageService) {}

  @Post('sections/reorder')
  @HttpCode(200)
  @ApiOperation({ summary: 'The sections in their new order (unlisted ones follow in their order)' })
  @HomepageChange()
  @ApiOkResponse({ type: HomepageSectionListDto })
  reorder(
    @Ctx() ctx: RequestContext,
    @CurrentPrincipal() p: Principal,
    @Body() body: ReorderSectionIdsDto,
    @Query() scope: HomepageScopeQueryDto,
    @Headers('if-match') ifMatch?: string,
  ): Promise<{ sections: HomepageSectionDto[] }> {
    return this.homepage.reorderByIds(ctx, requireMerchantScope(p, scope.merchant_id), body.section_ids, expectedVersion(ifMatch, body.version));
  }

  @Post('settings')
  @HttpCode(200)
  @ApiOperation({ summary: 'Same as PATCH …/homepage-config/page-settings' })
  @HomepageChange()
  @ApiOkResponse({ type: HomepageConfigDto })
  settings(
    @Ctx() ctx: RequestContext,
    @CurrentPrincipal() p: Principal,
    @Body() body: PageSettingsBodyDto,
    @Query() scope: HomepageScopeQueryDto,
    @Headers('if-match') ifMatch?: string,
  ): Promise<HomepageConfigDto> {
    return this.homepage.updatePageSettings(ctx, requireMerchantScope(p, scope.merchant_id), body, expectedVersion(ifMatch, body.version));
  }
}

/** The templates a merchant can start from. */
@ApiTags('homepage')
@Controller('v1/public/homepage-config')
@Public()
export class HomepageTemplatesController {
  constructor(private readonly homepage: HomepageService) {}

  @Get('templates')
  @ApiOperation({ summary: 'The homepage templates (minimal, standard) with their sections' })
  @ApiOkResponse({ type: HomepageTemplateListDto })
  templates(): HomepageTemplateListDto {
    return this.homepage.templates();
  }
}

/** A store's published homepage for storefronts. */
@ApiTags('storefront')
@Controller('public/stores')
@Public()
export class PublicHomepageController {
  constructor(private readonly homepage: PublicHomepageService) {}

  @Get(':merchantId/homepage')
  @ApiParam({ name: 'merchantId', description: 'Store id or slug (ACTIVE stores only; others 404)' })
  @ApiOperation({ summary: 'The published homepage, its collections and active products resolved, in a language and currency' })
  @ApiHeader({ name: 'Accept-Language', required: false, description: 'Used when ?locale= is absent (first tag only)' })
  @ApiHeader({ name: 'If-None-Match', required: false, description: 'An ETag from an earlier answer; 304 while the page and the store\'s catalog are unchanged' })
  @ApiNotModifiedResponse({ description: 'The If-None-Match ETag is current; empty body' })
  @ApiOkResponse({ type: PublicHomepageDto })
  async page(
    @Param('merchantId') merchantId: string,
    @Query() query: StorefrontSelectionDto,
    @Res() reply: FastifyReply,
    @Headers('accept-language') acceptLanguage?: string,
    @Headers('if-none-match') ifNoneMatch?: string,
  ): Promise<void> {
    sendCacheable(reply, await this.homepage.page(merchantId, query, { acceptLanguage, ifNoneMatch }));
  }
}
