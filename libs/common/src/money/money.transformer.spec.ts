import { MoneyError } from './money-error';
import { minorUnitsTransformer } from './money.transformer';

describe('minorUnitsTransformer', () => {
  it('passes values through to the database', () => {
    expect(minorUnitsTransformer.to(2999)).toBe(2999);
    expect(minorUnitsTransformer.to(-50)).toBe(-50);
    expect(minorUnitsTransformer.to(null)).toBeNull();
    expect(minorUnitsTransformer.to(undefined)).toBeUndefined();
  });

  it('refuses to write a float or unsafe number into an int8 column', () => {
    expect(() => minorUnitsTransformer.to(29.99)).toThrow(MoneyError);
    expect(() => minorUnitsTransformer.to(NaN)).toThrow(MoneyError);
    expect(() => minorUnitsTransformer.to(2 ** 53)).toThrow(MoneyError);
  });

  it('converts pg int8 strings to numbers', () => {
    expect(minorUnitsTransformer.from('2999')).toBe(2999);
    expect(minorUnitsTransformer.from('-50')).toBe(-50);
    expect(Object.is(minorUnitsTransformer.from('-0'), 0)).toBe(true);
    expect(minorUnitsTransformer.from(String(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    expect(minorUnitsTransformer.from(42)).toBe(42);
    expect(minorUnitsTransformer.from(null)).toBeNull();
    expect(minorUnitsTransformer.from(undefined)).toBeUndefined();
  });

  it.each(['9007199254740992', '9223372036854775807', '-9007199254740993', '1.5', '', 'abc', ' 1'])(
    'throws instead of losing precision on %p',
    (value) => {
      expect(() => minorUnitsTransformer.from(value)).toThrow(MoneyError);
    },
  );

  it('throws on non-integer numbers from a custom type parser', () => {
    expect(() => minorUnitsTransformer.from(1.5)).toThrow(MoneyError);
  });
});
