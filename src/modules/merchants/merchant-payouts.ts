import type { Merchant } from './entities/merchant.entity';

/** A Stripe connected account id. */
export const CONNECTED_ACCOUNT_ID = /^acct_[A-Za-z0-9]{1,250}$/;

/** A percentage with at most two decimals, as the API takes it ("12.5", "10.00", 7). */
export const PERCENTAGE = /^\d{1,3}(\.\d{1,2})?$/;

/**
 * "12.50" (or 12.5) → 1250 basis points, by string arithmetic so no float rounding is involved.
 * Throws on anything that is not 0–100 with at most two decimals.
 */
export function percentageToBps(percentage: string | number): number {
  const text = String(percentage).trim();
  const match = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) throw new RangeError(`Not a percentage with at most two decimals: ${text}`);
  const bps = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  if (bps > 10_000) throw new RangeError(`A percentage cannot exceed 100: ${text}`);
  return bps;
}

/** 1250 → "12.50". */
export function bpsToPercentage(bps: number): string {
  return `${Math.floor(bps / 100)}.${String(bps % 100).padStart(2, '0')}`;
}

/** The fee rate that applies to a merchant's sales: its own, or the configured default. */
export function platformFeeBpsOf(merchant: Pick<Merchant, 'platformFeePercentage'> | null, defaultPercentage: number): number {
  return percentageToBps(merchant?.platformFeePercentage ?? defaultPercentage.toFixed(2));
}
