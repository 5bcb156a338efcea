import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { Redis } from 'ioredis';
import { APP_CONFIG, AppConfig, ErrorEnvelopeFilter, isStrictRateLimited, REDIS_CLIENT, RedisThrottlerStorage } from '@app/common';
import { CoreModule } from './core.module';
import { DOMAIN_MODULES } from './modules';
import { HealthModule } from './modules/health/health.module';

const MINUTE_MS = 60_000;

/** The API process. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, extra: { imports?: DynamicModule['imports'] } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config, 'api'),
        ThrottlerModule.forRootAsync({
          inject: [APP_CONFIG, REDIS_CLIENT],
          useFactory: (cfg: AppConfig, redis: Redis) => ({
            throttlers: [
              { name: 'default', ttl: MINUTE_MS, limit: cfg.http.rateLimitPerMinute },
              { name: 'strict', ttl: MINUTE_MS, limit: cfg.http.authRateLimitPerMinute, skipIf: (ctx) => !isStrictRateLimited(ctx) },
            ],
            storage: new RedisThrottlerStorage(redis, cfg.redis.queuePrefix),
            // Behind a proxy, Fastify's trustProxy makes req.ip the client's address.
            getTracker: (req: Record<string, unknown>) => String(req.ip ?? 'unknown'),
          }),
        }),
        HealthModule,
        ...DOMAIN_MODULES,
        ...(extra.imports ?? []),
      ],
      providers: [
        { provide: APP_FILTER, useClass: ErrorEnvelopeFilter },
        { provide: APP_GUARD, useClass: ThrottlerGuard },
      ],
    };
  }
}
