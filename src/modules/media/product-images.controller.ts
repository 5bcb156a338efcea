import { Body, Controller, Delete, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiConsumes, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Auth, createValidationPipe, Ctx, CurrentPrincipal, Principal, RequestContext, requireMerchantScope } from '@app/common';
import { AttachImagesDto, ProductImagesDto, RemoveImagesDto, ReorderImagesDto } from './dto/media.dto';
import { MediaService } from './media.service';
import { ProductImagesService } from './product-images.service';
import { removeTempFiles, spoolMultipartFiles } from './upload-spool';

/** Multipart files per request on the attach routes. */
const MAX_FILES = 10;

const ATTACH_BODY = {
  schema: {
    oneOf: [
      { $ref: getSchemaPath(AttachImagesDto) },
      { type: 'object', description: 'multipart/form-data: image files (any field name) and an optional `alt`', properties: { file: { type: 'string', format: 'binary' }, alt: { type: 'string' } } },
    ],
  },
};

/** Images of a merchant's products and variants, by media id, image URL or multipart upload. */
@ApiTags('catalog')
@ApiExtraModels(AttachImagesDto)
@Controller('products')
@Auth('merchant', 'admin')
export class ProductImagesController {
  constructor(
    private readonly images: ProductImagesService,
    private readonly media: MediaService,
  ) {}

  /** JSON `{media_ids | image_urls}`, or multipart files stored as new images first. */
  private async attach(ctx: RequestContext, merchantId: string, productId: string, variantId: string | null, request: FastifyRequest, reply: FastifyReply): Promise<ProductImagesDto> {
    let result: ProductImagesDto;
    if (request.isMultipart()) {
      await this.images.assertTarget(merchantId, productId, variantId);
      const { files, fields } = await spoolMultipartFiles(request, { maxBytes: this.media.maxBytes('image'), maxFiles: MAX_FILES });
      try {
        const uploaded = [];
        for (const [i, file] of files.entries()) uploaded.push(await this.media.storeFile(ctx, merchantId, 'image', file, `files.${i}`));
        const input = (await createValidationPipe().transform({ alt: fields.alt }, { type: 'body', metatype: AttachImagesDto })) as AttachImagesDto;
        result = await this.images.attach(ctx, merchantId, productId, variantId, input, uploaded);
      } finally {
        await removeTempFiles(files);
      }
    } else {
      const input = (await createValidationPipe().transform(request.body ?? {}, { type: 'body', metatype: AttachImagesDto })) as AttachImagesDto;
      result = await this.images.attach(ctx, merchantId, productId, variantId, input);
    }
    if (result.pending.length) void reply.status(202);
    return result;
  }

  @Post(':id/images')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Add images: `{media_ids}` (your own media), `{image_urls}` (downloaded by the worker) or multipart files',
    description: '200 with the images; 202 when image_urls are still downloading (listed in `pending`, see GET /api/media/{id}).',
  })
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiBody(ATTACH_BODY)
  @ApiOkResponse({ type: ProductImagesDto })
  @ApiAcceptedResponse({ type: ProductImagesDto })
  attachToProduct(
    @Ctx() ctx: RequestContext,
    @CurrentPrincipal() p: Principal,
    @Param('id') id: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Query('merchant_id') merchantId?: string,
  ): Promise<ProductImagesDto> {
    return this.attach(ctx, requireMerchantScope(p, merchantId), id, null, request, reply);
  }

  @Post(':id/variants/:variantId/images')
  @HttpCode(200)
  @ApiOperation({ summary: "Add images to a variant: `{media_ids}`, `{image_urls}` or multipart files, as for the product's" })
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiBody(ATTACH_BODY)
  @ApiOkResponse({ type: ProductImagesDto })
  @ApiAcceptedResponse({ type: ProductImagesDto })
  attachToVariant(
    @Ctx() ctx: RequestContext,
    @CurrentPrincipal() p: Principal,
    @Param('id') id: string,
    @Param('variantId') variantId: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Query('merchant_id') merchantId?: string,
  ): Promise<ProductImagesDto> {
    return this.attach(ctx, requireMerchantScope(p, merchantId), id, variantId, request, reply);
  }

  @Delete(':id/images')
  @ApiOperation({ summary: "Remove the product's (and its variants') images of these media; media nothing else shows are deleted with their files" })
  @ApiOkResponse({ type: ProductImagesDto })
  remove(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: RemoveImagesDto, @Query('merchant_id') merchantId?: string): Promise<ProductImagesDto> {
    return this.images.remove(ctx, requireMerchantScope(p, merchantId), id, body.media_ids);
  }

  @Put(':id/images/reorder')
  @ApiOperation({ summary: 'Move images: `{moves: [{media_id, new_position (1-based)}]}`, applied in order; `variant_id` for a variant\'s images' })
  @ApiOkResponse({ type: ProductImagesDto })
  reorder(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: ReorderImagesDto, @Query('merchant_id') merchantId?: string): Promise<ProductImagesDto> {
    return this.images.reorder(ctx, requireMerchantScope(p, merchantId), id, body);
  }
}
