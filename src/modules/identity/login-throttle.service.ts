import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG, AppConfig, AppException, ErrorCode, REDIS_CLIENT } from '@app/common';

/**
 * Per-account brute-force protection (the per-IP limit is the strict rate limit on the route):
 * after LOGIN_MAX_FAILURES failures within the window the account refuses logins until the window
 * ends, whatever the password. Fails open if Redis is unreachable.
 */
@Injectable()
export class LoginThrottle {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private key(email: string): string {
    return `${this.config.redis.queuePrefix}:auth:login-failures:${email}`;
  }

  async assertNotLocked(email: string): Promise<void> {
    const failures = Number(await this.redis.get(this.key(email)).catch(() => 0)) || 0;
    if (failures >= this.config.login.maxFailures) {
      const ttl = await this.redis.ttl(this.key(email)).catch(() => this.config.login.lockWindowSeconds);
      throw new AppException(ErrorCode.RateLimited, 'Too many failed logins for this account; try again later', HttpStatus.TOO_MANY_REQUESTS, {
        retry_after_seconds: Math.max(ttl, 1),
      });
    }
  }

  async recordFailure(email: string): Promise<void> {
    await this.redis
      .multi()
      .incr(this.key(email))
      .expire(this.key(email), this.config.login.lockWindowSeconds, 'NX')
      .exec()
      .catch(() => undefined);
  }

  async reset(email: string): Promise<void> {
    await this.redis.del(this.key(email)).catch(() => undefined);
  }
}
