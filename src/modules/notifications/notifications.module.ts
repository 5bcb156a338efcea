import { Module } from '@nestjs/common';
import { EMAIL_TRANSPORT, LogEmailTransport } from './email-transport';
import { NotificationsController } from './notifications.controller';
import { NotificationsService } from './notifications.service';

/** Merchant notifications and their channels (signed webhook, email adapter). */
@Module({
  controllers: [NotificationsController],
  providers: [NotificationsService, { provide: EMAIL_TRANSPORT, useClass: LogEmailTransport }],
  exports: [NotificationsService, EMAIL_TRANSPORT],
})
export class NotificationsModule {}
