import { applyDecorators, Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiNotModifiedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '@app/common';
import { PublicProductDto, PublicProductListQueryDto, PublicProductPageDto, PublicProductQueryDto } from './dto/public-catalog.dto';
import { Conditional, PublicCatalogService } from './public-catalog.service';

/** Storefronts and CDNs may reuse an answer for a minute, and serve it stale while revalidating. */
const CACHE_CONTROL = 'public, max-age=60, stale-while-revalidate=300';

/**
 * Sends a cacheable answer: 200 with the body, or 304 with no body. Either way with the caching
 * headers, as RFC 9110 asks of a 304. The language comes from Accept-Language, hence Vary.
 */
function sendCacheable<T>(reply: FastifyReply, result: Conditional<T>): void {
  const vary = reply.getHeader('vary');
  void reply.header('Cache-Control', CACHE_CONTROL).header('Vary', vary ? `${String(vary)}, Accept-Language` : 'Accept-Language');
  if (result.etag) void reply.header('ETag', result.etag);
  if (result.notModified) void reply.code(304).send();
  else void reply.code(200).send(result.body);
}

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
