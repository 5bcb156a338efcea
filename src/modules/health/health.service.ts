import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig, liveWorkers, REDIS_CLIENT, withTimeout } from '@app/common';
import { DependencyCheckDto, LivenessDto, ReadinessDto, WorkerStatusDto } from './health.dto';

type Dependency = 'database' | 'redis';
const CHECK_TIMEOUT_MS = 2_000;

@Injectable()
export class HealthService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  liveness(): LivenessDto {
    return { status: 'ok', uptime_seconds: Math.round(process.uptime()), version: process.env.npm_package_version ?? '0.1.0' };
  }

  async readiness(dependencies: Dependency[], options: { includeWorkers?: boolean } = {}): Promise<ReadinessDto> {
    const probes: Record<Dependency, () => Promise<unknown>> = {
      database: () => this.dataSource.query('SELECT 1'),
      redis: () => this.redis.ping(),
    };
    const results = await Promise.all(dependencies.map(async (name) => [name, await this.check(name, probes[name])] as const));
    const checks = Object.fromEntries(results);
    const failing = results.filter(([, r]) => r.status === 'down').map(([name]) => name);
    const result: ReadinessDto = { status: failing.length ? 'error' : 'ok', checks };
    if (failing.length) result.failing = failing;
    if (options.includeWorkers && checks.redis?.status === 'up') result.workers = await this.workers();
    return result;
  }

  private async check(name: string, probe: () => Promise<unknown>): Promise<DependencyCheckDto> {
    const started = performance.now();
    try {
      await withTimeout(probe(), CHECK_TIMEOUT_MS, name);
      return { status: 'up', latency_ms: Math.round(performance.now() - started) };
    } catch (err) {
      return { status: 'down', latency_ms: Math.round(performance.now() - started), error: (err as Error).message };
    }
  }

  private async workers(): Promise<WorkerStatusDto> {
    try {
      const instances = await liveWorkers(this.redis, this.config.redis.queuePrefix);
      return { status: instances.length ? 'up' : 'down', instances };
    } catch {
      return { status: 'down', instances: [] };
    }
  }
}
