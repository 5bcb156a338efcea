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
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: STRONG, PAYMENT_PROVIDER: 'test' }).jwt.secret).toBe(STRONG);
    expect(weakSecretReason(STRONG)).toBeUndefined();
  });
});

describe('loadConfig: media storage', () => {
  it('defaults to the local driver under var/media, served at PUBLIC_BASE_URL/media, 10 MiB images and 25 MiB files', () => {
    const { media } = loadConfig({ PUBLIC_BASE_URL: 'https://api.shop.example/' });
    expect(media).toMatchObject({ driver: 'local', s3: null, maxImageBytes: 10 * 1024 * 1024, maxFileBytes: 25 * 1024 * 1024, fetchAllowPrivate: false });
    expect(media.local).toEqual({ dir: expect.stringMatching(/^\/.*\/var\/media$/), publicBaseUrl: 'https://api.shop.example/media' });
    expect(media.allowedFileTypes).toContain('application/pdf');
  });

  it('derives the public URL of S3 objects: path style (MinIO), virtual host, AWS, or as configured', () => {
    const s3 = (env: Record<string, string>) => loadConfig({ STORAGE_DRIVER: 's3', S3_BUCKET: 'media', ...env }).media.s3!;
    expect(s3({ S3_ENDPOINT: 'http://127.0.0.1:9000/', S3_FORCE_PATH_STYLE: 'true' }).publicBaseUrl).toBe('http://127.0.0.1:9000/media');
    expect(s3({ S3_ENDPOINT: 'https://s3.provider.example' }).publicBaseUrl).toBe('https://media.s3.provider.example');
    expect(s3({ S3_REGION: 'eu-west-3' }).publicBaseUrl).toBe('https://media.s3.eu-west-3.amazonaws.com');
    expect(s3({ S3_PUBLIC_BASE_URL: 'https://cdn.shop.example/' }).publicBaseUrl).toBe('https://cdn.shop.example');
    expect(s3({}).credentials).toBeUndefined();
    expect(s3({ S3_ACCESS_KEY_ID: 'id', S3_SECRET_ACCESS_KEY: 'key' }).credentials).toEqual({ accessKeyId: 'id', secretAccessKey: 'key' });
  });

  it('requires a bucket with the s3 driver, and both credentials outside development/test', () => {
    expect(() => loadConfig({ STORAGE_DRIVER: 's3' })).toThrow(/S3_BUCKET: is required/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: STRONG, STORAGE_DRIVER: 's3', S3_BUCKET: 'media', S3_ACCESS_KEY_ID: 'id' })).toThrow(/S3_SECRET_ACCESS_KEY: is missing/);
    expect(() => loadConfig({ STORAGE_DRIVER: 's3', S3_BUCKET: 'media', S3_ACCESS_KEY_ID: 'id' })).toThrow(/set both, or neither/);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: STRONG, PAYMENT_PROVIDER: 'test', STORAGE_DRIVER: 's3', S3_BUCKET: 'media', S3_ACCESS_KEY_ID: 'id', S3_SECRET_ACCESS_KEY: 'minioadmin' }).media.driver).toBe('s3');
    // The local driver needs no S3 settings anywhere.
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: STRONG, PAYMENT_PROVIDER: 'test' }).media.driver).toBe('local');
  });

  it('refuses unknown file types, a bad driver, and private image fetches outside tests', () => {
    expect(() => loadConfig({ MEDIA_ALLOWED_FILE_TYPES: 'application/pdf,text/html' })).toThrow(/MEDIA_ALLOWED_FILE_TYPES/);
    expect(() => loadConfig({ STORAGE_DRIVER: 'ftp' })).toThrow(/STORAGE_DRIVER/);
    expect(() => loadConfig({ MEDIA_FETCH_ALLOW_PRIVATE: 'true' })).toThrow(/only allowed when NODE_ENV=test/);
    expect(loadConfig({ NODE_ENV: 'test', MEDIA_FETCH_ALLOW_PRIVATE: 'true' }).media.fetchAllowPrivate).toBe(true);
    expect(loadConfig({ MEDIA_ALLOWED_FILE_TYPES: 'image/png, application/pdf' }).media.allowedFileTypes).toEqual(['image/png', 'application/pdf']);
  });
});

describe('loadConfig: payments', () => {
  const SK = 'sk_test_51FakeKeyForTheConfigSpec0123';
  const WHSEC = 'whsec_configSpecSigningSecret0123';
  const prod = { NODE_ENV: 'production', JWT_SECRET: STRONG };

  it('runs the test provider when no Stripe key is set (auto), with the documented defaults', () => {
    expect(loadConfig({}).payments).toEqual({ provider: 'test', stripe: null, platformFeePercentage: 10, transferDelayDays: 7, verifyDelaySeconds: 120, verifySweepSeconds: 300 });
    expect(loadConfig({ PAYMENT_PROVIDER: 'test', STRIPE_SECRET_KEY: SK }).payments.provider).toBe('test');
  });

  it('picks Stripe when a key is set, with the webhook secret and API address', () => {
    const { payments } = loadConfig({ NODE_ENV: 'test', STRIPE_SECRET_KEY: SK, STRIPE_WEBHOOK_SECRET: WHSEC, STRIPE_API_BASE_URL: 'http://127.0.0.1:12111/' });
    expect(payments.provider).toBe('stripe');
    expect(payments.stripe).toEqual({ secretKey: SK, webhookSecret: WHSEC, apiBaseUrl: 'http://127.0.0.1:12111' });
    expect(loadConfig({ ...prod, STRIPE_SECRET_KEY: 'rk_live_restricted0123', STRIPE_WEBHOOK_SECRET: WHSEC }).payments.provider).toBe('stripe');
  });

  it('refuses Stripe without a webhook secret or with a non-secret key outside development', () => {
    expect(() => loadConfig({ PAYMENT_PROVIDER: 'stripe' })).toThrow(/STRIPE_SECRET_KEY: is required/);
    for (const env of [prod, { NODE_ENV: 'test' }, { NODE_ENV: 'staging', JWT_SECRET: STRONG }]) {
      expect(() => loadConfig({ ...env, STRIPE_SECRET_KEY: SK })).toThrow(/STRIPE_WEBHOOK_SECRET: is missing/);
      expect(() => loadConfig({ ...env, STRIPE_SECRET_KEY: 'pk_test_publishable0123', STRIPE_WEBHOOK_SECRET: WHSEC })).toThrow(/STRIPE_SECRET_KEY: is not a Stripe secret key/);
      expect(() => loadConfig({ ...env, STRIPE_SECRET_KEY: SK, STRIPE_WEBHOOK_SECRET: 'changeme' })).toThrow(/STRIPE_WEBHOOK_SECRET: is not a webhook signing secret/);
    }
    // Development may try Stripe with a key alone (webhooks are then refused).
    expect(loadConfig({ STRIPE_SECRET_KEY: 'sk_test_x' }).payments.stripe).toEqual({ secretKey: 'sk_test_x', webhookSecret: null, apiBaseUrl: null });
  });

  it('refuses to fall back to the test provider in production unless asked to by name', () => {
    expect(() => loadConfig(prod)).toThrow(/STRIPE_SECRET_KEY: is missing, so payments would use the test provider/);
    expect(loadConfig({ ...prod, PAYMENT_PROVIDER: 'test' }).payments.provider).toBe('test');
  });

  it('validates the fee percentage (two decimals, 0–100) and the transfer delay', () => {
    expect(loadConfig({ PLATFORM_FEE_PERCENTAGE: '12.5', STRIPE_TRANSFER_DELAY_DAYS: '0' }).payments).toMatchObject({ platformFeePercentage: 12.5, transferDelayDays: 0 });
    expect(loadConfig({ PLATFORM_FEE_PERCENTAGE: '0' }).payments.platformFeePercentage).toBe(0);
    for (const bad of ['12.345', '101', '-1', 'ten']) expect(() => loadConfig({ PLATFORM_FEE_PERCENTAGE: bad })).toThrow(/PLATFORM_FEE_PERCENTAGE/);
    expect(() => loadConfig({ STRIPE_TRANSFER_DELAY_DAYS: '1.5' })).toThrow(/STRIPE_TRANSFER_DELAY_DAYS/);
    expect(() => loadConfig({ PAYMENT_PROVIDER: 'paypal' })).toThrow(/PAYMENT_PROVIDER/);
    expect(() => loadConfig({ STRIPE_API_BASE_URL: 'not a url' })).toThrow(/STRIPE_API_BASE_URL/);
  });
});
