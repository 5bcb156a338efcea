import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { formatMinor, MerchantScopedRepository, RequestContext } from '@app/common';
import { AuditService } from '../audit/audit.service';
import { moneyField } from '../catalog/catalog-input';
import { CheckoutSettingsDto, CurrencyAmountDto, UpdateCheckoutSettingsDto } from './dto/checkout.dto';
import { CheckoutSettings } from './entities/checkout.entities';

/** "19.5" → 1950 basis points (the DTO already checked the shape). */
const toBps = (percent: string): number => Math.round(Number(percent) * 100);
const toPercent = (bps: number): string => (bps / 100).toFixed(2);

function amountsByCurrency(entries: CurrencyAmountDto[], field: string): Record<string, number> {
  return Object.fromEntries(entries.map((e, i) => [e.currency, moneyField(e.amount, e.currency, `${field}.${i}.amount`)]));
}

const amountsView = (amounts: Record<string, number>) =>
  Object.entries(amounts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, minor]) => ({ currency, amount: formatMinor(minor, currency) }));

/** The merchant's checkout policy: flat shipping per currency, free-shipping thresholds, tax rates. */
@Injectable()
export class CheckoutSettingsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async get(merchantId: string): Promise<CheckoutSettingsDto> {
    const settings = await MerchantScopedRepository.for(this.dataSource.manager, CheckoutSettings).findOneBy(merchantId, {});
    return this.view(merchantId, settings);
  }

  async update(ctx: RequestContext, merchantId: string, input: UpdateCheckoutSettingsDto): Promise<CheckoutSettingsDto> {
    const changes: Partial<CheckoutSettings> = {};
    if (input.flat_shipping_rates) changes.flatShippingRates = amountsByCurrency(input.flat_shipping_rates, 'flat_shipping_rates');
    if (input.free_shipping_thresholds) changes.freeShippingThresholds = amountsByCurrency(input.free_shipping_thresholds, 'free_shipping_thresholds');
    if (input.prices_include_tax !== undefined) changes.pricesIncludeTax = input.prices_include_tax;
    if (input.default_tax_rate !== undefined) changes.defaultTaxRateBps = toBps(input.default_tax_rate);
    if (input.tax_rates) changes.taxRates = Object.fromEntries(input.tax_rates.map((r) => [r.country_code, toBps(r.rate)]));
    if (input.tax_shipping !== undefined) changes.taxShipping = input.tax_shipping;
    return this.dataSource.transaction(async (manager) => {
      const repo = MerchantScopedRepository.for(manager, CheckoutSettings);
      await manager.query(`INSERT INTO checkout_settings (merchant_id) VALUES ($1) ON CONFLICT (merchant_id) DO NOTHING`, [merchantId]);
      const before = (await repo.findOneBy(merchantId, {}))!;
      await manager.update(CheckoutSettings, { id: before.id, merchantId }, changes);
      const after = (await repo.findOneBy(merchantId, {}))!;
      await this.audit.record(manager, ctx, { action: 'checkout_settings.update', entityType: 'checkout_settings', entityId: after.id, merchantId, before: { ...before }, after: { ...after } });
      return this.view(merchantId, after);
    });
  }

  private view(merchantId: string, s: CheckoutSettings | null): CheckoutSettingsDto {
    return {
      merchant_id: merchantId,
      flat_shipping_rates: amountsView(s?.flatShippingRates ?? {}),
      free_shipping_thresholds: amountsView(s?.freeShippingThresholds ?? {}),
      prices_include_tax: s?.pricesIncludeTax ?? false,
      default_tax_rate: toPercent(s?.defaultTaxRateBps ?? 0),
      tax_rates: Object.entries(s?.taxRates ?? {})
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([country_code, bps]) => ({ country_code, rate: toPercent(bps) })),
      tax_shipping: s?.taxShipping ?? true,
    };
  }
}
