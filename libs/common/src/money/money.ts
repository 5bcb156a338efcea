import { currencyExponent, normalizeCurrency } from './currency';
import { MoneyError } from './money-error';

export { MoneyError, type MoneyErrorCode } from './money-error';

/**
 * A sane maximum: 1e14 minor units (a trillion dollars) is far beyond any order we take,
 * and stays so far inside Number.MAX_SAFE_INTEGER (~9e15) that sums of a few amounts
 * are still exact before the range check rejects them.
 */
export const MAX_MINOR_UNITS = 100_000_000_000_000;

const MAX_MINOR_UNITS_BIG = BigInt(MAX_MINOR_UNITS);
// Any digit string at most this long is below 1e15 < 2^53, so Number() converts it exactly.
const MAX_DIGITS = String(MAX_MINOR_UNITS).length;
const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;
const INTEGER = /^-?\d+$/;

export type Rounding = 'half-even' | 'half-up';

export interface ParseMoneyOptions {
  allowNegative?: boolean;
  /** Defaults to true. */
  allowZero?: boolean;
  /** Upper bound of the absolute value, in minor units; never above MAX_MINOR_UNITS. */
  max?: number;
}

export interface MoneyJSON {
  amount: string;
  currency: string;
}

/** Immutable amount in integer minor units of an ISO 4217 currency. */
export class Money {
  private constructor(
    readonly amount: number,
    readonly currency: string,
  ) {
    Object.freeze(this);
  }

  /** From minor units; strings are accepted because pg returns int8 columns as strings. */
  static of(minor: number | bigint | string, currency: string): Money {
    return new Money(toMinorUnits(minor), normalizeCurrency(currency));
  }

  static zero(currency: string): Money {
    return new Money(0, normalizeCurrency(currency));
  }

  /** From a request value in major units: a decimal string ("29.99") or a JS number (29.99). */
  static parse(input: unknown, currency: string, opts: ParseMoneyOptions = {}): Money {
    const code = normalizeCurrency(currency);
    return new Money(parseMinor(input, code, opts), code);
  }

  add(other: Money): Money {
    this.assertSameCurrency(other);
    return this.withAmount(this.amount + other.amount);
  }

  subtract(other: Money): Money {
    this.assertSameCurrency(other);
    return this.withAmount(this.amount - other.amount);
  }

  /** Quantities only: a fractional factor would need a rounding decision, see percentage(). */
  multiply(quantity: number): Money {
    if (!Number.isInteger(quantity)) {
      throw new MoneyError('NOT_AN_INTEGER', `Quantity must be an integer, got ${quantity}`);
    }
    // The float product is exact while the true product fits in 2^53; past that it
    // rounds to something >= 2^53, which the range check rejects anyway.
    return this.withAmount(this.amount * quantity);
  }

  /**
   * Splits into parts proportional to `ratios` (largest-remainder method) that always sum
   * to this amount exactly. Ratios must be non-negative integers (e.g. basis points):
   * fractional ratios would bring float rounding back into money.
   */
  allocate(ratios: readonly number[]): Money[] {
    if (!Array.isArray(ratios) || ratios.length === 0 || !ratios.every((r) => Number.isSafeInteger(r) && r >= 0)) {
      throw new MoneyError('INVALID_RATIOS', 'Ratios must be a non-empty list of non-negative integers');
    }
    const total = ratios.reduce((sum, r) => sum + BigInt(r), 0n);
    if (total === 0n) {
      throw new MoneyError('INVALID_RATIOS', 'At least one ratio must be positive');
    }

    // Split the magnitude and re-apply the sign, so a refund splits as the mirror image of the charge.
    const magnitude = BigInt(Math.abs(this.amount));
    const parts = ratios.map((ratio, index) => {
      const exact = magnitude * BigInt(ratio);
      return { index, share: exact / total, remainder: exact % total };
    });
    const leftover = Number(magnitude - parts.reduce((sum, p) => sum + p.share, 0n));
    // Fewer units are left over than there are non-zero remainders, so one pass suffices;
    // ties go to the earlier part to keep the result deterministic.
    const byRemainder = [...parts].sort((a, b) =>
      a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1,
    );
    for (let i = 0; i < leftover; i++) byRemainder[i].share += 1n;

    const sign = this.amount < 0 ? -1 : 1;
    return parts.map((p) => this.withAmount(sign * Number(p.share)));
  }

  /**
   * `basisPoints`/10000 of this amount (250 = 2.5 %), rounded to a minor unit.
   * 'half-even' (banker's) avoids a systematic upward bias over many fees; 'half-up'
   * rounds ties away from zero, so a negative amount mirrors the positive one.
   */
  percentage(basisPoints: number, rounding: Rounding = 'half-even'): Money {
    if (!Number.isInteger(basisPoints)) {
      throw new MoneyError('NOT_AN_INTEGER', `Basis points must be an integer, got ${basisPoints}`);
    }
    if (rounding !== 'half-even' && rounding !== 'half-up') {
      throw new RangeError(`Unknown rounding mode: ${String(rounding)}`);
    }
    const scaled = BigInt(this.amount) * BigInt(basisPoints);
    return this.withAmount(Number(divideRounded(scaled, 10_000n, rounding)));
  }

  negate(): Money {
    return this.withAmount(-this.amount);
  }

  isZero(): boolean {
    return this.amount === 0;
  }

  isNegative(): boolean {
    return this.amount < 0;
  }

  isPositive(): boolean {
    return this.amount > 0;
  }

  compare(other: Money): -1 | 0 | 1 {
    this.assertSameCurrency(other);
    return this.amount < other.amount ? -1 : this.amount > other.amount ? 1 : 0;
  }

  /** Throws on a currency mismatch instead of answering false: comparing USD with EUR is a bug. */
  equals(other: Money): boolean {
    return this.compare(other) === 0;
  }

  lessThan(other: Money): boolean {
    return this.compare(other) < 0;
  }

  lessThanOrEqual(other: Money): boolean {
    return this.compare(other) <= 0;
  }

  greaterThan(other: Money): boolean {
    return this.compare(other) > 0;
  }

  greaterThanOrEqual(other: Money): boolean {
    return this.compare(other) >= 0;
  }

  /** "99.00", "-0.50", JPY "3000", KWD "1.500". */
  toDecimalString(): string {
    return formatDigits(this.amount, currencyExponent(this.currency));
  }

  toJSON(): MoneyJSON {
    return { amount: this.toDecimalString(), currency: this.currency };
  }

  toString(): string {
    return `${this.toDecimalString()} ${this.currency}`;
  }

  private withAmount(amount: number): Money {
    return new Money(checkRange(amount), this.currency);
  }

  private assertSameCurrency(other: Money): void {
    if (other.currency !== this.currency) {
      throw new MoneyError('CURRENCY_MISMATCH', `Cannot combine ${this.currency} with ${other.currency}`);
    }
  }
}

/** Minor units as a decimal string in major units, e.g. formatMinor(150, 'USD') === "1.50". */
export function formatMinor(minor: number, currency: string): string {
  if (!Number.isSafeInteger(minor)) {
    throw new MoneyError('NOT_AN_INTEGER', `Minor units must be a safe integer, got ${minor}`);
  }
  return formatDigits(minor, currencyExponent(normalizeCurrency(currency)));
}

/** Same rules as Money.parse, returning minor units. */
export function parseMoney(input: unknown, currency: string, opts: ParseMoneyOptions = {}): number {
  return parseMinor(input, normalizeCurrency(currency), opts);
}

function parseMinor(input: unknown, currency: string, opts: ParseMoneyOptions): number {
  const max = resolveMax(opts.max);
  const text = toDecimalText(input);
  const match = DECIMAL.exec(text);
  if (!match) {
    throw new MoneyError('INVALID_AMOUNT', `Invalid amount ${describe(text)}: expected a decimal like "29.99"`);
  }
  const [, sign, whole, fraction = ''] = match;
  const exponent = currencyExponent(currency);
  // Strict even about trailing zeros ("1.500" USD): an extra digit usually means the
  // client has the wrong currency or unit in mind.
  if (fraction.length > exponent) {
    throw new MoneyError(
      'TOO_MANY_DECIMALS',
      `Amount ${describe(text)} has more decimals than ${currency} allows (${exponent})`,
    );
  }

  // Shifting the decimal point by string concatenation is what keeps floats out of it.
  const digits = (whole + fraction.padEnd(exponent, '0')).replace(/^0+(?=\d)/, '');
  const magnitude = digits.length > MAX_DIGITS ? Infinity : Number(digits);
  if (magnitude > max) {
    throw new MoneyError(
      'AMOUNT_TOO_LARGE',
      `Amount ${describe(text)} exceeds the maximum of ${formatDigits(max, exponent)} ${currency}`,
    );
  }
  if (magnitude === 0) {
    if (opts.allowZero === false) throw new MoneyError('ZERO_AMOUNT', 'Amount must not be zero');
    return 0; // "-0.00" is zero, not negative
  }
  if (sign && !opts.allowNegative) {
    throw new MoneyError('NEGATIVE_AMOUNT', `Amount ${describe(text)} must not be negative`);
  }
  return sign ? -magnitude : magnitude;
}

function toDecimalText(input: unknown): string {
  if (typeof input === 'string') return input.trim();
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) {
      throw new MoneyError('INVALID_AMOUNT', `Invalid amount: ${input}`);
    }
    // String() yields the shortest decimal that round-trips, so 29.99 reads as "29.99"
    // rather than 29.989999999999998..., and 0.1 + 0.2 shows its true extra digits.
    const text = String(input);
    // Exponent notation only appears outside [1e-6, 1e21): beyond the maximum, or finer
    // than any currency's minor unit.
    if (text.includes('e')) {
      throw Math.abs(input) >= 1
        ? new MoneyError('AMOUNT_TOO_LARGE', `Amount ${text} exceeds the maximum`)
        : new MoneyError('TOO_MANY_DECIMALS', `Amount ${text} has more decimals than any currency allows`);
    }
    return text;
  }
  throw new MoneyError('INVALID_AMOUNT', `Amount must be a decimal string or a number, got ${typeof input}`);
}

function resolveMax(max: number | undefined): number {
  if (max === undefined) return MAX_MINOR_UNITS;
  if (!Number.isSafeInteger(max) || max < 0) {
    throw new RangeError(`max must be a non-negative safe integer (minor units), got ${max}`);
  }
  return Math.min(max, MAX_MINOR_UNITS);
}

function toMinorUnits(value: unknown): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new MoneyError('INVALID_AMOUNT', `Invalid minor units: ${value}`);
    if (!Number.isInteger(value)) throw new MoneyError('NOT_AN_INTEGER', `Minor units must be an integer, got ${value}`);
    return checkRange(value);
  }
  if (typeof value === 'bigint') {
    if (value > MAX_MINOR_UNITS_BIG || value < -MAX_MINOR_UNITS_BIG) throw tooLarge(value);
    return Number(value) + 0;
  }
  if (typeof value === 'string') {
    if (!INTEGER.test(value)) {
      throw new MoneyError('NOT_AN_INTEGER', `Minor units must be an integer, got ${describe(value)}`);
    }
    // Through BigInt, since Number() would silently round an out-of-range int8.
    return toMinorUnits(BigInt(value));
  }
  throw new MoneyError('INVALID_AMOUNT', `Minor units must be a number, bigint or integer string, got ${typeof value}`);
}

function checkRange(amount: number): number {
  if (!(Math.abs(amount) <= MAX_MINOR_UNITS)) throw tooLarge(amount);
  return amount + 0; // -0 → 0, so formatting and equality never meet a negative zero
}

function tooLarge(amount: number | bigint): MoneyError {
  return new MoneyError('AMOUNT_TOO_LARGE', `Amount of ${amount} minor units exceeds the maximum of ${MAX_MINOR_UNITS}`);
}

function formatDigits(minor: number, exponent: number): string {
  const sign = minor < 0 ? '-' : '';
  const digits = String(Math.abs(minor));
  if (exponent === 0) return sign + digits;
  const padded = digits.padStart(exponent + 1, '0');
  return `${sign}${padded.slice(0, -exponent)}.${padded.slice(-exponent)}`;
}

/** n / d rounded to an integer, for d > 0. */
function divideRounded(n: bigint, d: bigint, rounding: Rounding): bigint {
  const quotient = n / d; // BigInt division truncates toward zero
  const remainder = n % d;
  const twice = 2n * (remainder < 0n ? -remainder : remainder);
  if (twice < d) return quotient;
  const awayFromZero = n < 0n ? quotient - 1n : quotient + 1n;
  if (twice > d || rounding === 'half-up') return awayFromZero;
  return quotient % 2n === 0n ? quotient : awayFromZero;
}

/** Quotes user input for error messages without letting a huge payload into them. */
function describe(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}
