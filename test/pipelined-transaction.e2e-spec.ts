import type { EventEmitter } from 'node:events';
import { QueryFailedError } from 'typeorm';
import { commitNow, PgClient, pipelinedTransaction, pipelineOf, preparedQuery, runAfterCommit, sendStatement } from '@app/common';
import { bootTestApp, TestApp } from './harness/app';
import { SqlStatementCounter } from './support/sql-statements';

/**
 * pipelinedTransaction (the checkout's): statements and the COMMIT go out without waiting for
 * the answers before them, and a failure anywhere still means nothing was written and the first
 * failure is the error thrown.
 */
describe('Pipelined transactions', () => {
  let t: TestApp;
  const insert = `INSERT INTO pipeline_probe (id) VALUES ($1)`;
  const codeOf = (err: unknown) => ((err as QueryFailedError).driverError as Error & { code?: string }).code;
  const ids = async (): Promise<number[]> => ((await t.dataSource.query(`SELECT id FROM pipeline_probe ORDER BY id`)) as { id: number }[]).map((r) => r.id);

  beforeAll(async () => {
    t = await bootTestApp();
    await t.dataSource.query(`CREATE TABLE pipeline_probe (id int PRIMARY KEY)`);
  });
  afterAll(() => t?.close());
  beforeEach(() => t.dataSource.query(`DELETE FROM pipeline_probe`));

  it('sends statements without waiting, commits them together, then gives the connection back unpipelined', async () => {
    let client: PgClient | undefined;
    const afterCommit = jest.fn();
    const last = await pipelinedTransaction(t.dataSource, async (manager) => {
      client = pipelineOf(manager.queryRunner)!.client;
      // pg's pipeline mode is what keeps the COMMIT from waiting for the last statement's answer.
      expect(client.pipeline).toBe(true);
      await sendStatement(manager, insert, [1]);
      await sendStatement(manager, insert, [2]);
      runAfterCommit(manager, afterCommit);
      const placing = preparedQuery<{ id: number }>(manager, `${insert} RETURNING id`, [3]);
      const [rows] = await Promise.all([placing, commitNow(manager)]);
      return rows[0].id;
    });
    expect(last).toBe(3);
    expect(await ids()).toEqual([1, 2, 3]);
    expect(afterCommit).toHaveBeenCalledTimes(1);
    expect(client!.pipeline).toBe(false);
  });

  it('sends BEGIN, the statements of one tick and the COMMIT behind them in one socket write', async () => {
    const counter = new SqlStatementCounter(t).install();
    let writes: number;
    try {
      ({ writes } = await counter.run(() =>
        pipelinedTransaction(t.dataSource, async (manager) => {
          void sendStatement(manager, insert, [1]);
          void sendStatement(manager, insert, [2]);
          const placing = preparedQuery(manager, `${insert} RETURNING id`, [3]);
          await Promise.all([placing, commitNow(manager)]);
        }),
      ));
    } finally {
      counter.uninstall();
    }
    expect(await ids()).toEqual([1, 2, 3]);
    // pg alone writes each statement as it is queued, and TypeORM waits for BEGIN's answer: five writes.
    expect(writes).toBe(1);
  });

  it('rolls back when a statement nobody waited for fails, and throws that failure, not the abort that follows it', async () => {
    const afterCommit = jest.fn();
    const failure = await pipelinedTransaction(t.dataSource, async (manager) => {
      runAfterCommit(manager, afterCommit);
      await sendStatement(manager, insert, [1]);
      await sendStatement(manager, insert, [1]); // duplicate key
      await preparedQuery(manager, insert, [2]); // runs in an aborted transaction
    }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(QueryFailedError);
    expect(codeOf(failure)).toBe('23505');
    expect(await ids()).toEqual([]);
    expect(afterCommit).not.toHaveBeenCalled();
  });

  it('rolls back when the statement sent with the COMMIT fails, and runs no after-commit work', async () => {
    let client: PgClient | undefined;
    const afterCommit = jest.fn();
    const notices: string[] = [];
    const noticed = (notice: Error) => notices.push(notice.message);
    const failure = await pipelinedTransaction(t.dataSource, async (manager) => {
      client = pipelineOf(manager.queryRunner)!.client;
      (client as unknown as EventEmitter).on('notice', noticed);
      runAfterCommit(manager, afterCommit);
      await sendStatement(manager, insert, [5]);
      const placing = preparedQuery(manager, `${insert} RETURNING id`, [5]); // duplicate key
      await Promise.all([placing, commitNow(manager)]);
    }).catch((err: unknown) => err);
    expect(codeOf(failure)).toBe('23505');
    expect(await ids()).toEqual([]);
    expect(afterCommit).not.toHaveBeenCalled();
    expect(client!.pipeline).toBe(false);
    (client as unknown as EventEmitter).off('notice', noticed);
    // The COMMIT ended the transaction: no ROLLBACK was sent behind it ("there is no transaction in progress").
    expect(notices).toEqual([]);
    // The connection went back to the pool in working order.
    expect(await t.dataSource.query(`SELECT 1 AS ok`)).toEqual([{ ok: 1 }]);
  });

  it('rolls back what was sent when the work itself throws', async () => {
    const failure = await pipelinedTransaction(t.dataSource, async (manager) => {
      await sendStatement(manager, insert, [7]);
      throw new Error('business rule failed');
    }).catch((err: unknown) => err);
    expect((failure as Error).message).toBe('business rule failed');
    expect(await ids()).toEqual([]);
  });

  it('outside a pipelined transaction, sendStatement waits for its statement', async () => {
    await sendStatement(t.dataSource.manager, insert, [9]);
    expect(await ids()).toEqual([9]);
    await expect(sendStatement(t.dataSource.manager, insert, [9])).rejects.toBeInstanceOf(QueryFailedError);
  });
});
