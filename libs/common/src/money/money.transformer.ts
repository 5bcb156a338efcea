import type { ValueTransformer } from 'typeorm';
import { MoneyError } from './money-error';

const INTEGER = /^-?\d+$/;

/**
 * For `bigint` (int8) columns holding minor units. pg returns int8 as a string because it
 * may exceed 2^53; we convert it to a number, but refuse rather than silently round.
 */
export const minorUnitsTransformer: ValueTransformer = {
  to(value: unknown): unknown {
    // Anything else (null, undefined, FindOperator values) is TypeORM's business.
    if (typeof value === 'number' && !Number.isSafeInteger(value)) {
      throw new MoneyError('NOT_AN_INTEGER', `Minor units must be a safe integer, got ${value}`);
    }
    return value;
  },
  from(value: unknown): number | null | undefined {
    if (value === null || value === undefined) return value;
    const minor = typeof value === 'string' && INTEGER.test(value) ? Number(value) : value;
    if (typeof minor !== 'number' || !Number.isSafeInteger(minor)) {
      throw new MoneyError('NOT_AN_INTEGER', `Expected an int8 within the safe integer range, got ${String(value)}`);
    }
    return minor + 0; // "-0" → 0
  },
};
