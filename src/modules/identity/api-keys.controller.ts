import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Ctx, CurrentPrincipal, Principal, RequestContext, requireMerchantScope, UserAuth } from '@app/common';
import { ApiKeyService } from './api-key.service';
import { ApiKeyDto, CreateApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto';

@ApiTags('api-keys')
/** Keys are managed by signed-in merchants (or admins), never by another key. */
@Controller('merchant/api-keys')
@UserAuth('merchant', 'admin')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeyService) {}

  @Post()
  @ApiOperation({ summary: 'Create a key; the response is the only time the key is shown' })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  async create(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Body() body: CreateApiKeyDto, @Query('merchant_id') merchantId?: string): Promise<CreatedApiKeyDto> {
    const { key, secret } = await this.apiKeys.create(ctx, requireMerchantScope(p, merchantId), { name: body.name, scopes: body.scopes ?? ['read'], mode: body.mode ?? 'live' });
    return { ...ApiKeyDto.from(key), key: secret };
  }

  @Get()
  @ApiOkResponse({ type: [ApiKeyDto] })
  async list(@CurrentPrincipal() p: Principal, @Query('merchant_id') merchantId?: string): Promise<{ items: ApiKeyDto[] }> {
    return { items: (await this.apiKeys.list(requireMerchantScope(p, merchantId))).map(ApiKeyDto.from) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Revoked' })
  async revoke(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Param('id') id: string, @Query('merchant_id') merchantId?: string): Promise<void> {
    await this.apiKeys.revoke(ctx, requireMerchantScope(p, merchantId), id);
  }
}
