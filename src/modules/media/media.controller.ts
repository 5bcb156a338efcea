import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Auth, Ctx, CurrentPrincipal, Principal, RequestContext, requireMerchantScope, resolvePage } from '@app/common';
import { MediaDto, MediaListQueryDto, MediaPageDto, PresignRequestDto, PresignResponseDto, UploadedFileDto, UploadedImageDto } from './dto/media.dto';
import { MediaService } from './media.service';

const FILE_BODY = { schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } };

/** Uploads (through the API or presigned, straight to storage) and the media they make. Admins name the store with ?merchant_id=. */
@ApiTags('media')
@Controller()
@Auth('merchant', 'admin')
export class MediaController {
  constructor(private readonly media: MediaService) {}

  @Post('upload/image')
  @ApiOperation({
    summary: 'Upload an image (multipart `file`): jpeg, png, webp, gif or avif, by its bytes; MEDIA_MAX_IMAGE_BYTES at most (413)',
    description: 'Resized WebP versions are made in the background; GET /api/media/{id} shows them once `status` is `ready`.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody(FILE_BODY)
  @ApiCreatedResponse({ type: UploadedImageDto })
  async uploadImage(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Req() request: FastifyRequest, @Query('merchant_id') merchantId?: string): Promise<UploadedImageDto> {
    return UploadedImageDto.from(await this.media.uploadFromRequest(ctx, requireMerchantScope(p, merchantId), request, 'image'));
  }

  @Post('upload/file')
  @ApiOperation({ summary: 'Upload a file (multipart `file`) of a type in MEDIA_ALLOWED_FILE_TYPES, by its bytes; kept 24 hours' })
  @ApiConsumes('multipart/form-data')
  @ApiBody(FILE_BODY)
  @ApiCreatedResponse({ type: UploadedFileDto })
  async uploadFile(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Req() request: FastifyRequest, @Query('merchant_id') merchantId?: string): Promise<UploadedFileDto> {
    return UploadedFileDto.from(await this.media.uploadFromRequest(ctx, requireMerchantScope(p, merchantId), request, 'file'));
  }

  @Post('upload/presign')
  @ApiOperation({
    summary: 'A presigned PUT URL for a direct upload to storage; type and exact size are part of the signature',
    description: 'PUT the file to `upload_url` with `headers`, then POST /api/upload/{media_id}/complete.',
  })
  @ApiCreatedResponse({ type: PresignResponseDto })
  async presign(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Body() body: PresignRequestDto, @Query('merchant_id') merchantId?: string): Promise<PresignResponseDto> {
    const { media, upload } = await this.media.presign(ctx, requireMerchantScope(p, merchantId), body);
    return { upload_url: upload.url, method: upload.method, headers: upload.headers, media_id: media.id, expires_at: upload.expiresAt.toISOString() };
  }

  @Post('upload/:mediaId/complete')
  @HttpCode(200)
  @ApiOperation({ summary: 'Finish a presigned upload: the object must exist with the announced size and type (422 otherwise, and it is deleted)' })
  @ApiOkResponse({ type: MediaDto })
  async complete(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Param('mediaId') mediaId: string, @Query('merchant_id') merchantId?: string): Promise<MediaDto> {
    return MediaDto.from(await this.media.complete(ctx, requireMerchantScope(p, merchantId), mediaId));
  }

  @Get('media')
  @ApiOperation({ summary: "The store's media, newest first" })
  @ApiOkResponse({ type: MediaPageDto })
  async list(@CurrentPrincipal() p: Principal, @Query() query: MediaListQueryDto): Promise<MediaPageDto> {
    const page = await this.media.list(requireMerchantScope(p, query.merchant_id), { kind: query.kind, status: query.status }, resolvePage(query));
    return { ...page, items: page.items.map(MediaDto.from) };
  }

  @Get('media/:id')
  @ApiOperation({ summary: 'Metadata, status and the URLs of the resized versions' })
  @ApiOkResponse({ type: MediaDto })
  async get(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Query('merchant_id') merchantId?: string): Promise<MediaDto> {
    return MediaDto.from(await this.media.get(requireMerchantScope(p, merchantId), id));
  }

  @Delete('media/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a media, with the product images showing it; its files are removed from storage right after' })
  @ApiNoContentResponse()
  async remove(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Param('id') id: string, @Query('merchant_id') merchantId?: string): Promise<void> {
    await this.media.delete(ctx, requireMerchantScope(p, merchantId), id);
  }
}
