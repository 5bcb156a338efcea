import { createHash } from 'node:crypto';
import { EntityManager, QueryFailedError } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import { pipelineOf, sendPipelined } from './pipelined-transaction';

interface PgQueryable {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

const names = new Map<string, string>();

/** A statement's name: the same for the same text, in every process (PostgreSQL keeps it per connection). */
function nameOf(sql: string): string {
  let name = names.get(sql);
  if (name === undefined) {
    name = `p_${createHash('sha1').update(sql).digest('base64url')}`;
    names.set(sql, name);
  }
  return name;
}

/**
 * Runs a statement of FIXED text as a named prepared statement: each pooled connection parses it
 * once, and plans it once too when PostgreSQL settles on a generic plan (after five executions,
 * when that plan costs no more than the custom ones). In the checkout's statement log (bench/
 * RESULTS.md), parse and bind (which plans an unnamed statement) were about half of PostgreSQL's
 * time per order.
 *
 * Only for statements whose text comes from the code, never built from a request: every distinct
 * text stays prepared on every connection for the connection's life. Runs on the manager's
 * transaction when it has one, else on the pool. A migration that changes the type of a column
 * such a statement returns needs the processes restarted (PostgreSQL refuses to run the old
 * statement: "cached plan must not change result type"), as deploys do: migrate, then start
 * (`npm start`; the Dockerfile's migrations step). Errors are TypeORM's QueryFailedError, as from
 * `manager.query`, so the error envelope maps them the same way. Returns the rows (none for an
 * UPDATE or DELETE without RETURNING).
 */
export async function preparedQuery<T = Record<string, unknown>>(manager: EntityManager, sql: string, values: unknown[]): Promise<T[]> {
  const runner = manager.queryRunner as PostgresQueryRunner | undefined;
  // In a pipelined transaction it is sent before this returns, so statements go out in call order.
  const pipeline = pipelineOf(runner);
  if (pipeline) return sendPipelined<T>(pipeline, nameOf(sql), sql, values);
  const target: PgQueryable = runner && !runner.isReleased ? ((await runner.connect()) as PgQueryable) : ((manager.connection.driver as PostgresDriver).master as PgQueryable);
  try {
    return (await target.query({ name: nameOf(sql), text: sql, values })).rows as T[];
  } catch (err) {
    throw new QueryFailedError(sql, values, err as Error);
  }
}

/**
 * A fixed statement whose answer the caller does not need (a write without RETURNING). In a
 * pipelinedTransaction it is sent and not waited for: a failure surfaces at the next statement
 * awaited or at the COMMIT, and the transaction is rolled back. Elsewhere it runs as preparedQuery.
 */
export async function sendStatement(manager: EntityManager, sql: string, values: unknown[]): Promise<void> {
  const pipeline = pipelineOf(manager.queryRunner);
  if (!pipeline) {
    await preparedQuery(manager, sql, values);
    return;
  }
  // Reported through pipeline.failure; this promise is nobody's to await.
  sendPipelined(pipeline, nameOf(sql), sql, values).catch(() => undefined);
}

/**
 * For the rest of the caller's transaction, prepared statements run their generic plan (built once
 * per connection) instead of being planned again for each execution. PostgreSQL otherwise keeps
 * planning statements with `= ANY($1)` on every run, because it cannot know the array is small.
 * Only for transactions whose every statement is a fixed one whose plan does not depend on its
 * values (lookups by ids): the checkout's. Measured there: +20 % orders/s at 20 buyers (bench/RESULTS.md).
 */
export async function useGenericPlans(manager: EntityManager): Promise<void> {
  if (!manager.queryRunner?.isTransactionActive) throw new Error('useGenericPlans: only inside a transaction (it is SET LOCAL)');
  await sendStatement(manager, `SET LOCAL plan_cache_mode = force_generic_plan`, []);
}
