import { randomBytes } from 'node:crypto';

/**
 * The environment every process of a benchmark runs with: production settings, logs at warn
 * (JSON), a strong JWT secret made for this run, and the test payment provider, chosen on purpose
 * (production refuses to guess it): benchmarks never reach Stripe.
 */
export function productionEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    LOG_PRETTY: 'false',
    JWT_SECRET: randomBytes(48).toString('base64'),
    PAYMENT_PROVIDER: 'test',
    ...overrides,
  };
}
