import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { insertRowsStatement } from '../database/bulk-write';
import { preparedQuery } from '../database/prepared-query';
import type { JobDefinition, PayloadOf } from '../queue/jobs';
import { OutboxEvent } from './outbox-event.entity';

export const OUTBOX_CHANNEL = 'outbox_events';

/**
 * Events due later are not announced: the relay's poll finds them once due. A notification
 * would only wake the relay for nothing, and PostgreSQL commits notifying transactions one at a
 * time (a database-wide lock held through the commit's WAL flush).
 */
export function isDelayed(options: { delayMs?: number }): boolean {
  return (options.delayMs ?? 0) > 0;
}

/**
 * Services publish events through this, passing the EntityManager of their own transaction: the
 * event commits or rolls back with the change it describes.
 */
@Injectable()
export class OutboxService {
  async publish<J extends JobDefinition>(
    manager: EntityManager,
    job: J,
    payload: PayloadOf<J>,
    options: { delayMs?: number } = {},
  ): Promise<string> {
    const [id] = await this.publishMany(manager, [{ job, payload }], options);
    return id;
  }

  /**
   * Many events in one statement and one notification (bulk operations such as the CSV import),
   * with the same guarantee as publish(): they commit or roll back with the caller's transaction.
   */
  async publishMany<J extends JobDefinition>(manager: EntityManager, events: { job: J; payload: PayloadOf<J> }[], options: { delayMs?: number } = {}): Promise<string[]> {
    if (!events.length) return [];
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error(`Outbox events ${events[0].job.queue}/${events[0].job.name}… must be published inside a transaction`);
    }
    const insert = this.insertStatement(manager, events, options);
    if (isDelayed(options)) {
      await preparedQuery(manager, insert.sql, [insert.parameter]);
      return insert.ids;
    }
    // The rows and the notification in one round trip (the notification is delivered at commit either way).
    await preparedQuery(manager, `WITH inserted AS (${insert.sql}) SELECT pg_notify($2, $3)`, [insert.parameter, OUTBOX_CHANNEL, insert.ids[0]]);
    return insert.ids;
  }

  /**
   * The INSERT of these events, for a caller that writes them inside a larger statement (the same
   * transaction guarantee): its one parameter is `$<parameter>`, whose value is `parameter`. The
   * caller also selects `pg_notify(OUTBOX_CHANNEL, ids[0])` when the rows are inserted, unless they
   * are delayed (`isDelayed`). `source`:
   * as insertRowsStatement's (each row is `[id, queue, name, payload, available_at]`).
   */
  insertStatement<J extends JobDefinition>(
    manager: EntityManager,
    events: { job: J; payload: PayloadOf<J> }[],
    options: { delayMs?: number } = {},
    parameter = 1,
    source?: (jsonb: string) => string,
  ): { sql: string; parameter: string; ids: string[] } {
    const availableAt = new Date(Date.now() + (options.delayMs ?? 0));
    const rows = events.map(({ job, payload }) => ({ id: randomUUID(), queue: job.queue, name: job.name, payload: payload as Record<string, unknown>, availableAt }));
    const insert = insertRowsStatement(manager, OutboxEvent, rows, ['id', 'queue', 'name', 'payload', 'availableAt'], parameter, source);
    return { sql: insert.sql, parameter: insert.parameters[0], ids: rows.map((r) => r.id) };
  }
}
