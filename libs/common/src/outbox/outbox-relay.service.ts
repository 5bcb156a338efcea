import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config';
import { withTimeout } from '../redis/redis';
import { QUEUE_JOB_OPTIONS, QueueName } from '../queue/queues';
import { QueueRegistry } from '../queue/queue-registry.service';
import { OUTBOX_CHANNEL } from './outbox.service';

interface PendingRow {
  id: string;
  queue: QueueName;
  name: string;
  payload: Record<string, unknown>;
  attempts: number;
}

const BATCH_SIZE = 200;
const REDIS_TIMEOUT_MS = 2_000;

/**
 * Worker-side: moves committed outbox rows to BullMQ. Rows are claimed with SKIP LOCKED, so several
 * workers can relay at once without double work; the job id is the row id, so a row relayed twice
 * (crash between add and commit) is still one job.
 */
@Injectable()
export class OutboxRelay implements BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private timer?: NodeJS.Timeout;
  private listener?: Client;
  private running?: Promise<void>;
  private wakeRequested = false;
  private stopped = true;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly queues: QueueRegistry,
  ) {}

  /** Relays one batch; returns how many rows reached their queue. */
  async relayBatch(limit = BATCH_SIZE): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const rows: PendingRow[] = await manager.query(
        `SELECT id, queue, name, payload, attempts FROM outbox_events
          WHERE sent_at IS NULL AND available_at <= now()
          ORDER BY available_at, created_at
          LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [limit],
      );
      if (rows.length === 0) return 0;

      const byQueue = new Map<QueueName, PendingRow[]>();
      for (const row of rows) byQueue.set(row.queue, [...(byQueue.get(row.queue) ?? []), row]);

      const sent: string[] = [];
      for (const [queueName, group] of byQueue) {
        try {
          const jobs = group.map((row) => ({
            name: row.name,
            data: row.payload,
            opts: { ...QUEUE_JOB_OPTIONS[queueName], jobId: row.id },
          }));
          await withTimeout(this.queues.get(queueName).addBulk(jobs), REDIS_TIMEOUT_MS, `relay to ${queueName}`);
          sent.push(...group.map((r) => r.id));
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          this.logger.warn({ queue: queueName, rows: group.length, err: message }, 'Outbox relay failed; will retry');
          // Back off per row: 1 s, 2 s, 4 s … capped at a minute, so a dead Redis is not hammered.
          await manager.query(
            `UPDATE outbox_events
                SET attempts = attempts + 1, last_error = $2,
                    available_at = clock_timestamp() + least(60, power(2, attempts)) * interval '1 second'
              WHERE id = ANY($1::uuid[])`,
            [group.map((r) => r.id), message.slice(0, 2000)],
          );
        }
      }
      if (sent.length) {
        await manager.query('UPDATE outbox_events SET sent_at = now(), last_error = NULL WHERE id = ANY($1::uuid[])', [sent]);
      }
      return sent.length;
    });
  }

  /** Relays until the backlog is empty. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.relayBatch();
      total += n;
      if (n < BATCH_SIZE) return total;
    }
  }

  /** Polls on an interval and also wakes on NOTIFY from committing transactions. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.listen().catch((err) => this.logger.warn({ err: (err as Error).message }, 'LISTEN unavailable; polling only'));
    this.schedule(0);
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.config.database.url, application_name: 'outbox-relay' });
    client.on('error', () => undefined);
    await client.connect();
    await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    client.on('notification', () => this.wake());
    this.listener = client;
  }

  private wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.wakeRequested = true;
      return;
    }
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), delayMs);
  }

  private async tick(): Promise<void> {
    if (this.stopped || this.running) return;
    this.wakeRequested = false;
    this.running = this.drain()
      .then(() => undefined)
      .catch((err) => this.logger.error({ err: (err as Error).message }, 'Outbox relay tick failed'));
    await this.running;
    this.running = undefined;
    if (!this.stopped) this.schedule(this.wakeRequested ? 0 : this.config.outbox.pollIntervalMs);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.listener?.end().catch(() => undefined);
  }
}
