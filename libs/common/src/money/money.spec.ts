import fc from 'fast-check';
import {
  MAX_MINOR_UNITS,
  Money,
  MoneyError,
  currencyExponent,
  formatMinor,
  isCurrencyCode,
  normalizeCurrency,
  parseMoney,
  type MoneyErrorCode,
} from './index';

function errorCode(fn: () => unknown): MoneyErrorCode | 'NO_ERROR' | 'NOT_A_MONEY_ERROR' {
  try {
    fn();
    return 'NO_ERROR';
  } catch (e) {
    return e instanceof MoneyError ? e.code : 'NOT_A_MONEY_ERROR';
  }
}

const usd = (minor: number) => Money.of(minor, 'USD');

// One or more currencies for every exponent, including HUF (ISO 2, CLDR 0).
const CURRENCIES = ['JPY', 'KRW', 'CLP', 'USD', 'EUR', 'HUF', 'IDR', 'KWD', 'BHD', 'TND', 'CLF', 'UYW'] as const;
const MAX_BIG = BigInt(MAX_MINOR_UNITS);

const minorUnits = (max = MAX_MINOR_UNITS) =>
  fc.oneof(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.bigInt({ min: -BigInt(max), max: BigInt(max) }).map(Number));
const currency = fc.constantFrom(...CURRENCIES);

// Independent of the implementation: floor division, then decide the tie.
function roundedReference(n: bigint, d: bigint, mode: 'half-even' | 'half-up'): bigint {
  let q = n / d;
  if (n % d !== 0n && n < 0n) q -= 1n; // floor
  const r = n - q * d; // 0 <= r < d
  if (2n * r < d) return q;
  if (2n * r > d) return q + 1n;
  if (mode === 'half-even') return q % 2n === 0n ? q : q + 1n;
  return n < 0n ? q : q + 1n; // tie: away from zero
}

describe('currency', () => {
  it.each([
    ['JPY', 0],
    ['KRW', 0],
    ['VND', 0],
    ['XOF', 0],
    ['UYI', 0],
    ['USD', 2],
    ['EUR', 2],
    ['HUF', 2],
    ['IDR', 2],
    ['TWD', 2],
    ['KWD', 3],
    ['BHD', 3],
    ['JOD', 3],
    ['TND', 3],
    ['CLF', 4],
    ['UYW', 4],
  ])('%s has ISO exponent %i', (code, exponent) => {
    expect(currencyExponent(code)).toBe(exponent);
  });

  it('recognises real upper-case ISO codes only', () => {
    for (const code of ['USD', 'EUR', 'JPY', 'KWD', 'HUF', 'CLF', 'UYW', 'UYI', 'XOF', 'CHF']) {
      expect(isCurrencyCode(code)).toBe(true);
    }
    for (const code of ['usd', 'Usd', ' USD', 'US', 'USDT', 'ABC', 'BTC', '', 'XXX', 'XTS', 'XAU', 'XAG', 'XPT', 'XPD']) {
      expect(isCurrencyCode(code)).toBe(false);
    }
    expect(isCurrencyCode(undefined)).toBe(false);
    expect(isCurrencyCode(840)).toBe(false);
  });

  it('normalizes case and whitespace, and rejects unknown codes', () => {
    expect(normalizeCurrency(' usd ')).toBe('USD');
    expect(normalizeCurrency('kwd')).toBe('KWD');
    for (const code of ['ABC', 'XXX', 'XAU', '', 'US D', 'dollars']) {
      expect(errorCode(() => normalizeCurrency(code))).toBe('UNKNOWN_CURRENCY');
    }
    expect(errorCode(() => normalizeCurrency(null as unknown as string))).toBe('UNKNOWN_CURRENCY');
  });
});

describe('MoneyError', () => {
  it('is an Error with a code', () => {
    const error = new MoneyError('INVALID_AMOUNT', 'nope');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('MoneyError');
    expect(error.code).toBe('INVALID_AMOUNT');
    expect(error.message).toBe('nope');
  });
});

describe('Money.of', () => {
  it('takes minor units as number, bigint or int8 string', () => {
    expect(Money.of(2999, 'USD').amount).toBe(2999);
    expect(Money.of(2999n, 'USD').amount).toBe(2999);
    expect(Money.of('2999', 'USD').amount).toBe(2999);
    expect(Money.of('-50', 'USD').amount).toBe(-50);
    expect(Money.of(MAX_MINOR_UNITS, 'USD').amount).toBe(MAX_MINOR_UNITS);
    expect(Money.of(-MAX_MINOR_UNITS, 'USD').amount).toBe(-MAX_MINOR_UNITS);
    expect(Money.of(String(MAX_MINOR_UNITS), 'USD').amount).toBe(MAX_MINOR_UNITS);
  });

  it('normalizes the currency', () => {
    expect(Money.of(1, ' eur ').currency).toBe('EUR');
    expect(errorCode(() => Money.of(1, 'ABC'))).toBe('UNKNOWN_CURRENCY');
  });

  it('never stores a negative zero', () => {
    expect(Object.is(Money.of(-0, 'USD').amount, 0)).toBe(true);
    expect(Object.is(Money.of('-0', 'USD').amount, 0)).toBe(true);
  });

  it('rejects non-integers and out-of-range values', () => {
    expect(errorCode(() => usd(1.5))).toBe('NOT_AN_INTEGER');
    expect(errorCode(() => Money.of('1.5', 'USD'))).toBe('NOT_AN_INTEGER');
    expect(errorCode(() => Money.of('', 'USD'))).toBe('NOT_AN_INTEGER');
    expect(errorCode(() => Money.of(' 1', 'USD'))).toBe('NOT_AN_INTEGER');
    expect(errorCode(() => Money.of('1e3', 'USD'))).toBe('NOT_AN_INTEGER');
    expect(errorCode(() => usd(NaN))).toBe('INVALID_AMOUNT');
    expect(errorCode(() => usd(Infinity))).toBe('INVALID_AMOUNT');
    expect(errorCode(() => Money.of(null as unknown as number, 'USD'))).toBe('INVALID_AMOUNT');
    expect(errorCode(() => usd(MAX_MINOR_UNITS + 1))).toBe('AMOUNT_TOO_LARGE');
    expect(errorCode(() => usd(-MAX_MINOR_UNITS - 1))).toBe('AMOUNT_TOO_LARGE');
    expect(errorCode(() => usd(Number.MAX_SAFE_INTEGER))).toBe('AMOUNT_TOO_LARGE');
    expect(errorCode(() => usd(1e300))).toBe('AMOUNT_TOO_LARGE');
    expect(errorCode(() => Money.of(MAX_BIG + 1n, 'USD'))).toBe('AMOUNT_TOO_LARGE');
    // Number('9223372036854775807') would round silently; it must be refused instead.
    expect(errorCode(() => Money.of('9223372036854775807', 'USD'))).toBe('AMOUNT_TOO_LARGE');
  });

  it('keeps the maximum far inside the safe integer range', () => {
    expect(MAX_MINOR_UNITS).toBe(1e14);
    expect(Number.isSafeInteger(MAX_MINOR_UNITS * 4)).toBe(true);
  });

  it('zero() is zero in the given currency', () => {
    const zero = Money.zero('jpy');
    expect(zero.amount).toBe(0);
    expect(zero.currency).toBe('JPY');
    expect(zero.isZero()).toBe(true);
  });

  it('is immutable', () => {
    const money = usd(100);
    expect(Object.isFrozen(money)).toBe(true);
    expect(() => {
      (money as { amount: number }).amount = 5;
    }).toThrow(TypeError);
    money.add(usd(1));
    expect(money.amount).toBe(100);
  });
});

describe('parsing', () => {
  it.each<[unknown, string, number]>([
    ['29.99', 'USD', 2999],
    ['29.9', 'USD', 2990],
    ['29', 'USD', 2900],
    ['0.5', 'USD', 50],
    ['0.05', 'USD', 5],
    ['0', 'USD', 0],
    ['0.00', 'USD', 0],
    ['  29.99\n', 'USD', 2999],
    ['007.50', 'USD', 750],
    [29.99, 'USD', 2999],
    [30, 'USD', 3000],
    [0.1, 'USD', 10],
    [1.15, 'USD', 115],
    [4.35, 'USD', 435], // 4.35 * 100 === 434.99999999999994 in floats
    [1.005, 'KWD', 1005],
    ['3000', 'JPY', 3000],
    [3000, 'JPY', 3000],
    ['1.5', 'KWD', 1500],
    ['1.500', 'KWD', 1500],
    ['1.001', 'KWD', 1001],
    ['1.05', 'HUF', 105],
    ['1.05', 'IDR', 105],
    ['0.0001', 'CLF', 1],
    ['1.2345', 'UYW', 12345],
    ['29.99', 'usd', 2999],
  ])('parses %p %s as %i minor units', (input, code, minor) => {
    expect(parseMoney(input, code)).toBe(minor);
    const money = Money.parse(input, code);
    expect(money.amount).toBe(minor);
    expect(money.currency).toBe(code.toUpperCase());
  });

  it.each<[unknown, string, MoneyErrorCode]>([
    ['', 'USD', 'INVALID_AMOUNT'],
    ['   ', 'USD', 'INVALID_AMOUNT'],
    ['abc', 'USD', 'INVALID_AMOUNT'],
    ['1e5', 'USD', 'INVALID_AMOUNT'],
    ['1E5', 'USD', 'INVALID_AMOUNT'],
    ['1,000', 'USD', 'INVALID_AMOUNT'],
    ['1,50', 'USD', 'INVALID_AMOUNT'],
    ['1 000', 'USD', 'INVALID_AMOUNT'],
    ['+1', 'USD', 'INVALID_AMOUNT'],
    ['.5', 'USD', 'INVALID_AMOUNT'],
    ['5.', 'USD', 'INVALID_AMOUNT'],
    ['-.5', 'USD', 'INVALID_AMOUNT'],
    ['--1', 'USD', 'INVALID_AMOUNT'],
    ['- 1', 'USD', 'INVALID_AMOUNT'],
    ['0x10', 'USD', 'INVALID_AMOUNT'],
    ['0b1', 'USD', 'INVALID_AMOUNT'],
    ['1_000', 'USD', 'INVALID_AMOUNT'],
    ['Infinity', 'USD', 'INVALID_AMOUNT'],
    ['NaN', 'USD', 'INVALID_AMOUNT'],
    ['$5', 'USD', 'INVALID_AMOUNT'],
    ['5 USD', 'USD', 'INVALID_AMOUNT'],
    ['١٢', 'USD', 'INVALID_AMOUNT'], // Arabic-Indic digits
    ['１２', 'USD', 'INVALID_AMOUNT'], // full-width digits
    [NaN, 'USD', 'INVALID_AMOUNT'],
    [Infinity, 'USD', 'INVALID_AMOUNT'],
    [-Infinity, 'USD', 'INVALID_AMOUNT'],
    [null, 'USD', 'INVALID_AMOUNT'],
    [undefined, 'USD', 'INVALID_AMOUNT'],
    [true, 'USD', 'INVALID_AMOUNT'],
    [5n, 'USD', 'INVALID_AMOUNT'],
    [{ amount: '5' }, 'USD', 'INVALID_AMOUNT'],
    [['5'], 'USD', 'INVALID_AMOUNT'],
    ['1.001', 'USD', 'TOO_MANY_DECIMALS'],
    ['1.500', 'USD', 'TOO_MANY_DECIMALS'],
    ['1.00', 'JPY', 'TOO_MANY_DECIMALS'],
    ['1.5', 'JPY', 'TOO_MANY_DECIMALS'],
    ['1.0001', 'KWD', 'TOO_MANY_DECIMALS'],
    ['1.00001', 'CLF', 'TOO_MANY_DECIMALS'],
    [0.1 + 0.2, 'USD', 'TOO_MANY_DECIMALS'],
    [1.001, 'USD', 'TOO_MANY_DECIMALS'],
    [1.5, 'JPY', 'TOO_MANY_DECIMALS'],
    [1e-7, 'USD', 'TOO_MANY_DECIMALS'],
    ['-1', 'USD', 'NEGATIVE_AMOUNT'],
    ['-0.01', 'USD', 'NEGATIVE_AMOUNT'],
    [-5, 'USD', 'NEGATIVE_AMOUNT'],
    ['1000000000000.01', 'USD', 'AMOUNT_TOO_LARGE'],
    ['100000000000001', 'JPY', 'AMOUNT_TOO_LARGE'],
    ['99999999999999999999999999', 'USD', 'AMOUNT_TOO_LARGE'],
    [1e21, 'USD', 'AMOUNT_TOO_LARGE'],
    [Number.MAX_SAFE_INTEGER, 'USD', 'AMOUNT_TOO_LARGE'],
    ['1', 'ABC', 'UNKNOWN_CURRENCY'],
    ['1', 'XXX', 'UNKNOWN_CURRENCY'],
  ])('rejects %p %s with %s', (input, code, expected) => {
    expect(errorCode(() => parseMoney(input, code))).toBe(expected);
    expect(errorCode(() => Money.parse(input, code))).toBe(expected);
  });

  it('accepts exactly the maximum and nothing above it', () => {
    expect(parseMoney('1000000000000.00', 'USD')).toBe(MAX_MINOR_UNITS);
    expect(parseMoney('0001000000000000.00', 'USD')).toBe(MAX_MINOR_UNITS);
    expect(parseMoney('100000000000000', 'JPY')).toBe(MAX_MINOR_UNITS);
    expect(parseMoney('100000000000.000', 'KWD')).toBe(MAX_MINOR_UNITS);
    expect(parseMoney(1e12, 'USD')).toBe(MAX_MINOR_UNITS);
    expect(errorCode(() => parseMoney('100000000000.001', 'KWD'))).toBe('AMOUNT_TOO_LARGE');
    expect(errorCode(() => parseMoney('-1000000000000.01', 'USD', { allowNegative: true }))).toBe('AMOUNT_TOO_LARGE');
  });

  it('handles large values exactly', () => {
    expect(parseMoney('999999999999.99', 'USD')).toBe(99_999_999_999_999);
    expect(parseMoney(999999999999.99, 'USD')).toBe(99_999_999_999_999);
    expect(parseMoney('9876543210.1234', 'CLF')).toBe(98_765_432_101_234);
    expect(Money.of(99_999_999_999_999, 'USD').toDecimalString()).toBe('999999999999.99');
  });

  it('allows negatives only when asked', () => {
    expect(parseMoney('-29.99', 'USD', { allowNegative: true })).toBe(-2999);
    expect(parseMoney(-0.5, 'USD', { allowNegative: true })).toBe(-50);
    expect(Money.parse('-3000', 'JPY', { allowNegative: true }).amount).toBe(-3000);
  });

  it('treats negative zero as zero, not as negative', () => {
    expect(Object.is(parseMoney('-0.00', 'USD'), 0)).toBe(true);
    expect(Object.is(parseMoney(-0, 'USD'), 0)).toBe(true);
    expect(errorCode(() => parseMoney('-0', 'USD', { allowZero: false }))).toBe('ZERO_AMOUNT');
  });

  it('rejects zero when allowZero is false', () => {
    expect(parseMoney('0', 'USD')).toBe(0);
    expect(errorCode(() => parseMoney('0.00', 'USD', { allowZero: false }))).toBe('ZERO_AMOUNT');
    expect(errorCode(() => parseMoney(0, 'USD', { allowZero: false }))).toBe('ZERO_AMOUNT');
    expect(parseMoney('0.01', 'USD', { allowZero: false })).toBe(1);
  });

  it('honours a custom max in minor units, capped at MAX_MINOR_UNITS', () => {
    expect(parseMoney('100.00', 'USD', { max: 10_000 })).toBe(10_000);
    expect(errorCode(() => parseMoney('100.01', 'USD', { max: 10_000 }))).toBe('AMOUNT_TOO_LARGE');
    expect(errorCode(() => parseMoney('-100.01', 'USD', { max: 10_000, allowNegative: true }))).toBe('AMOUNT_TOO_LARGE');
    expect(errorCode(() => parseMoney('0.01', 'USD', { max: 0 }))).toBe('AMOUNT_TOO_LARGE');
    expect(errorCode(() => parseMoney('1000000000000.01', 'USD', { max: Number.MAX_SAFE_INTEGER }))).toBe(
      'AMOUNT_TOO_LARGE',
    );
    expect(() => parseMoney('1', 'USD', { max: 1.5 })).toThrow(RangeError);
    expect(() => parseMoney('1', 'USD', { max: -1 })).toThrow(RangeError);
  });

  it('explains the problem in the message without echoing huge input', () => {
    expect(() => parseMoney('1.001', 'USD')).toThrow(/more decimals than USD allows \(2\)/);
    expect(() => parseMoney('100.01', 'USD', { max: 10_000 })).toThrow(/maximum of 100\.00 USD/);
    let message = '';
    try {
      parseMoney('9'.repeat(10_000), 'USD');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.length).toBeLessThan(200);
  });
});

describe('formatting', () => {
  it.each<[number, string, string]>([
    [9900, 'USD', '99.00'],
    [-50, 'USD', '-0.50'],
    [5, 'USD', '0.05'],
    [-5, 'USD', '-0.05'],
    [0, 'USD', '0.00'],
    [3000, 'JPY', '3000'],
    [-3000, 'JPY', '-3000'],
    [0, 'JPY', '0'],
    [1500, 'KWD', '1.500'],
    [1, 'KWD', '0.001'],
    [105, 'HUF', '1.05'],
    [1, 'CLF', '0.0001'],
    [MAX_MINOR_UNITS, 'USD', '1000000000000.00'],
    [-MAX_MINOR_UNITS, 'KWD', '-100000000000.000'],
  ])('formats %i %s as %s', (minor, code, text) => {
    expect(formatMinor(minor, code)).toBe(text);
    expect(Money.of(minor, code).toDecimalString()).toBe(text);
  });

  it('serialises for the API', () => {
    expect(usd(9900).toJSON()).toEqual({ amount: '99.00', currency: 'USD' });
    expect(JSON.stringify({ total: Money.of(1500, 'KWD') })).toBe('{"total":{"amount":"1.500","currency":"KWD"}}');
    expect(usd(9900).toString()).toBe('99.00 USD');
    expect(`${Money.of(3000, 'JPY')}`).toBe('3000 JPY');
  });

  it('formatMinor rejects non-integers and unknown currencies', () => {
    expect(errorCode(() => formatMinor(1.5, 'USD'))).toBe('NOT_AN_INTEGER');
    expect(errorCode(() => formatMinor(Number.MAX_SAFE_INTEGER + 1, 'USD'))).toBe('NOT_AN_INTEGER');
    expect(errorCode(() => formatMinor(NaN, 'USD'))).toBe('NOT_AN_INTEGER');
    expect(errorCode(() => formatMinor(1, 'ABC'))).toBe('UNKNOWN_CURRENCY');
  });
});

describe('arithmetic', () => {
  it('adds and subtracts', () => {
    expect(usd(1999).add(usd(1)).amount).toBe(2000);
    expect(usd(100).subtract(usd(250)).amount).toBe(-150);
    expect(usd(100).subtract(usd(250)).toDecimalString()).toBe('-1.50');
  });

  it('multiplies by integer quantities only', () => {
    expect(usd(2999).multiply(3).amount).toBe(8997);
    expect(usd(2999).multiply(-1).amount).toBe(-2999);
    expect(Object.is(usd(0).multiply(-3).amount, 0)).toBe(true);
    expect(Object.is(usd(5).multiply(0).amount, 0)).toBe(true);
    for (const factor of [1.5, 0.1, NaN, Infinity]) {
      expect(errorCode(() => usd(100).multiply(factor))).toBe('NOT_AN_INTEGER');
    }
  });

  it('negates without producing negative zero', () => {
    expect(usd(50).negate().amount).toBe(-50);
    expect(usd(-50).negate().amount).toBe(50);
    expect(Object.is(usd(0).negate().amount, 0)).toBe(true);
    expect(usd(MAX_MINOR_UNITS).negate().amount).toBe(-MAX_MINOR_UNITS);
  });

  it('refuses results beyond the maximum', () => {
    expect(errorCode(() => usd(MAX_MINOR_UNITS).add(usd(1)))).toBe('AMOUNT_TOO_LARGE');
    expect(errorCode(() => usd(-MAX_MINOR_UNITS).subtract(usd(1)))).toBe('AMOUNT_TOO_LARGE');
    expect(errorCode(() => usd(MAX_MINOR_UNITS).multiply(2))).toBe('AMOUNT_TOO_LARGE');
    expect(errorCode(() => usd(1).multiply(Number.MAX_SAFE_INTEGER))).toBe('AMOUNT_TOO_LARGE');
    expect(errorCode(() => usd(3).multiply(1e300))).toBe('AMOUNT_TOO_LARGE');
    expect(errorCode(() => usd(MAX_MINOR_UNITS).percentage(10_001))).toBe('AMOUNT_TOO_LARGE');
    expect(usd(MAX_MINOR_UNITS).add(usd(-1)).amount).toBe(MAX_MINOR_UNITS - 1);
  });

  it('refuses to mix currencies', () => {
    const eur = Money.of(100, 'EUR');
    const operations: Array<(m: Money) => unknown> = [
      (m) => usd(100).add(m),
      (m) => usd(100).subtract(m),
      (m) => usd(100).compare(m),
      (m) => usd(100).equals(m),
      (m) => usd(100).lessThan(m),
      (m) => usd(100).lessThanOrEqual(m),
      (m) => usd(100).greaterThan(m),
      (m) => usd(100).greaterThanOrEqual(m),
    ];
    for (const operation of operations) {
      expect(errorCode(() => operation(eur))).toBe('CURRENCY_MISMATCH');
    }
    expect(() => usd(1).add(eur)).toThrow('Cannot combine USD with EUR');
  });

  it('compares', () => {
    expect(usd(1).compare(usd(2))).toBe(-1);
    expect(usd(2).compare(usd(2))).toBe(0);
    expect(usd(3).compare(usd(2))).toBe(1);
    expect(usd(1).lessThan(usd(2))).toBe(true);
    expect(usd(2).lessThan(usd(2))).toBe(false);
    expect(usd(2).lessThanOrEqual(usd(2))).toBe(true);
    expect(usd(3).greaterThan(usd(2))).toBe(true);
    expect(usd(2).greaterThan(usd(2))).toBe(false);
    expect(usd(2).greaterThanOrEqual(usd(2))).toBe(true);
    expect(usd(2).equals(Money.of('2', 'usd'))).toBe(true);
    expect(usd(2).equals(usd(3))).toBe(false);
  });

  it('reports sign', () => {
    expect(usd(0).isZero()).toBe(true);
    expect(usd(0).isNegative()).toBe(false);
    expect(usd(0).isPositive()).toBe(false);
    expect(usd(-1).isNegative()).toBe(true);
    expect(usd(1).isPositive()).toBe(true);
  });
});

describe('allocate', () => {
  it('splits with the largest remainder, earlier parts winning ties', () => {
    expect(usd(100).allocate([1, 1, 1]).map((m) => m.amount)).toEqual([34, 33, 33]);
    expect(usd(5).allocate([3, 7]).map((m) => m.amount)).toEqual([2, 3]); // 1.5 / 3.5
    expect(usd(1000).allocate([7000, 3000]).map((m) => m.amount)).toEqual([700, 300]);
    expect(usd(2).allocate([1, 1, 1]).map((m) => m.amount)).toEqual([1, 1, 0]);
    expect(usd(101).allocate([1, 0, 1]).map((m) => m.amount)).toEqual([51, 0, 50]);
    expect(usd(0).allocate([1, 2]).map((m) => m.amount)).toEqual([0, 0]);
    expect(usd(7).allocate([5]).map((m) => m.amount)).toEqual([7]);
  });

  it('gives a negative amount the mirror image of the positive split', () => {
    expect(usd(-100).allocate([1, 1, 1]).map((m) => m.amount)).toEqual([-34, -33, -33]);
  });

  it('keeps currency and handles the maximum with huge ratios exactly', () => {
    const parts = Money.of(MAX_MINOR_UNITS, 'JPY').allocate([Number.MAX_SAFE_INTEGER, 1, 3]);
    expect(parts.every((p) => p.currency === 'JPY')).toBe(true);
    expect(parts.reduce((sum, p) => sum + p.amount, 0)).toBe(MAX_MINOR_UNITS);
  });

  it.each([[[]], [[0, 0]], [[1, -1]], [[0.5, 0.5]], [[NaN]], [[Infinity]], [[Number.MAX_SAFE_INTEGER + 1]]])(
    'rejects ratios %p',
    (ratios) => {
      expect(errorCode(() => usd(100).allocate(ratios))).toBe('INVALID_RATIOS');
    },
  );
});

describe('percentage', () => {
  it('takes basis points', () => {
    expect(usd(10_000).percentage(250).amount).toBe(250); // 2.5 % of 100.00
    expect(usd(2999).percentage(10_000).amount).toBe(2999);
    expect(usd(2999).percentage(0).amount).toBe(0);
    expect(usd(2999).percentage(-1000).amount).toBe(-300); // -299.9
  });

  it('rounds half to even by default', () => {
    // 50 minor units * 1 % = 0.5, 150 * 1 % = 1.5, 250 * 1 % = 2.5
    expect(usd(50).percentage(100).amount).toBe(0);
    expect(usd(150).percentage(100).amount).toBe(2);
    expect(usd(250).percentage(100).amount).toBe(2);
    expect(usd(-250).percentage(100).amount).toBe(-2);
    expect(usd(251).percentage(100).amount).toBe(3); // 2.51: not a tie
    expect(usd(249).percentage(100).amount).toBe(2);
  });

  it('rounds half away from zero with half-up', () => {
    expect(usd(50).percentage(100, 'half-up').amount).toBe(1);
    expect(usd(250).percentage(100, 'half-up').amount).toBe(3);
    expect(usd(-250).percentage(100, 'half-up').amount).toBe(-3);
    expect(usd(249).percentage(100, 'half-up').amount).toBe(2);
  });

  it('computes exactly where floats would not', () => {
    // The intermediate product (~1e18) is far past 2^53, where floats lose whole units.
    expect(usd(MAX_MINOR_UNITS - 1).percentage(9999).amount).toBe(99_989_999_999_999); // …999.0001
    expect(usd(MAX_MINOR_UNITS - 1).percentage(5000).amount).toBe(50_000_000_000_000); // …999.5 → even
    expect(usd(MAX_MINOR_UNITS - 3).percentage(5000).amount).toBe(49_999_999_999_998); // …998.5 → even
    expect(Object.is(usd(-1).percentage(1).amount, 0)).toBe(true);
  });

  it('rejects fractional basis points and unknown rounding modes', () => {
    expect(errorCode(() => usd(100).percentage(2.5))).toBe('NOT_AN_INTEGER');
    expect(errorCode(() => usd(100).percentage(NaN))).toBe('NOT_AN_INTEGER');
    expect(() => usd(100).percentage(100, 'ceil' as 'half-up')).toThrow(RangeError);
  });
});

describe('properties', () => {
  it('format → parse round-trips for every exponent', () => {
    fc.assert(
      fc.property(minorUnits(), currency, (minor, code) => {
        const text = formatMinor(minor, code);
        expect(parseMoney(text, code, { allowNegative: true })).toBe(minor);
        const money = Money.of(minor, code);
        expect(Money.parse(money.toDecimalString(), code, { allowNegative: true }).equals(money)).toBe(true);
        // The format itself: exactly `exponent` decimals, and no float artefacts.
        const exponent = currencyExponent(code);
        expect(text).toMatch(exponent === 0 ? /^-?\d+$/ : new RegExp(`^-?\\d+\\.\\d{${exponent}}$`));
      }),
      { numRuns: 1000 },
    );
  });

  it('parses JS numbers with at most `exponent` decimals like integer arithmetic', () => {
    fc.assert(
      fc.property(minorUnits(), currency, (minor, code) => {
        const exponent = currencyExponent(code);
        // Build the input from integer parts so the expected value involves no float maths.
        const whole = BigInt(minor) / 10n ** BigInt(exponent);
        const fraction = (minor < 0 ? -BigInt(minor) : BigInt(minor)) % 10n ** BigInt(exponent);
        const sign = minor < 0 && whole === 0n ? '-' : '';
        const decimal = exponent === 0 ? `${whole}` : `${sign}${whole}.${String(fraction).padStart(exponent, '0')}`;
        const input = Number(decimal);
        const expected = whole * 10n ** BigInt(exponent) + (minor < 0 ? -fraction : fraction);
        expect(parseMoney(input, code, { allowNegative: true })).toBe(Number(expected));
        // Division is correctly rounded, so it lands on the same double.
        expect(parseMoney(minor / 10 ** exponent, code, { allowNegative: true })).toBe(minor);
      }),
      { numRuns: 1000 },
    );
  });

  it('rejects JS numbers with one decimal more than the currency allows', () => {
    fc.assert(
      fc.property(minorUnits(MAX_MINOR_UNITS / 10), currency, (tenths, code) => {
        fc.pre(tenths % 10 !== 0);
        const exponent = currencyExponent(code);
        expect(errorCode(() => parseMoney(tenths / 10 ** (exponent + 1), code, { allowNegative: true }))).toBe(
          'TOO_MANY_DECIMALS',
        );
      }),
    );
  });

  it('add is commutative and associative, and subtract is its inverse', () => {
    const third = MAX_MINOR_UNITS / 4;
    fc.assert(
      fc.property(minorUnits(third), minorUnits(third), minorUnits(third), currency, (a, b, c, code) => {
        const [x, y, z] = [Money.of(a, code), Money.of(b, code), Money.of(c, code)];
        expect(x.add(y).equals(y.add(x))).toBe(true);
        expect(x.add(y).add(z).equals(x.add(y.add(z)))).toBe(true);
        expect(x.add(y).subtract(y).equals(x)).toBe(true);
        expect(x.subtract(y).add(y).equals(x)).toBe(true);
        expect(x.subtract(x).isZero()).toBe(true);
        expect(x.add(x.negate()).isZero()).toBe(true);
        expect(x.subtract(y).equals(y.subtract(x).negate())).toBe(true);
        expect(x.add(Money.zero(code)).equals(x)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('add/subtract either match BigInt arithmetic or refuse to leave the range', () => {
    fc.assert(
      fc.property(minorUnits(), minorUnits(), (a, b) => {
        for (const [op, exact] of [
          [() => usd(a).add(usd(b)), BigInt(a) + BigInt(b)],
          [() => usd(a).subtract(usd(b)), BigInt(a) - BigInt(b)],
        ] as const) {
          if (exact > MAX_BIG || exact < -MAX_BIG) expect(errorCode(op)).toBe('AMOUNT_TOO_LARGE');
          else expect(BigInt(op().amount)).toBe(exact);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('multiply distributes over add', () => {
    fc.assert(
      fc.property(
        minorUnits(1e9),
        minorUnits(1e9),
        fc.integer({ min: -10_000, max: 10_000 }),
        currency,
        (a, b, k, code) => {
          const [x, y] = [Money.of(a, code), Money.of(b, code)];
          expect(x.add(y).multiply(k).equals(x.multiply(k).add(y.multiply(k)))).toBe(true);
          expect(x.multiply(k).multiply(-1).equals(x.negate().multiply(k))).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('multiply matches BigInt arithmetic or refuses to leave the range', () => {
    fc.assert(
      fc.property(minorUnits(), fc.oneof(fc.integer(), fc.maxSafeInteger()), (a, k) => {
        const exact = BigInt(a) * BigInt(k);
        if (exact > MAX_BIG || exact < -MAX_BIG) expect(errorCode(() => usd(a).multiply(k))).toBe('AMOUNT_TOO_LARGE');
        else expect(BigInt(usd(a).multiply(k).amount)).toBe(exact);
      }),
      { numRuns: 500 },
    );
  });

  it('allocate sums exactly and stays within one unit of the exact share', () => {
    fc.assert(
      fc.property(
        minorUnits(),
        fc.array(fc.oneof(fc.nat(10), fc.nat(10_000), fc.maxSafeNat()), { minLength: 1, maxLength: 20 }),
        currency,
        (minor, ratios, code) => {
          fc.pre(ratios.some((r) => r > 0));
          const parts = Money.of(minor, code).allocate(ratios);
          expect(parts).toHaveLength(ratios.length);
          expect(parts.reduce((sum, p) => sum + BigInt(p.amount), 0n)).toBe(BigInt(minor));
          const total = ratios.reduce((sum, r) => sum + BigInt(r), 0n);
          parts.forEach((part, i) => {
            expect(part.currency).toBe(code);
            // |part * total - minor * ratio| < total  ⇔  the part is within one unit of the exact share
            const diff = BigInt(part.amount) * total - BigInt(minor) * BigInt(ratios[i]);
            expect(diff < total && diff > -total).toBe(true);
            if (ratios[i] === 0) expect(part.isZero()).toBe(true);
          });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('allocate with equal ratios gives parts that differ by at most one unit', () => {
    fc.assert(
      fc.property(minorUnits(), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 1000 }), (minor, n, ratio) => {
        const amounts = usd(minor).allocate(Array<number>(n).fill(ratio)).map((p) => p.amount);
        expect(Math.max(...amounts) - Math.min(...amounts)).toBeLessThanOrEqual(1);
        expect(amounts.reduce((sum, a) => sum + a, 0)).toBe(minor);
        // Largest parts first: the leftover units go to the earliest parts.
        expect([...amounts].sort((p, q) => (minor < 0 ? p - q : q - p))).toEqual(amounts);
      }),
      { numRuns: 500 },
    );
  });

  it('percentage matches a BigInt reference for both rounding modes', () => {
    fc.assert(
      fc.property(
        minorUnits(),
        fc.oneof(fc.integer({ min: -20_000, max: 20_000 }), fc.constantFrom(1, 5, 50, 5_000, 15_000)),
        (minor, bp) => {
          for (const mode of ['half-even', 'half-up'] as const) {
            const expected = roundedReference(BigInt(minor) * BigInt(bp), 10_000n, mode);
            const run = () => usd(minor).percentage(bp, mode);
            if (expected > MAX_BIG || expected < -MAX_BIG) expect(errorCode(run)).toBe('AMOUNT_TOO_LARGE');
            else expect(BigInt(run().amount)).toBe(expected);
          }
          const byDefault = roundedReference(BigInt(minor) * BigInt(bp), 10_000n, 'half-even');
          if (byDefault <= MAX_BIG && byDefault >= -MAX_BIG) {
            expect(BigInt(usd(minor).percentage(bp).amount)).toBe(byDefault);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('percentage rounding is symmetric around zero', () => {
    fc.assert(
      fc.property(minorUnits(), fc.integer({ min: 0, max: 10_000 }), fc.constantFrom('half-even', 'half-up' as const), (minor, bp, mode) => {
        expect(usd(minor).negate().percentage(bp, mode).equals(usd(minor).percentage(bp, mode).negate())).toBe(true);
      }),
    );
  });

  it('parse never accepts strings outside the strict grammar', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789.-+eE, x_'.split('')) }), currency, (text, code) => {
        const result = errorCode(() => parseMoney(text, code, { allowNegative: true }));
        if (!/^-?\d+(\.\d+)?$/.test(text.trim())) expect(result).toBe('INVALID_AMOUNT');
        else expect(result).not.toBe('INVALID_AMOUNT');
      }),
      { numRuns: 2000 },
    );
  });
});
