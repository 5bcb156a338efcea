import { MoneyError } from './money-error';

/**
 * ISO 4217 minor-unit exponents that differ from the default of 2.
 * Deliberately not Intl's `maximumFractionDigits`: CLDR reports what is used in cash
 * (HUF 2 → 0, IDR 2 → 0, ...), whereas payment providers and our stored minor units
 * follow ISO.
 */
const EXPONENTS: ReadonlyMap<string, number> = new Map([
  ...['BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF'].map(
    (code) => [code, 0] as const,
  ),
  ...['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'].map((code) => [code, 3] as const),
  ...['CLF', 'UYW'].map((code) => [code, 4] as const),
]);

/** Codes ISO lists that are not money anyone should be charged in. */
const EXCLUDED = new Set(['XXX', 'XTS', 'XAU', 'XAG', 'XPT', 'XPD']);

let known: ReadonlySet<string> | undefined;

function knownCurrencies(): ReadonlySet<string> {
  // ICU's list omits some funds codes (CLF, UYI, UYW in Node 20), yet those are real ISO
  // codes with their own exponent, so everything in our table counts as known too.
  known ??= new Set(
    [...Intl.supportedValuesOf('currency'), ...EXPONENTS.keys()].filter((code) => !EXCLUDED.has(code)),
  );
  return known;
}

export function isCurrencyCode(code: unknown): code is string {
  return typeof code === 'string' && /^[A-Z]{3}$/.test(code) && knownCurrencies().has(code);
}

/** Number of decimal places of the currency's minor unit (JPY 0, USD 2, KWD 3, CLF 4). */
export function currencyExponent(code: string): number {
  return EXPONENTS.get(code) ?? 2;
}

/** Accepts user/provider spellings such as " usd " and returns the canonical code. */
export function normalizeCurrency(code: string): string {
  const normalized = typeof code === 'string' ? code.trim().toUpperCase() : '';
  if (!isCurrencyCode(normalized)) {
    throw new MoneyError('UNKNOWN_CURRENCY', `Unknown currency: ${JSON.stringify(code)}`);
  }
  return normalized;
}
