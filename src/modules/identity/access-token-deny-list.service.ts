import { Inject, Injectable, Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG, AppConfig, REDIS_CLIENT } from '@app/common';

/**
 * Access tokens revoked before they expire (logout, OAuth revoke). Kept in Redis until the token
 * would have expired anyway. If Redis is unreachable the check lets the token through: access
 * tokens live 15 minutes, and refusing every request while Redis is down would be worse.
 */
@Injectable()
export class AccessTokenDenyList {
  private readonly logger = new Logger(AccessTokenDenyList.name);

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private key(jti: string): string {
    return `${this.config.redis.queuePrefix}:auth:denied-jti:${jti}`;
  }

  async deny(jti: string, expiresAtSeconds: number): Promise<void> {
    const ttl = Math.max(1, Math.ceil(expiresAtSeconds - Date.now() / 1000));
    await this.redis.set(this.key(jti), '1', 'EX', ttl).catch((err: Error) => this.logger.warn({ err: err.message }, 'Could not deny-list token'));
  }

  async isDenied(jti: string): Promise<boolean> {
    try {
      return (await this.redis.exists(this.key(jti))) === 1;
    } catch {
      return false;
    }
  }
}
