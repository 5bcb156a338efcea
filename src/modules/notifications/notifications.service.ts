import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig, MerchantScopedRepository, Page, PageRequest, preparedQuery, RequestContext, toPage, ValidationError } from '@app/common';
import { AuditService } from '../audit/audit.service';
import { NotificationDto, NotificationSettingsDto, UpdateNotificationSettingsDto } from './dto/notification.dto';
import { EMAIL_TRANSPORT, EmailTransport } from './email-transport';
import { Notification } from './entities/notification.entity';
import { NotificationSettings } from './entities/notification-settings.entity';
import { SIGNATURE_HEADER, signWebhook } from './webhook-signature';
import { webhookUrlProblem } from './webhook-url';

export const WEBHOOK_TIMEOUT_MS = 5_000;

export interface NotificationInput {
  type: string;
  /** Same key, same notification: a retried job finds the one it wrote. */
  dedupeKey: string;
  title: string;
  message: string;
  data: Record<string, unknown>;
}

const view = (n: Notification): NotificationDto => ({
  id: n.id,
  type: n.type,
  title: n.title,
  message: n.message,
  data: n.data,
  deliveries: {
    webhook: { status: n.webhookStatus, attempts: n.webhookAttempts, delivered_at: n.webhookDeliveredAt?.toISOString() ?? null, last_error: n.webhookLastError },
    email: { status: n.emailStatus, sent_at: n.emailSentAt?.toISOString() ?? null },
  },
  created_at: n.createdAt.toISOString(),
});

const settingsView = (s: NotificationSettings | null): NotificationSettingsDto => ({
  webhook_url: s?.webhookUrl ?? null,
  webhook_secret_set: Boolean(s?.webhookSecret),
  email: s?.email ?? null,
  low_stock_alerts: s?.lowStockAlerts ?? true,
});

/**
 * Merchant notifications: recorded (GET /api/notifications) and delivered to the merchant's
 * channels — a signed webhook (HMAC-SHA256 over the raw body, header X-Commerce-Signature) and
 * email through the EmailTransport adapter (logs by default). Called from worker job handlers; a
 * failed webhook throws so the job is retried, and the retry re-delivers the same notification.
 */
@Injectable()
export class NotificationsService {
  private readonly logger = new Logger(NotificationsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EMAIL_TRANSPORT) private readonly email: EmailTransport,
    private readonly audit: AuditService,
  ) {}

  private notifications() {
    return MerchantScopedRepository.for(this.dataSource.manager, Notification);
  }

  private settingsRepo() {
    return MerchantScopedRepository.for(this.dataSource.manager, NotificationSettings);
  }

  async notify(merchantId: string, input: NotificationInput, options: { finalAttempt?: boolean } = {}): Promise<Pick<Notification, 'id'>> {
    // One round trip records the notification (or finds the one a retry wrote) and reads the
    // merchant's channels: most merchants have none, and then nothing more is done.
    const [recorded] = await preparedQuery<{ id: string; email: string | null; webhook_url: string | null; webhook_secret: string | null; low_stock_alerts: boolean | null }>(
      this.dataSource.manager,
      `WITH inserted AS (
         INSERT INTO notifications (merchant_id, type, dedupe_key, title, message, data) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (merchant_id, dedupe_key) DO NOTHING RETURNING id)
       SELECT n.id, s.email, s.webhook_url, s.webhook_secret, s.low_stock_alerts
         FROM (SELECT id FROM inserted UNION ALL SELECT id FROM notifications WHERE merchant_id = $1 AND dedupe_key = $3) n
         LEFT JOIN notification_settings s ON s.merchant_id = $1`,
      [merchantId, input.type, input.dedupeKey, input.title.slice(0, 300), input.message, JSON.stringify(input.data)],
    );
    // No row comes back when a concurrent writer of the same key had not committed at the statement's start: then both are read again.
    const id = recorded?.id ?? (await this.notifications().findOneBy(merchantId, { dedupeKey: input.dedupeKey }))!.id;
    const settings: Pick<NotificationSettings, 'email' | 'webhookUrl' | 'webhookSecret' | 'lowStockAlerts'> | null = recorded
      ? { email: recorded.email, webhookUrl: recorded.webhook_url, webhookSecret: recorded.webhook_secret, lowStockAlerts: recorded.low_stock_alerts ?? true }
      : await this.settingsRepo().findOneBy(merchantId, {});
    const webhook = settings?.webhookUrl && settings.webhookSecret ? { url: settings.webhookUrl, secret: settings.webhookSecret } : null;
    if ((!settings?.email && !webhook) || (input.type === 'inventory.low_stock' && !settings?.lowStockAlerts)) return { id };
    // The row is read whole only to deliver it.
    const notification = (await this.notifications().findOneBy(merchantId, { id }))!;

    if (settings?.email && notification.emailStatus !== 'delivered') {
      await this.email.send({ to: settings.email, subject: notification.title, text: notification.message });
      await this.dataSource.query(`UPDATE notifications SET email_status = 'delivered', email_sent_at = now(), updated_at = now() WHERE id = $1`, [notification.id]);
    }
    if (webhook && notification.webhookStatus !== 'delivered') {
      try {
        await this.postWebhook(webhook.url, webhook.secret, notification);
        await this.dataSource.query(
          `UPDATE notifications SET webhook_status = 'delivered', webhook_attempts = webhook_attempts + 1, webhook_delivered_at = now(), webhook_last_error = NULL, updated_at = now() WHERE id = $1`,
          [notification.id],
        );
      } catch (err) {
        const message = (err as Error).message.slice(0, 500);
        await this.dataSource.query(
          `UPDATE notifications SET webhook_status = $2, webhook_attempts = webhook_attempts + 1, webhook_last_error = $3, updated_at = now() WHERE id = $1`,
          [notification.id, options.finalAttempt ? 'failed' : 'pending', message],
        );
        this.logger.warn({ notification_id: notification.id, err: message }, 'Webhook delivery failed');
        throw err;
      }
    }
    return { id };
  }

  /** POSTs the notification as JSON, signed; any answer but 2xx (or a timeout) is a failure. Redirects are not followed. */
  private async postWebhook(url: string, secret: string, n: Notification): Promise<void> {
    const problem = webhookUrlProblem(url, this.config.isProductionLike);
    if (problem) throw new Error(`webhook_url ${problem}`);
    const body = JSON.stringify({ id: n.id, type: n.type, merchant_id: n.merchantId, created_at: n.createdAt.toISOString(), title: n.title, message: n.message, data: n.data });
    const response = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'commerce-backend-webhooks/1',
        'x-commerce-event': n.type,
        'x-commerce-delivery': n.id,
        [SIGNATURE_HEADER]: signWebhook(secret, body),
      },
      body,
    });
    await response.body?.cancel().catch(() => undefined);
    if (response.status < 200 || response.status >= 300) throw new Error(`webhook answered HTTP ${response.status}`);
  }

  async list(merchantId: string, filter: { type?: string }, page: PageRequest): Promise<Page<NotificationDto>> {
    const [rows, total] = await this.notifications().findAndCount(merchantId, {
      where: filter.type ? { type: filter.type } : {},
      order: { createdAt: 'DESC', id: 'DESC' },
      skip: page.offset,
      take: page.limit,
    });
    return toPage(rows.map(view), total, page);
  }

  async settings(merchantId: string): Promise<NotificationSettingsDto> {
    return settingsView(await this.settingsRepo().findOneBy(merchantId, {}));
  }

  /**
   * Partial update. A webhook URL needs a secret: the one given, the stored one, or a new one
   * generated here and shown in this response only (`webhook_secret`); it is never shown again.
   */
  async updateSettings(ctx: RequestContext, merchantId: string, input: UpdateNotificationSettingsDto): Promise<NotificationSettingsDto & { webhook_secret?: string }> {
    if (input.webhook_url) {
      const problem = webhookUrlProblem(input.webhook_url, this.config.isProductionLike);
      if (problem) throw new ValidationError(`webhook_url: ${problem}`, { webhook_url: [problem] });
    }
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`INSERT INTO notification_settings (merchant_id) VALUES ($1) ON CONFLICT (merchant_id) DO NOTHING`, [merchantId]);
      const repo = MerchantScopedRepository.for(manager, NotificationSettings);
      const row = (await manager.getRepository(NotificationSettings).findOne({ where: { merchantId }, lock: { mode: 'pessimistic_write' } }))!;
      const before = { ...row };
      let generated: string | undefined;
      if (input.webhook_url !== undefined) row.webhookUrl = input.webhook_url;
      if (input.webhook_secret !== undefined) row.webhookSecret = input.webhook_secret;
      if (input.email !== undefined) row.email = input.email;
      if (input.low_stock_alerts !== undefined) row.lowStockAlerts = input.low_stock_alerts;
      if (row.webhookUrl && !row.webhookSecret) {
        generated = `whsec_${randomBytes(24).toString('base64url')}`;
        row.webhookSecret = generated;
      }
      const saved = await repo.save(merchantId, row);
      const { createdAt: _c, updatedAt: _u, ...after } = saved;
      await this.audit.record(manager, ctx, { action: 'notification_settings.update', entityType: 'notification_settings', entityId: saved.id, merchantId, before, after });
      return { ...settingsView(saved), ...(generated ? { webhook_secret: generated } : {}) };
    });
  }
}
