export { currencyExponent, isCurrencyCode, normalizeCurrency } from './currency';
export { MoneyError, type MoneyErrorCode } from './money-error';
export {
  MAX_MINOR_UNITS,
  Money,
  formatMinor,
  parseMoney,
  type MoneyJSON,
  type ParseMoneyOptions,
  type Rounding,
} from './money';
export { minorUnitsTransformer } from './money.transformer';
