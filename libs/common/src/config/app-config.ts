import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Max,
  Min,
  validateSync,
} from 'class-validator';

/** Development/test-only JWT secret: long enough for HS256, refused everywhere else. */
export const DEV_JWT_SECRET = 'dev-only-insecure-jwt-secret-do-not-deploy-0000';

const NODE_ENVS = ['development', 'test', 'production', 'staging'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : /^-?\d+$/.test(String(value)) ? Number(value) : value;
const toBool = ({ value }: { value: unknown }) => {
  if (value === undefined || value === '') return undefined;
  const v = String(value).toLowerCase();
  return ['1', 'true', 'yes', 'on'].includes(v) ? true : ['0', 'false', 'no', 'off'].includes(v) ? false : value;
};
const toList = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : value;

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

  @Transform(toInt) @IsInt() @Min(1) @Max(200)
  DATABASE_POOL_SIZE = 10;

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
  if (problems.length) throw new ConfigError(problems);

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
    publicBaseUrl: env.PUBLIC_BASE_URL.replace(/\/$/, ''),
    log: { level: env.LOG_LEVEL, pretty: env.LOG_PRETTY ?? env.NODE_ENV === 'development' },
    outbox: { pollIntervalMs: env.OUTBOX_POLL_INTERVAL_MS },
    worker: { concurrency: env.WORKER_CONCURRENCY },
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
