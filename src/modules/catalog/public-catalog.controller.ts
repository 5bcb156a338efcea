import { applyDecorators, Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiNotModifiedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public, sendCacheable } from '@app/common';
import { PublicProductDto, PublicProductListQueryDto, PublicProductPageDto, PublicProductQueryDto } from './dto/public-catalog.dto';
import { PublicCatalogService } from './public-catalog.service';

/** The request headers the public routes read, and their 304. */
const ConditionalStorefrontRead = () =>
  applyDecorators(
    ApiHeader({ name: 'Accept-Language', required: false, description: 'Used when ?locale= is absent (first tag only)' }),
    ApiHeader({ name: 'If-None-Match', required: false, description: 'An ETag from an earlier answer; 304 while the store\'s catalog is unchanged' }),
    ApiNotModifiedResponse({ description: 'The If-None-Match ETag is current; empty body' }),
  );

/** The anonymous storefront catalog (GET /api/public/stores/{id} lives with the merchants). */
@ApiTags('storefront')
@Controller('public/products')
@Public()
export class PublicCatalogController {
  constructor(private readonly catalog: PublicCatalogService) {}

  @Get()
  @ApiOperation({ summary: 'Active products of one ACTIVE store (merchant= is required), with the merchant list\'s filters, in a language and currency' })
  @ConditionalStorefrontRead()
  @ApiOkResponse({ type: PublicProductPageDto })
  async list(
    @Query() query: PublicProductListQueryDto,
    @Res() reply: FastifyReply,
    @Headers('accept-language') acceptLanguage?: string,
    @Headers('if-none-match') ifNoneMatch?: string,
  ): Promise<void> {
    sendCacheable(reply, await this.catalog.list(query, { acceptLanguage, ifNoneMatch }));
  }

  @Get(':idOrHandle')
  @ApiOperation({ summary: 'One active product by id, or by handle with merchant= (422 without it)' })
  @ConditionalStorefrontRead()
  @ApiOkResponse({ type: PublicProductDto })
  async get(
    @Param('idOrHandle') idOrHandle: string,
    @Query() query: PublicProductQueryDto,
    @Res() reply: FastifyReply,
    @Headers('accept-language') acceptLanguage?: string,
    @Headers('if-none-match') ifNoneMatch?: string,
  ): Promise<void> {
    sendCacheable(reply, await this.catalog.get(idOrHandle, query, { acceptLanguage, ifNoneMatch }));
  }
}
