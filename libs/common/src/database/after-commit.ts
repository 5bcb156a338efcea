import { EntityManager, EntitySubscriberInterface, EventSubscriber, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';
import { pipelineOf } from './pipelined-transaction';

type AfterCommitWork = () => unknown;

const PENDING = 'afterCommit';

/**
 * Runs `work` once the transaction `manager` belongs to has committed, or now when it is not in a
 * transaction. For side effects outside PostgreSQL that must not be seen before the data is (a
 * cache version bump read by other processes); nothing runs when the transaction rolls back. Errors
 * are swallowed: the work is a best-effort follow-up, never part of the transaction's outcome.
 */
export function runAfterCommit(manager: EntityManager, work: AfterCommitWork): void {
  const runner = manager.queryRunner;
  if (!runner?.isTransactionActive) {
    runSafely(work);
    return;
  }
  ((runner.data[PENDING] as AfterCommitWork[] | undefined) ??= []).push(work);
}

function runSafely(work: AfterCommitWork): void {
  try {
    void Promise.resolve(work()).catch(() => undefined);
  } catch {
    // best effort, see runAfterCommit
  }
}

/** Listed in every DataSource (buildDataSourceOptions): it is what makes runAfterCommit fire. */
@EventSubscriber()
export class AfterCommitSubscriber implements EntitySubscriberInterface {
  afterTransactionCommit(event: TransactionCommitEvent): void {
    // Also called when a savepoint is released: only the outermost commit makes the data visible.
    if (event.queryRunner.isTransactionActive) return;
    const pending = event.queryRunner.data[PENDING] as AfterCommitWork[] | undefined;
    if (!pending?.length) return;
    event.queryRunner.data[PENDING] = [];
    // A pipelined statement failed: PostgreSQL answered this COMMIT by rolling back.
    if (pipelineOf(event.queryRunner)?.failure) return;
    pending.forEach(runSafely);
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    if (!event.queryRunner.isTransactionActive) event.queryRunner.data[PENDING] = [];
  }
}
