import { Body, Controller, Get, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, Ctx, CurrentPrincipal, Principal, RequestContext, requireMerchantScope, resolvePage } from '@app/common';
import { NotificationListQueryDto, NotificationPageDto, NotificationSettingsDto, UpdatedNotificationSettingsDto, UpdateNotificationSettingsDto } from './dto/notification.dto';
import { NotificationsService } from './notifications.service';

/** A merchant's notifications (newest first) and its delivery channels (admins: ?merchant_id=). */
@ApiTags('notifications')
@Controller('notifications')
@Auth('merchant', 'admin')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @ApiOkResponse({ type: NotificationPageDto })
  list(@CurrentPrincipal() p: Principal, @Query() query: NotificationListQueryDto, @Query('merchant_id') merchantId?: string): Promise<NotificationPageDto> {
    return this.notifications.list(requireMerchantScope(p, merchantId), { type: query.type }, resolvePage(query));
  }

  @Get('settings')
  @ApiOkResponse({ type: NotificationSettingsDto })
  settings(@CurrentPrincipal() p: Principal, @Query('merchant_id') merchantId?: string): Promise<NotificationSettingsDto> {
    return this.notifications.settings(requireMerchantScope(p, merchantId));
  }

  @Put('settings')
  @ApiOperation({ summary: 'Channels: a webhook URL (deliveries signed with X-Commerce-Signature: t=…,v1=HMAC-SHA256(secret, "t.body")) and an email address' })
  @ApiOkResponse({ type: UpdatedNotificationSettingsDto })
  updateSettings(@Ctx() ctx: RequestContext, @CurrentPrincipal() p: Principal, @Body() body: UpdateNotificationSettingsDto, @Query('merchant_id') merchantId?: string): Promise<UpdatedNotificationSettingsDto> {
    return this.notifications.updateSettings(ctx, requireMerchantScope(p, merchantId), body);
  }
}
