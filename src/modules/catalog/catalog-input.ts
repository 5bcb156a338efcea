import { MoneyError, parseMoney, ValidationError } from '@app/common';

/** A money field of a request in minor units, or a 422 naming the field (e.g. "price: has more decimals than USD allows"). */
export function moneyField(value: unknown, currency: string, field: string, options: { allowZero?: boolean } = {}): number {
  try {
    return parseMoney(value, currency, { allowNegative: false, allowZero: options.allowZero ?? true });
  } catch (err) {
    if (err instanceof MoneyError) throw new ValidationError(`${field}: ${err.message}`, { [field]: [err.message] });
    throw err;
  }
}

/** kg (up to 3 decimals) → integer grams; cm (up to 1 decimal) → integer millimetres. */
export function scaledInteger(value: number | null | undefined, factor: number, field: string): number | null | undefined {
  if (value === undefined || value === null) return value;
  const scaled = Math.round(value * factor);
  if (!Number.isFinite(value) || value < 0 || Math.abs(scaled - value * factor) > 1e-6 || scaled > 2_000_000_000) {
    const decimals = Math.log10(factor);
    throw new ValidationError(`${field}: must be a non-negative number with at most ${decimals} decimals`, { [field]: ['is not a valid measure'] });
  }
  return scaled;
}

export const fromScaled = (value: number | null, factor: number): number | null => (value === null ? null : value / factor);

/** Lower-case, trimmed, de-duplicated tags. */
export function normalizeTags(tags: string[] | undefined): string[] | undefined {
  if (!tags) return tags;
  return [...new Set(tags.map((t) => t.trim().toLowerCase()).filter(Boolean))];
}
