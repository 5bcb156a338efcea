import 'reflect-metadata';
import { resolve } from 'node:path';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  validateSync,
} from 'class-validator';

/** Development/test-only JWT secret: long enough for HS256, refused everywhere else. */
export const DEV_JWT_SECRET = 'dev-only-insecure-jwt-secret-do-not-deploy-0000';

const NODE_ENVS = ['development', 'test', 'production', 'staging'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

export const STORAGE_DRIVERS = ['local', 's3'] as const;
export type StorageDriverName = (typeof STORAGE_DRIVERS)[number];

/** `auto`: Stripe when STRIPE_SECRET_KEY is set, else the test provider. */
export const PAYMENT_PROVIDER_SETTINGS = ['auto', 'stripe', 'test'] as const;
export type PaymentProviderSetting = (typeof PAYMENT_PROVIDER_SETTINGS)[number];

/** Image types the media module recognises by their magic bytes (and sharp can decode). */
export const MEDIA_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif'] as const;
/** Every type the media module recognises by its magic bytes; MEDIA_ALLOWED_FILE_TYPES picks from these. */
export const MEDIA_KNOWN_TYPES = [...MEDIA_IMAGE_TYPES, 'application/pdf'] as const;
export type MediaContentType = (typeof MEDIA_KNOWN_TYPES)[number];

const MIB = 1024 * 1024;
const HTTP_URL = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : /^-?\d+$/.test(String(value)) ? Number(value) : value;
const toBool = ({ value }: { value: unknown }) => {
  if (value === undefined || value === '') return undefined;
  const v = String(value).toLowerCase();
  return ['1', 'true', 'yes', 'on'].includes(v) ? true : ['0', 'false', 'no', 'off'].includes(v) ? false : value;
};
const toDecimal = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : /^\d+(\.\d+)?$/.test(String(value)) ? Number(value) : value;
const toList = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : value;

/** Connections per process (API or worker); see DATABASE_POOL_SIZE. */
export const DEFAULT_DATABASE_POOL_SIZE = 5;

/**
 * The environment as the service reads it. Every variable is documented in .env.example;
 * the defaults make a fresh clone run locally with no .env at all.
 */
class EnvironmentVariables {
  @IsIn(NODE_ENVS)
  NODE_ENV: NodeEnv = 'development';

  @Transform(toInt) @IsInt() @Min(1) @Max(65535)
  PORT = 8280;

  @IsString()
  HOST = '0.0.0.0';

  @IsUrl({ protocols: ['postgres', 'postgresql'], require_tld: false, require_protocol: true })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/commerce';

  /**
   * Sized for a database server of 2 cores: connections beyond about twice its cores make statements
   * wait on each other's locks and CPU instead of in the pool's queue. bench/RESULTS.md: checkout p99
   * at 20 buyers 120–150 ms with 5, 161–199 ms with 10.
   */
  @Transform(toInt) @IsInt() @Min(1) @Max(200)
  DATABASE_POOL_SIZE = DEFAULT_DATABASE_POOL_SIZE;

  @Transform(toBool) @IsBoolean()
  DATABASE_LOG_QUERIES = false;

  @IsUrl({ protocols: ['redis', 'rediss'], require_tld: false, require_protocol: true })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Key prefix of every BullMQ queue; tests give each file its own. */
  @IsString()
  QUEUE_PREFIX = 'commerce';

  @IsOptional() @IsString()
  JWT_SECRET?: string;

  @Transform(toInt) @IsInt() @Min(60) @Max(86400)
  JWT_ACCESS_TTL_SECONDS = 900;

  /** `iss` of the tokens this service signs, and the `aud` it signs for and expects. */
  @IsString()
  JWT_ISSUER = 'commerce-backend';

  @IsString()
  JWT_AUDIENCE = 'commerce-api';

  /** An external identity provider (RS256 via JWKS) whose tokens are accepted too; all three or none. */
  @IsOptional() @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  JWT_JWKS_URL?: string;

  @IsOptional() @IsString()
  JWT_JWKS_ISSUER?: string;

  @IsOptional() @IsString()
  JWT_JWKS_AUDIENCE?: string;

  /** Failed logins per account within LOGIN_LOCK_WINDOW_SECONDS before the account is locked out for that window. */
  @Transform(toInt) @IsInt() @Min(1)
  LOGIN_MAX_FAILURES = 5;

  @Transform(toInt) @IsInt() @Min(1)
  LOGIN_LOCK_WINDOW_SECONDS = 900;

  /** Public URL of this API, used in links it hands out (e.g. the device-login page). */
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  PUBLIC_BASE_URL = 'http://localhost:8280';

  @Transform(toInt) @IsInt() @Min(3600)
  JWT_REFRESH_TTL_SECONDS = 30 * 24 * 3600;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  @Transform(toBool) @IsOptional() @IsBoolean()
  LOG_PRETTY?: boolean;

  /** Comma list of allowed browser origins; empty means no cross-origin access. */
  @Transform(toList) @IsString({ each: true })
  CORS_ORIGINS: string[] = [];

  @Transform(toInt) @IsInt() @Min(1024) @Max(100 * 1024 * 1024)
  BODY_LIMIT_BYTES = 1024 * 1024;

  @Transform(toInt) @IsInt() @Min(1)
  RATE_LIMIT_PER_MINUTE = 600;

  @Transform(toInt) @IsInt() @Min(1)
  AUTH_RATE_LIMIT_PER_MINUTE = 20;

  /** Behind a load balancer, trust X-Forwarded-For so rate limits see the client address. */
  @Transform(toBool) @IsBoolean()
  TRUST_PROXY = false;

  @Transform(toInt) @IsInt() @Min(10)
  OUTBOX_POLL_INTERVAL_MS = 500;

  @Transform(toInt) @IsInt() @Min(1) @Max(64)
  WORKER_CONCURRENCY = 8;

  /** How long a stock reservation holds when the caller names no TTL (seconds). */
  @Transform(toInt) @IsInt() @Min(10) @Max(7 * 24 * 3600)
  INVENTORY_RESERVATION_TTL_SECONDS = 1800;

  /** How often the worker releases expired reservations (seconds). */
  @Transform(toInt) @IsInt() @Min(1) @Max(3600)
  INVENTORY_EXPIRY_SWEEP_SECONDS = 60;

  /** How long a guest cart (Redis, keyed by X-Session-ID) lives after its last change (seconds). */
  @Transform(toInt) @IsInt() @Min(60) @Max(90 * 24 * 3600)
  CART_TTL_SECONDS = 7 * 24 * 3600;

  /**
   * Memory for the API's cache of serialized storefront answers (public product list and detail),
   * keyed by the store's catalog version; 0 turns it off (MiB).
   */
  @Transform(toInt) @IsInt() @Min(0) @Max(1024)
  STOREFRONT_CACHE_MB = 16;

  /** Where media objects live: `local` (a directory the API serves under /media) or `s3` (AWS S3, MinIO…). */
  @IsIn(STORAGE_DRIVERS)
  STORAGE_DRIVER: StorageDriverName = 'local';

  /** The local driver's directory (relative to the working directory, or absolute). */
  @IsString()
  MEDIA_LOCAL_DIR = 'var/media';

  /** Public URL under which the local driver's files are served; default PUBLIC_BASE_URL + /media. */
  @IsOptional() @IsUrl(HTTP_URL)
  MEDIA_PUBLIC_BASE_URL?: string;

  /** S3-compatible endpoint (MinIO…); unset for AWS itself. */
  @IsOptional() @IsUrl(HTTP_URL)
  S3_ENDPOINT?: string;

  @IsString() @Matches(/^[a-z0-9-]{2,40}$/)
  S3_REGION = 'us-east-1';

  @IsOptional() @Matches(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'S3_BUCKET must be a valid bucket name' })
  S3_BUCKET?: string;

  @IsOptional() @IsString()
  S3_ACCESS_KEY_ID?: string;

  @IsOptional() @IsString()
  S3_SECRET_ACCESS_KEY?: string;

  /** Path-style addressing (endpoint/bucket/key), as MinIO needs. */
  @Transform(toBool) @IsBoolean()
  S3_FORCE_PATH_STYLE = false;

  /** Public URL of the bucket (a CDN, or MinIO's bucket URL); derived from endpoint and bucket when unset. */
  @IsOptional() @IsUrl(HTTP_URL)
  S3_PUBLIC_BASE_URL?: string;

  /** Endpoint that presigned upload URLs name, when clients reach S3 by another address than the API does. */
  @IsOptional() @IsUrl(HTTP_URL)
  S3_PRESIGN_ENDPOINT?: string;

  @Transform(toInt) @IsInt() @Min(1024) @Max(1024 * MIB)
  MEDIA_MAX_IMAGE_BYTES = 10 * MIB;

  @Transform(toInt) @IsInt() @Min(1024) @Max(1024 * MIB)
  MEDIA_MAX_FILE_BYTES = 25 * MIB;

  /** Comma list of the types POST /api/upload/file accepts, checked by magic bytes. */
  @Transform(toList) @IsIn(MEDIA_KNOWN_TYPES, { each: true })
  MEDIA_ALLOWED_FILE_TYPES: string[] = ['application/pdf', ...MEDIA_IMAGE_TYPES];

  /** Lifetime of presigned upload URLs. */
  @Transform(toInt) @IsInt() @Min(60) @Max(7 * 24 * 3600)
  MEDIA_PRESIGN_TTL_SECONDS = 900;

  /** Time limit of one image_urls fetch, connection to last byte. */
  @Transform(toInt) @IsInt() @Min(100) @Max(120_000)
  MEDIA_FETCH_TIMEOUT_MS = 10_000;

  /** Tests only: let image_urls fetches reach private and loopback addresses (a local test server). */
  @Transform(toBool) @IsBoolean()
  MEDIA_FETCH_ALLOW_PRIVATE = false;

  /** Which payment provider runs: `auto` (Stripe when STRIPE_SECRET_KEY is set, else test), `stripe` or `test`. */
  @IsIn(PAYMENT_PROVIDER_SETTINGS)
  PAYMENT_PROVIDER: PaymentProviderSetting = 'auto';

  @IsOptional() @IsString()
  STRIPE_SECRET_KEY?: string;

  /** Signing secret of the webhook endpoint (whsec_…). */
  @IsOptional() @IsString()
  STRIPE_WEBHOOK_SECRET?: string;

  /** Another Stripe API address (stripe-mock, the tests' fake); unset = api.stripe.com. */
  @IsOptional() @IsUrl(HTTP_URL)
  STRIPE_API_BASE_URL?: string;

  /** Default platform fee on a merchant's sales, in percent (merchants may have their own). */
  @Transform(toDecimal) @IsNumber({ maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false }) @Min(0) @Max(100)
  PLATFORM_FEE_PERCENTAGE = 10;

  /** Days a paid order's funds are held before the merchant's transfer is made. */
  @Transform(toInt) @IsInt() @Min(0) @Max(365)
  STRIPE_TRANSFER_DELAY_DAYS = 7;

  /** After checkout, when the worker first asks the provider how the payment stands (then backing off until the order expires). */
  @Transform(toInt) @IsInt() @Min(1) @Max(24 * 3600)
  PAYMENT_VERIFY_DELAY_SECONDS = 120;

  /** How often the worker re-checks unpaid payments nobody looked at for PAYMENT_VERIFY_DELAY_SECONDS (the safety net). */
  @Transform(toInt) @IsInt() @Min(1) @Max(24 * 3600)
  PAYMENT_VERIFY_SWEEP_SECONDS = 300;
}

export interface AppConfig {
  env: NodeEnv;
  isProductionLike: boolean;
  http: {
    host: string;
    port: number;
    bodyLimitBytes: number;
    corsOrigins: string[];
    trustProxy: boolean;
    rateLimitPerMinute: number;
    authRateLimitPerMinute: number;
  };
  database: { url: string; poolSize: number; logQueries: boolean };
  redis: { url: string; queuePrefix: string };
  jwt: {
    secret: string;
    accessTtlSeconds: number;
    refreshTtlSeconds: number;
    issuer: string;
    audience: string;
    external?: { jwksUrl: string; issuer: string; audience: string };
  };
  login: { maxFailures: number; lockWindowSeconds: number };
  publicBaseUrl: string;
  log: { level: string; pretty: boolean };
  outbox: { pollIntervalMs: number };
  worker: { concurrency: number };
  inventory: { reservationTtlSeconds: number; expirySweepSeconds: number };
  cart: { guestTtlSeconds: number };
  storefront: { cacheMb: number };
  media: MediaConfig;
  payments: PaymentsConfig;
}

export interface StripeConfig {
  secretKey: string;
  /** Null only in development: webhooks are then refused. */
  webhookSecret: string | null;
  /** stripe-mock or a test fake; null = api.stripe.com. */
  apiBaseUrl: string | null;
}

export interface PaymentsConfig {
  /** The provider that runs (PAYMENT_PROVIDER resolved). */
  provider: 'stripe' | 'test';
  /** Set when provider is stripe. */
  stripe: StripeConfig | null;
  /** Default platform fee in percent, up to two decimals (12.5 = 12.5 %). */
  platformFeePercentage: number;
  transferDelayDays: number;
  /** First verification of a new checkout's payment, and the sweep interval (seconds). */
  verifyDelaySeconds: number;
  verifySweepSeconds: number;
}

export interface S3StorageConfig {
  endpoint?: string;
  region: string;
  bucket: string;
  /** Both or neither: without them the SDK's default chain (instance role, env, profile) applies. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  forcePathStyle: boolean;
  publicBaseUrl: string;
  presignEndpoint?: string;
}

export interface MediaConfig {
  driver: StorageDriverName;
  local: { dir: string; publicBaseUrl: string };
  /** Set when driver is s3. */
  s3: S3StorageConfig | null;
  maxImageBytes: number;
  maxFileBytes: number;
  allowedFileTypes: MediaContentType[];
  presignTtlSeconds: number;
  fetchTimeoutMs: number;
  fetchAllowPrivate: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** A secret an attacker could guess: short, repetitive, or a well-known placeholder. */
export function weakSecretReason(secret: string | undefined): string | undefined {
  if (!secret) return 'is missing';
  if (secret.length < 32) return 'is shorter than 32 characters';
  if (new Set(secret).size < 10) return 'has too few distinct characters';
  const lowered = secret.toLowerCase();
  if (secret === DEV_JWT_SECRET || /change.?me|secret|password|example|placeholder/.test(lowered)) {
    return 'is a placeholder value';
  }
  return undefined;
}

/**
 * Reads and validates the environment once. Throws a ConfigError naming every bad variable,
 * so a misconfigured deployment stops at startup instead of failing on the first request.
 */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  // Empty strings mean "unset", which lets .env files list variables without values.
  const raw = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const env = plainToInstance(EnvironmentVariables, raw, { exposeDefaultValues: true });
  const problems = validateSync(env, { whitelist: false }).map((e) => {
    const why = Object.values(e.constraints ?? {}).join('; ');
    return `${e.property}: ${why} (got ${JSON.stringify(e.value)})`;
  });

  const isProductionLike = env.NODE_ENV !== 'development' && env.NODE_ENV !== 'test';
  let jwtSecret = env.JWT_SECRET;
  if (isProductionLike) {
    const weak = weakSecretReason(jwtSecret);
    if (weak) problems.push(`JWT_SECRET: ${weak}; set a random value of 32+ characters (e.g. \`openssl rand -base64 48\`)`);
  } else {
    jwtSecret ??= DEV_JWT_SECRET;
  }
  const externalJwt = [env.JWT_JWKS_URL, env.JWT_JWKS_ISSUER, env.JWT_JWKS_AUDIENCE];
  if (externalJwt.some(Boolean) && !externalJwt.every(Boolean)) {
    problems.push('JWT_JWKS_URL, JWT_JWKS_ISSUER, JWT_JWKS_AUDIENCE: set all three to accept an external identity provider, or none');
  }
  problems.push(...mediaProblems(env, isProductionLike));
  const paymentProvider = resolvePaymentProvider(env);
  problems.push(...paymentProblems(env, paymentProvider, isProductionLike));
  if (problems.length) throw new ConfigError(problems);
  const publicBaseUrl = env.PUBLIC_BASE_URL.replace(/\/$/, '');

  return {
    env: env.NODE_ENV,
    isProductionLike,
    http: {
      host: env.HOST,
      port: env.PORT,
      bodyLimitBytes: env.BODY_LIMIT_BYTES,
      corsOrigins: env.CORS_ORIGINS,
      trustProxy: env.TRUST_PROXY,
      rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
      authRateLimitPerMinute: env.AUTH_RATE_LIMIT_PER_MINUTE,
    },
    database: { url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE, logQueries: env.DATABASE_LOG_QUERIES },
    redis: { url: env.REDIS_URL, queuePrefix: env.QUEUE_PREFIX },
    jwt: {
      secret: jwtSecret!,
      accessTtlSeconds: env.JWT_ACCESS_TTL_SECONDS,
      refreshTtlSeconds: env.JWT_REFRESH_TTL_SECONDS,
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      external: env.JWT_JWKS_URL
        ? { jwksUrl: env.JWT_JWKS_URL, issuer: env.JWT_JWKS_ISSUER!, audience: env.JWT_JWKS_AUDIENCE! }
        : undefined,
    },
    login: { maxFailures: env.LOGIN_MAX_FAILURES, lockWindowSeconds: env.LOGIN_LOCK_WINDOW_SECONDS },
    publicBaseUrl,
    log: { level: env.LOG_LEVEL, pretty: env.LOG_PRETTY ?? env.NODE_ENV === 'development' },
    outbox: { pollIntervalMs: env.OUTBOX_POLL_INTERVAL_MS },
    worker: { concurrency: env.WORKER_CONCURRENCY },
    inventory: { reservationTtlSeconds: env.INVENTORY_RESERVATION_TTL_SECONDS, expirySweepSeconds: env.INVENTORY_EXPIRY_SWEEP_SECONDS },
    cart: { guestTtlSeconds: env.CART_TTL_SECONDS },
    storefront: { cacheMb: env.STOREFRONT_CACHE_MB },
    media: {
      driver: env.STORAGE_DRIVER,
      local: { dir: resolve(env.MEDIA_LOCAL_DIR), publicBaseUrl: (env.MEDIA_PUBLIC_BASE_URL ?? `${publicBaseUrl}/media`).replace(/\/$/, '') },
      s3: env.STORAGE_DRIVER === 's3' ? s3Config(env) : null,
      maxImageBytes: env.MEDIA_MAX_IMAGE_BYTES,
      maxFileBytes: env.MEDIA_MAX_FILE_BYTES,
      allowedFileTypes: [...new Set(env.MEDIA_ALLOWED_FILE_TYPES)] as MediaContentType[],
      presignTtlSeconds: env.MEDIA_PRESIGN_TTL_SECONDS,
      fetchTimeoutMs: env.MEDIA_FETCH_TIMEOUT_MS,
      fetchAllowPrivate: env.MEDIA_FETCH_ALLOW_PRIVATE,
    },
    payments: {
      provider: paymentProvider,
      stripe:
        paymentProvider === 'stripe'
          ? { secretKey: env.STRIPE_SECRET_KEY!, webhookSecret: env.STRIPE_WEBHOOK_SECRET ?? null, apiBaseUrl: env.STRIPE_API_BASE_URL?.replace(/\/$/, '') ?? null }
          : null,
      platformFeePercentage: env.PLATFORM_FEE_PERCENTAGE,
      transferDelayDays: env.STRIPE_TRANSFER_DELAY_DAYS,
      verifyDelaySeconds: env.PAYMENT_VERIFY_DELAY_SECONDS,
      verifySweepSeconds: env.PAYMENT_VERIFY_SWEEP_SECONDS,
    },
  };
}

function resolvePaymentProvider(env: EnvironmentVariables): 'stripe' | 'test' {
  if (env.PAYMENT_PROVIDER === 'auto') return env.STRIPE_SECRET_KEY ? 'stripe' : 'test';
  return env.PAYMENT_PROVIDER;
}

function paymentProblems(env: EnvironmentVariables, provider: 'stripe' | 'test', isProductionLike: boolean): string[] {
  const problems: string[] = [];
  if (provider === 'test') {
    // The test provider's checkout page has a "Pay" button that settles an order without money.
    if (isProductionLike && env.PAYMENT_PROVIDER !== 'test') {
      problems.push('STRIPE_SECRET_KEY: is missing, so payments would use the test provider (orders paid by a button, no money); set the Stripe keys, or PAYMENT_PROVIDER=test to run without real payments on purpose');
    }
    return problems;
  }
  if (!env.STRIPE_SECRET_KEY) {
    problems.push('STRIPE_SECRET_KEY: is required when PAYMENT_PROVIDER=stripe');
    return problems;
  }
  if (env.NODE_ENV === 'development') return problems;
  // Secret (sk_) or restricted (rk_) keys only: a publishable key (pk_) or a placeholder fails every call.
  if (!/^(sk|rk)_(test|live)_\w+$/.test(env.STRIPE_SECRET_KEY)) {
    problems.push('STRIPE_SECRET_KEY: is not a Stripe secret key (sk_test_…, sk_live_… or a restricted rk_… key)');
  }
  if (!env.STRIPE_WEBHOOK_SECRET) {
    problems.push('STRIPE_WEBHOOK_SECRET: is missing; without it webhooks cannot be verified (the endpoint\'s signing secret, whsec_…)');
  } else if (!/^whsec_\w+$/.test(env.STRIPE_WEBHOOK_SECRET)) {
    problems.push('STRIPE_WEBHOOK_SECRET: is not a webhook signing secret (whsec_…)');
  }
  return problems;
}

function mediaProblems(env: EnvironmentVariables, isProductionLike: boolean): string[] {
  const problems: string[] = [];
  if (env.MEDIA_FETCH_ALLOW_PRIVATE && env.NODE_ENV !== 'test') {
    problems.push('MEDIA_FETCH_ALLOW_PRIVATE: only allowed when NODE_ENV=test (it lets image_urls reach internal hosts)');
  }
  if (env.STORAGE_DRIVER !== 's3') return problems;
  if (!env.S3_BUCKET) problems.push('S3_BUCKET: is required when STORAGE_DRIVER=s3');
  const keyId = Boolean(env.S3_ACCESS_KEY_ID);
  const secret = Boolean(env.S3_SECRET_ACCESS_KEY);
  if (isProductionLike) {
    if (!keyId) problems.push('S3_ACCESS_KEY_ID: is missing; required when STORAGE_DRIVER=s3');
    if (!secret) problems.push('S3_SECRET_ACCESS_KEY: is missing; required when STORAGE_DRIVER=s3');
  } else if (keyId !== secret) {
    problems.push('S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY: set both, or neither to use the AWS SDK\'s default credentials');
  }
  return problems;
}

function s3Config(env: EnvironmentVariables): S3StorageConfig {
  const bucket = env.S3_BUCKET!;
  const endpoint = env.S3_ENDPOINT?.replace(/\/$/, '');
  let publicBaseUrl = env.S3_PUBLIC_BASE_URL;
  if (!publicBaseUrl && endpoint) {
    const url = new URL(endpoint);
    publicBaseUrl = env.S3_FORCE_PATH_STYLE ? `${endpoint}/${bucket}` : `${url.protocol}//${bucket}.${url.host}`;
  }
  publicBaseUrl ??= `https://${bucket}.s3.${env.S3_REGION}.amazonaws.com`;
  return {
    endpoint,
    region: env.S3_REGION,
    bucket,
    credentials: env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY ? { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY } : undefined,
    forcePathStyle: env.S3_FORCE_PATH_STYLE,
    publicBaseUrl: publicBaseUrl.replace(/\/$/, ''),
    presignEndpoint: env.S3_PRESIGN_ENDPOINT?.replace(/\/$/, ''),
  };
}

/** Loads `.env` from the working directory when present (Node's own parser, no dotenv). */
export function loadDotEnv(path = '.env'): void {
  try {
    process.loadEnvFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
