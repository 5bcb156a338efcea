import { DataSource, EntityManager, QueryFailedError, QueryRunner } from 'typeorm';

/** The part of a pg client this uses (pg ≥ 8.23: `pipeline` is its pipeline-mode switch). */
export interface PgClient {
  pipeline?: boolean;
  /** The socket pg writes to (pg's own field; absent in a client that is not pg's). */
  connection?: { stream?: { cork?(): void; uncork?(): void } };
  query(config: { name: string; text: string; values: unknown[] }, callback: (err: Error | null, result: { rows: unknown[] }) => void): void;
}

/** What a pipelined transaction keeps on its query runner (`runner.data`). */
export interface PipelineState {
  client: PgClient;
  /** The first statement that failed: PostgreSQL has aborted the transaction, and its COMMIT rolls it back. */
  failure?: QueryFailedError;
  /** The COMMIT, once sent (commitNow). */
  committing?: Promise<void>;
  /** Writes to the socket are being held until the current tick ends (coalesceWrites). */
  corked?: boolean;
}

const STATE = 'pipeline';

export function pipelineOf(runner: QueryRunner | undefined): PipelineState | undefined {
  return runner && !runner.isReleased ? (runner.data?.[STATE] as PipelineState | undefined) : undefined;
}

/**
 * Sends a statement on the pipelined transaction's connection now, without waiting for the
 * statements before it to answer. The callback form matters: pg calls it as it reads the answer,
 * so a failure is recorded before any later answer (the COMMIT's included) is read.
 */
export function sendPipelined<T>(state: PipelineState, name: string, sql: string, values: unknown[]): Promise<T[]> {
  if (state.failure) return Promise.reject(state.failure);
  coalesceWrites(state);
  return new Promise<T[]>((resolve, reject) => {
    state.client.query({ name, text: sql, values }, (err, result) => {
      if (!err) return resolve(result.rows as T[]);
      // A statement behind a failed one fails with "current transaction is aborted": the first failure is the one to report.
      state.failure ??= new QueryFailedError(sql, values, err);
      reject(state.failure);
    });
  });
}

/**
 * Holds the socket's writes until the current tick's synchronous work and promise reactions are
 * done, then sends them in one write. pg writes each statement as soon as it is queued (one
 * writev system call each, and each can wake PostgreSQL), so the checkout's stock update, order
 * statement and COMMIT took three writes where one does (12.2 → 10.1 writev calls per checkout
 * under strace; writev was the largest entry of the API's CPU profile at 20 buyers). Nothing can be waiting for
 * an answer to a statement still held here: answers are read from the socket after the tick.
 */
function coalesceWrites(state: PipelineState): void {
  const stream = state.client.connection?.stream;
  if (state.corked || !stream?.cork || !stream.uncork) return;
  stream.cork();
  state.corked = true;
  process.nextTick(() => {
    state.corked = false;
    stream.uncork!();
  });
}

/**
 * A transaction whose statements are sent without waiting for the ones before them to answer
 * (PostgreSQL runs them in order; pg's pipeline mode). Awaited statements behave as anywhere
 * else. What it adds: a statement whose answer the caller does not need (`sendStatement`) and the
 * COMMIT (`commitNow`) go out without a round trip through this process. That matters for the
 * rows a transaction holds locked: a checkout's stock levels and its store's order-number
 * counter are then locked for the time PostgreSQL takes to run the last statements, not for that
 * plus the time this process, busy with other requests, takes to read each answer and send the
 * next statement.
 *
 * When a statement fails, PostgreSQL aborts the transaction: later statements fail, the COMMIT
 * rolls back, and the error thrown is the first failure's (a QueryFailedError, as elsewhere).
 * runAfterCommit work does not run then.
 */
export async function pipelinedTransaction<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  try {
    const client = (await runner.connect()) as PgClient;
    const state: PipelineState = { client };
    // Without the switch (a pg that lacks it), pg queues the statements instead: the same outcome, one round trip each.
    const pipelining = typeof client.pipeline === 'boolean';
    if (pipelining) {
      client.pipeline = true;
      begin(runner, state);
    } else {
      await runner.startTransaction();
    }
    runner.data[STATE] = state;
    try {
      const result = await work(runner.manager);
      if (runner.isTransactionActive) await commitNow(runner.manager);
      return result;
    } catch (err) {
      // A statement sent with the COMMIT can fail before the COMMIT is answered (which then rolls
      // back): wait for that answer rather than send a ROLLBACK behind it. A ROLLBACK is answered
      // after every statement sent before it: past either, none is in flight.
      await state.committing?.catch(() => undefined);
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw state.failure ?? err;
    } finally {
      if (pipelining) client.pipeline = false;
      delete runner.data[STATE];
    }
  } finally {
    await runner.release();
  }
}

/**
 * Sends BEGIN without waiting for its answer, so it leaves with the transaction's first statements
 * instead of costing a round trip of its own (TypeORM's startTransaction waits for it). A failed
 * BEGIN is the transaction's first failure, as any statement's. Then records on the runner what
 * startTransaction would have (no subscriber of ours listens for a transaction's start).
 */
function begin(runner: QueryRunner, state: PipelineState): void {
  sendPipelined(state, 'p_begin', 'BEGIN', []).catch(() => undefined);
  // The runner was just created: no transaction, depth 0.
  Object.assign(runner as unknown as { isTransactionActive: boolean; transactionDepth: number }, { isTransactionActive: true, transactionDepth: 1 });
}

/**
 * Commits a pipelinedTransaction now: the COMMIT is sent right behind the statements already
 * sent, whose answers may still be awaited (`Promise.all([lastStatement, commitNow(manager)])`).
 * Throws the first failed statement's error; the transaction was then rolled back.
 */
export async function commitNow(manager: EntityManager): Promise<void> {
  const runner = manager.queryRunner;
  const state = pipelineOf(runner);
  if (!runner || !state) throw new Error('commitNow: only in a pipelinedTransaction');
  if (state.failure) {
    await runner.rollbackTransaction();
    throw state.failure;
  }
  // Every statement sent before it is answered before the COMMIT is: state.failure is final here.
  coalesceWrites(state);
  state.committing = runner.commitTransaction();
  await state.committing;
  if (state.failure) throw state.failure;
}
