export type MoneyErrorCode =
  | 'INVALID_AMOUNT'
  | 'TOO_MANY_DECIMALS'
  | 'NEGATIVE_AMOUNT'
  | 'ZERO_AMOUNT'
  | 'AMOUNT_TOO_LARGE'
  | 'UNKNOWN_CURRENCY'
  | 'CURRENCY_MISMATCH'
  | 'NOT_AN_INTEGER'
  | 'INVALID_RATIOS';

/**
 * Every money rule violation carries a stable `code` so HTTP filters can map it to a
 * 400 response and clients can branch on it without parsing the message.
 * Lives in its own module so currency.ts and money.ts can both use it without a cycle.
 */
export class MoneyError extends Error {
  override readonly name = 'MoneyError';

  constructor(
    readonly code: MoneyErrorCode,
    message: string,
  ) {
    super(message);
  }
}
