import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig, isUuid, NotFoundError, RequestContext, ValidationError } from '@app/common';
import { AuditService } from '../audit/audit.service';
import { MerchantPayoutsDto } from './dto/merchant-payouts.dto';
import { Merchant } from './entities/merchant.entity';
import { bpsToPercentage, percentageToBps, platformFeeBpsOf } from './merchant-payouts';

export interface PayoutSettingsChange {
  /** undefined: unchanged; null: disconnect. */
  connectedAccountId?: string | null;
  /** Admins only. undefined: unchanged; null: back to the default. */
  platformFeePercentage?: string | null;
}

/**
 * A store's payout settings: its connected Stripe account (the merchant's to set) and its platform
 * fee (an admin's). The payments module reads them when it opens a checkout and when a payment
 * succeeds (TransfersService).
 */
@Injectable()
export class MerchantPayoutsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  async get(merchantId: string): Promise<MerchantPayoutsDto> {
    const merchant = isUuid(merchantId) ? await this.dataSource.getRepository(Merchant).findOneBy({ id: merchantId }) : null;
    if (!merchant) throw new NotFoundError('Merchant', merchantId);
    return this.view(merchant);
  }

  async update(ctx: RequestContext, merchantId: string, change: PayoutSettingsChange): Promise<MerchantPayoutsDto> {
    let feeOverride: string | null | undefined;
    if (change.platformFeePercentage !== undefined && change.platformFeePercentage !== null) {
      try {
        feeOverride = bpsToPercentage(percentageToBps(change.platformFeePercentage));
      } catch (err) {
        throw new ValidationError(`platform_fee_percentage: ${(err as Error).message}`, { platform_fee_percentage: ['must be between 0 and 100 with at most two decimals'] });
      }
    } else {
      feeOverride = change.platformFeePercentage;
    }
    return this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(Merchant);
      const merchant = isUuid(merchantId) ? await repo.findOne({ where: { id: merchantId }, lock: { mode: 'pessimistic_write' } }) : null;
      if (!merchant) throw new NotFoundError('Merchant', merchantId);
      const before = { connected_account_id: merchant.connectedAccountId, platform_fee_percentage: merchant.platformFeePercentage };
      if (change.connectedAccountId !== undefined) merchant.connectedAccountId = change.connectedAccountId;
      if (feeOverride !== undefined) merchant.platformFeePercentage = feeOverride;
      await repo.update({ id: merchant.id }, { connectedAccountId: merchant.connectedAccountId, platformFeePercentage: merchant.platformFeePercentage });
      await this.audit.record(manager, ctx, {
        action: 'merchant.payouts.update',
        entityType: 'merchant',
        entityId: merchant.id,
        merchantId: merchant.id,
        before,
        after: { connected_account_id: merchant.connectedAccountId, platform_fee_percentage: merchant.platformFeePercentage },
      });
      return this.view(merchant);
    });
  }

  private view(merchant: Merchant): MerchantPayoutsDto {
    const defaultBps = percentageToBps(this.config.payments.platformFeePercentage.toFixed(2));
    return {
      merchant_id: merchant.id,
      connected_account_id: merchant.connectedAccountId,
      payouts_enabled: merchant.connectedAccountId !== null,
      platform_fee_percentage: bpsToPercentage(platformFeeBpsOf(merchant, this.config.payments.platformFeePercentage)),
      platform_fee_percentage_override: merchant.platformFeePercentage === null ? null : bpsToPercentage(percentageToBps(merchant.platformFeePercentage)),
      default_platform_fee_percentage: bpsToPercentage(defaultBps),
      transfer_delay_days: this.config.payments.transferDelayDays,
    };
  }
}
