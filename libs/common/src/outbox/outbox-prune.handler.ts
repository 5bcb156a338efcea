import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Jobs, PayloadOf } from '../queue/jobs';
import { OnJob } from '../queue/on-job.decorator';

/**
 * Sent outbox rows are only an audit trail once relayed; keep a week of them. Consumers' claims
 * (processed_events) live far longer than any redelivery can come (jobs are kept a day): 30 days.
 */
export const PROCESSED_EVENTS_RETAIN_DAYS = 30;

@Injectable()
export class OutboxPruneHandler {
  private readonly logger = new Logger(OutboxPruneHandler.name);

  constructor(private readonly dataSource: DataSource) {}

  @OnJob(Jobs.OutboxPrune)
  async prune(payload: PayloadOf<typeof Jobs.OutboxPrune>): Promise<{ deleted: number }> {
    const days = Math.max(1, payload.retain_days ?? 7);
    const result = await this.dataSource.query(
      `DELETE FROM outbox_events WHERE sent_at IS NOT NULL AND sent_at < now() - $1 * interval '1 day'`,
      [days],
    );
    const deleted = Number(result?.[1] ?? 0);
    const claims = await this.dataSource.query(`DELETE FROM processed_events WHERE created_at < now() - $1 * interval '1 day'`, [Math.max(days, PROCESSED_EVENTS_RETAIN_DAYS)]);
    this.logger.log({ deleted, claims_deleted: Number(claims?.[1] ?? 0), retain_days: days }, 'Pruned relayed outbox events and old consumer claims');
    return { deleted };
  }
}
