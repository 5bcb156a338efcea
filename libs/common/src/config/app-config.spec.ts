import { ConfigError, DEV_JWT_SECRET, loadConfig, weakSecretReason } from './app-config';

const STRONG = 'Zq8v3Lw0Xy7Tn2Bc5Rf9Hk1Jm4Pd6Gs8Ua0We3';

describe('loadConfig', () => {
  it('works with no environment at all, with the documented defaults', () => {
    const config = loadConfig({});
    expect(config.env).toBe('development');
    expect(config.http.port).toBe(8280);
    expect(config.database.url).toBe('postgres://postgres@127.0.0.1:5432/commerce');
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
    expect(config.jwt.secret).toBe(DEV_JWT_SECRET);
  });

  it('converts and validates typed values', () => {
    const config = loadConfig({ PORT: '9000', CORS_ORIGINS: 'https://a.example, https://b.example', TRUST_PROXY: 'true' });
    expect(config.http.port).toBe(9000);
    expect(config.http.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.http.trustProxy).toBe(true);
  });

  it('names every bad variable', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', NODE_ENV: 'prod' });
      fail('expected ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as ConfigError).message;
      expect(message).toMatch(/PORT/);
      expect(message).toMatch(/DATABASE_URL/);
      expect(message).toMatch(/NODE_ENV/);
    }
  });

  it.each(['production', 'staging'])('refuses a missing JWT secret in %s', (NODE_ENV) => {
    expect(() => loadConfig({ NODE_ENV })).toThrow(/JWT_SECRET: is missing/);
  });

  it('refuses weak or placeholder secrets in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'short' })).toThrow(/JWT_SECRET: is shorter than 32/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'a'.repeat(64) })).toThrow(/too few distinct/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: DEV_JWT_SECRET })).toThrow(/placeholder/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'please-change-me-0123456789abcdefghij' })).toThrow(/placeholder/);
  });

  it('accepts a strong secret in production', () => {
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: STRONG }).jwt.secret).toBe(STRONG);
    expect(weakSecretReason(STRONG)).toBeUndefined();
  });
});
