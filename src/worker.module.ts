import { BeforeApplicationShutdown, DynamicModule, Inject, Injectable, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Redis } from 'ioredis';
import {
  APP_CONFIG,
  AppConfig,
  beat,
  HEARTBEAT_INTERVAL_MS,
  JobRunner,
  Jobs,
  OutboxPruneHandler,
  OutboxRelay,
  QueueRegistry,
  REDIS_CLIENT,
  removeBeat,
} from '@app/common';
import { CoreModule } from './core.module';
import { DOMAIN_MODULES } from './modules';

/** Starts the worker's moving parts once every module is ready, and stops them in reverse. */
@Injectable()
export class WorkerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Worker');
  private heartbeat?: NodeJS.Timeout;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly runner: JobRunner,
    private readonly relay: OutboxRelay,
    private readonly queues: QueueRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Throws JobHandlerCheckError (and the process exits) before anything is consumed.
    this.runner.start();
    await this.relay.start();
    await this.scheduleMaintenance().catch((err) => this.logger.warn({ err: (err as Error).message }, 'Could not schedule maintenance jobs yet'));
    const sendBeat = () => beat(this.redis, this.config.redis.queuePrefix).catch(() => undefined);
    void sendBeat();
    this.heartbeat = setInterval(sendBeat, HEARTBEAT_INTERVAL_MS);
    this.heartbeat.unref();
    this.logger.log('Worker started');
  }

  private async scheduleMaintenance(): Promise<void> {
    // Idempotent: the scheduler id is fixed, so every worker upserting it leaves one schedule.
    await this.queues
      .get(Jobs.OutboxPrune.queue)
      .upsertJobScheduler('outbox-prune-daily', { pattern: '17 3 * * *' }, { name: Jobs.OutboxPrune.name, data: { retain_days: 7 } });
    await this.queues
      .get(Jobs.InventoryExpireReservations.queue)
      .upsertJobScheduler('inventory-expire-reservations', { every: this.config.inventory.expirySweepSeconds * 1000 }, { name: Jobs.InventoryExpireReservations.name, data: {} });
    await this.queues
      .get(Jobs.MediaCleanupUnattached.queue)
      .upsertJobScheduler('media-cleanup-hourly', { pattern: '41 * * * *' }, { name: Jobs.MediaCleanupUnattached.name, data: { limit: 500 } });
    // The safety net of payment verification: payments nobody checked lately (lost webhooks, lost jobs).
    await this.queues
      .get(Jobs.PaymentVerifySweep.queue)
      .upsertJobScheduler('payment-verify-sweep', { every: this.config.payments.verifySweepSeconds * 1000 }, { name: Jobs.PaymentVerifySweep.name, data: { limit: 100 } });
    // Refunds left pending after their retries, and merchant transfers due (their delayed job lost or postponed).
    await this.queues
      .get(Jobs.RefundsTransfersSweep.queue)
      .upsertJobScheduler('refunds-transfers-sweep', { pattern: '*/10 * * * *' }, { name: Jobs.RefundsTransfersSweep.name, data: { limit: 100 } });
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.heartbeat);
    await removeBeat(this.redis, this.config.redis.queuePrefix).catch(() => undefined);
  }
}

/** The worker process: no HTTP server; runs job handlers and the outbox relay. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, extra: { imports?: DynamicModule['imports']; autoStart?: boolean } = {}): DynamicModule {
    return {
      module: WorkerModule,
      imports: [CoreModule.forRoot(config, 'worker'), DiscoveryModule, ...DOMAIN_MODULES, ...(extra.imports ?? [])],
      providers: [JobRunner, OutboxRelay, OutboxPruneHandler, ...(extra.autoStart === false ? [] : [WorkerLifecycle])],
      exports: [JobRunner, OutboxRelay],
    };
  }
}
