import { AsyncLocalStorage } from 'node:async_hooks';
import { Socket } from 'node:net';
import type { Response } from 'supertest';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { TestApp } from '../harness/app';

type QueryFn = (this: unknown, ...args: unknown[]) => unknown;

interface Tally {
  statements: string[];
  /** Socket writes to PostgreSQL: each is a flight of statements the request then waits on. */
  writes: number;
}

type SocketWrite = '_write' | '_writev';

/**
 * Counts the SQL statements one HTTP request sends to PostgreSQL.
 *
 * How: whatever issues a statement (TypeORM repositories and query builders, raw manager.query,
 * the auth guard), it ends up in `Client.prototype.query` of the `pg` module the TypeORM driver
 * loaded (`driver.postgres`); pg-pool creates its connections from that class. We wrap that one
 * method and attribute each call to the request through an AsyncLocalStorage scope opened around
 * the supertest call: supertest makes the (not yet listening) app server listen on a fresh port for
 * each request, inside that scope, and Node's async context flows from the listening socket to the
 * connection, to the request, and to everything its handler awaits (guards, pipes, TypeORM).
 * Statements from other work running at the same time (the outbox relay's polling, a previous
 * test's fire-and-forget writes) carry no scope and are not counted. Why not the alternatives: a TypeORM logger only sees what goes through
 * a QueryRunner and is set at startup; a global counter between "before" and "after" would pick up
 * that background polling and flake.
 */
export class SqlStatementCounter {
  private readonly scope = new AsyncLocalStorage<Tally>();
  private original: QueryFn | undefined;
  private prototype: { query: QueryFn } | undefined;
  private originalWrites: Record<SocketWrite, QueryFn> | undefined;

  constructor(private readonly t: TestApp) {}

  install(): this {
    const pg = (this.t.dataSource.driver as PostgresDriver).postgres as { Client: { prototype: { query: QueryFn } } };
    this.prototype = pg.Client.prototype;
    const original = (this.original = this.prototype.query);
    const scope = this.scope;
    this.prototype.query = function countedQuery(this: unknown, ...args: unknown[]) {
      const first = args[0];
      scope.getStore()?.statements.push(typeof first === 'string' ? first : String((first as { text?: string })?.text ?? first));
      return original.apply(this, args);
    };
    // pg writes a statement to its socket when it is queried, or (pipelined) when the tick's
    // corked writes are flushed: both in the request's async context.
    const port = Number((this.t.dataSource.options as { port?: number }).port ?? 5432);
    const socket = Socket.prototype as unknown as Record<SocketWrite, QueryFn>;
    const writes = (this.originalWrites = { _write: socket._write, _writev: socket._writev });
    for (const method of ['_write', '_writev'] as const) {
      socket[method] = function countedWrite(this: unknown, ...args: unknown[]) {
        const tally = scope.getStore();
        if (tally && (this as Socket).remotePort === port) tally.writes++;
        return writes[method].apply(this, args);
      };
    }
    return this;
  }

  uninstall(): void {
    if (this.prototype && this.original) this.prototype.query = this.original;
    if (this.originalWrites) Object.assign(Socket.prototype, this.originalWrites);
  }

  /**
   * Sends one request through the test app (shaped like Fastify's inject options) and returns its
   * response with the statements it ran, in order, and its socket writes to PostgreSQL.
   */
  async request(options: { method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; url: string; headers?: Record<string, string>; payload?: object }): Promise<{ response: Response; statements: string[]; writes: number }> {
    if (!this.original) throw new Error('SqlStatementCounter.install() first');
    const tally: Tally = { statements: [], writes: 0 };
    const method = (options.method ?? 'GET').toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
    // Awaited inside the scope: supertest starts the server's listening socket there, so the
    // request handled on it inherits the scope (see the class comment).
    const response = await this.scope.run(tally, async () => {
      const pending = this.t.http[method](options.url).set(options.headers ?? {});
      return await (options.payload === undefined ? pending : pending.send(options.payload));
    });
    return { response, statements: [...tally.statements], writes: tally.writes };
  }

  /** Runs `work` (say a job handler, called directly) and returns its result with the statements it ran, in order, and its socket writes to PostgreSQL. */
  async run<T>(work: () => Promise<T>): Promise<{ result: T; statements: string[]; writes: number }> {
    if (!this.original) throw new Error('SqlStatementCounter.install() first');
    const tally: Tally = { statements: [], writes: 0 };
    const result = await this.scope.run(tally, work);
    return { result, statements: [...tally.statements], writes: tally.writes };
  }

  get(url: string, headers: Record<string, string> = {}): Promise<{ response: Response; statements: string[] }> {
    return this.request({ method: 'GET', url, headers });
  }
}
