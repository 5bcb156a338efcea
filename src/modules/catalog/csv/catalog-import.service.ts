import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { Jobs, MerchantScopedRepository, OutboxService, RequestContext } from '@app/common';
import { Merchant } from '../../merchants/entities/merchant.entity';
import { CatalogVersionService } from '../catalog-version.service';
import { CatalogImportReportDto } from '../dto/catalog-csv.dto';
import { CatalogImportRun, ImportRequester, ImportRowError, ImportRunStatus } from '../entities/catalog-import-run.entity';
import { ProductsService } from '../products.service';
import { CsvSource, decodeCsvUpload, INLINE_ROW_LIMIT, parseHeader, ProductGroup, ProductGroupReader, readCsvRecords, scanCsv } from './product-csv';
import { GroupOutcome, GroupPlan, ImportScope, ProductGroupWriter } from './product-group-writer';

/** A chunk is one transaction (and one progress update): at most this many products or rows. */
const CHUNK_PRODUCTS = 500;
const CHUNK_ROWS = 1_000;
export const MAX_REPORTED_ERRORS = 1_000;
/**
 * The worker reads a stored file in pieces of this size, never the whole upload at once. Each read
 * decompresses the stored value up to the piece, so pieces are not made smaller than they need be.
 */
const STORED_CSV_PIECE_BYTES = 2 * 1024 * 1024;
/** While a chunk is written, reading the next one pauses for I/O every this many rows. */
const YIELD_EVERY_ROWS = 20;

/** What became of one product group of a chunk. */
type GroupResult = { outcome: GroupOutcome } | { errors: ImportRowError[] };

export interface CsvUpload {
  bytes: Buffer;
  fileName: string | null;
}

/** Counts of an import so far; a resumed run starts from the stored ones. */
class ImportTally {
  processedRows = 0;
  created = 0;
  updated = 0;
  unchanged = 0;
  failed = 0;
  errors: ImportRowError[] = [];
  errorsTruncated = false;

  static of(run: CatalogImportRun): ImportTally {
    return Object.assign(new ImportTally(), {
      processedRows: run.processedRows,
      created: run.created,
      updated: run.updated,
      unchanged: run.unchanged,
      failed: run.failed,
      errors: run.errors,
      errorsTruncated: run.errorsTruncated,
    });
  }

  /** One product (or handle-less row) failed with these row errors. */
  fail(errors: ImportRowError[]): void {
    this.failed++;
    const room = MAX_REPORTED_ERRORS - this.errors.length;
    this.errors.push(...errors.slice(0, Math.max(0, room)));
    if (errors.length > room) this.errorsTruncated = true;
  }

  columns(): Partial<CatalogImportRun> {
    const { processedRows, created, updated, unchanged, failed, errors, errorsTruncated } = this;
    return { processedRows, created, updated, unchanged, failed, errors, errorsTruncated };
  }
}

interface ImportJob {
  merchantId: string;
  /** The file, or its pieces as they are read from the run's row. */
  csv: CsvSource;
  dryRun: boolean;
  ctx: RequestContext | null;
  tally: ImportTally;
  /** Persists progress; for a real run it is called inside the chunk's transaction, so progress and data commit together. */
  saveProgress?: (manager: EntityManager, tally: ImportTally) => Promise<unknown>;
}

function requesterOf(ctx: RequestContext): ImportRequester | null {
  const p = ctx.principal;
  if (!p) return null;
  return { kind: p.kind, user_id: p.userId, api_key_id: p.apiKeyId ?? null, role: p.role, request_id: ctx.requestId, ip: ctx.ip };
}

/** The request's context again, in the worker: audit entries name whoever uploaded the file. */
function contextOf(run: CatalogImportRun): RequestContext | null {
  const r = run.requestedBy;
  if (!r) return null;
  return {
    principal: { kind: r.kind, userId: r.user_id, apiKeyId: r.api_key_id ?? undefined, role: r.role, merchantId: run.merchantId, scopes: [] },
    requestId: r.request_id,
    ip: r.ip,
  };
}

/**
 * CSV catalog import: checks the file, runs small ones inline and queues large ones for the
 * catalog-import job, and applies a file chunk by chunk. A chunk is one transaction holding the
 * merchant's catalog lock: its products are checked and planned in memory against one read of
 * the database, then written together with a fixed number of set-based statements. Should that
 * write fail, the chunk is redone with a savepoint per product, so a failing product leaves
 * nothing behind while the others are imported. A dry run takes exactly the same path and rolls
 * each chunk back, so it reports what a real run would.
 */
@Injectable()
export class CatalogImportService {
  private readonly logger = new Logger(CatalogImportService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly products: ProductsService,
    private readonly writer: ProductGroupWriter,
    private readonly outbox: OutboxService,
    private readonly versions: CatalogVersionService,
  ) {}

  runs(manager: EntityManager = this.dataSource.manager) {
    return MerchantScopedRepository.for(manager, CatalogImportRun);
  }

  /**
   * Refuses a file with a bad encoding, header or structure (422, nothing written). Then up to
   * INLINE_ROW_LIMIT data rows are imported now (queued: false, the final report); larger files
   * are stored with their job published in the same transaction (queued: true).
   */
  async submit(ctx: RequestContext, merchantId: string, upload: CsvUpload, dryRun: boolean): Promise<{ queued: boolean; report: CatalogImportReportDto }> {
    const csv = decodeCsvUpload(upload.bytes);
    const { dataRows } = await scanCsv(csv);

    if (dataRows > INLINE_ROW_LIMIT) {
      const run = await this.dataSource.transaction(async (manager) => {
        const saved = await this.runs(manager).save(merchantId, {
          status: 'queued',
          dryRun,
          fileName: upload.fileName,
          csv,
          totalRows: dataRows,
          requestedBy: requesterOf(ctx),
        });
        await this.outbox.publish(manager, Jobs.CatalogImport, { run_id: saved.id, merchant_id: merchantId });
        return saved;
      });
      return { queued: true, report: this.view(run) };
    }

    const startedAt = new Date();
    const tally = new ImportTally();
    await this.withConnection((runner) => this.importFile(runner, { merchantId, csv, dryRun, ctx, tally }));
    if (dryRun) {
      const report = this.view(Object.assign(new CatalogImportRun(), { status: 'completed', dryRun, fileName: upload.fileName, totalRows: dataRows, ...tally.columns() }));
      return { queued: false, report: { ...report, job_id: null } };
    }
    this.bumpVersion(merchantId, tally);
    // Recorded too, so every import has a report to come back to.
    const run = await this.runs().save(merchantId, {
      status: 'completed',
      dryRun,
      fileName: upload.fileName,
      totalRows: dataRows,
      ...tally.columns(),
      requestedBy: requesterOf(ctx),
      startedAt,
      finishedAt: new Date(),
    });
    return { queued: false, report: this.view(run) };
  }

  /** An import of this merchant (another merchant's id: 404). */
  async progress(merchantId: string, runId: string): Promise<CatalogImportReportDto> {
    return this.view(await this.runs().getById(merchantId, runId));
  }

  /**
   * The catalog-import job. Idempotent: a finished run is left alone, and a run that another
   * worker is processing (it holds the run's advisory lock) is skipped. A run left `running` by a
   * crashed worker resumes after its last committed chunk.
   */
  async runStored(runId: string): Promise<{ run_id: string; status: ImportRunStatus | 'missing' | 'locked' }> {
    return this.withConnection(async (runner) => {
      // A session lock on this connection: released when the run ends or the worker dies.
      const [{ locked }] = await runner.query(`SELECT pg_try_advisory_lock(hashtext($1)) AS locked`, [`catalog-import:${runId}`]);
      if (!locked) return { run_id: runId, status: 'locked' as const };
      try {
        const repo = runner.manager.getRepository(CatalogImportRun);
        const run = await repo.findOneBy({ id: runId });
        if (!run) return { run_id: runId, status: 'missing' as const };
        if (run.status === 'completed' || run.status === 'failed') return { run_id: runId, status: run.status };

        await repo.update(run.id, { status: 'running', startedAt: run.startedAt ?? new Date() });
        const tally = ImportTally.of(run);
        try {
          await this.importFile(runner, {
            merchantId: run.merchantId,
            csv: this.storedCsv(run.id),
            dryRun: run.dryRun,
            ctx: contextOf(run),
            tally,
            saveProgress: (manager, t) => manager.getRepository(CatalogImportRun).update(run.id, t.columns()),
          });
        } catch (err) {
          this.logger.error({ run_id: run.id, err }, 'Catalog import stopped on an unexpected error');
          const failureReason = 'The import stopped on an unexpected error; the rows counted in processed_rows were applied, the rest were not. Upload the file again to finish.';
          await repo.update(run.id, { status: 'failed', failureReason, finishedAt: new Date(), csv: null });
          throw err;
        }
        // The bytes served their purpose; the report stays.
        await repo.update(run.id, { status: 'completed', finishedAt: new Date(), csv: null, ...tally.columns() });
        if (!run.dryRun) this.bumpVersion(run.merchantId, tally);
        return { run_id: runId, status: 'completed' as const };
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtext($1))`, [`catalog-import:${runId}`]);
      }
    });
  }

  /**
   * The stored file in pieces, read as the parser needs them: the worker holds a few megabytes of
   * it at a time, not the whole upload (nor the whole of its hex-encoded transfer).
   */
  private async *storedCsv(runId: string): AsyncGenerator<Buffer> {
    for (let offset = 0; ; offset += STORED_CSV_PIECE_BYTES) {
      const [row]: { piece: Buffer | null }[] = await this.dataSource.query(`SELECT substring(csv FROM $2 FOR $3) AS piece FROM catalog_import_runs WHERE id = $1`, [
        runId,
        offset + 1,
        STORED_CSV_PIECE_BYTES,
      ]);
      if (!row?.piece?.length) return;
      yield row.piece;
      if (row.piece.length < STORED_CSV_PIECE_BYTES) return;
    }
  }

  /** Streams the file into product groups and applies them chunk by chunk, skipping what a resumed run already did. */
  private async importFile(runner: QueryRunner, job: ImportJob): Promise<void> {
    const merchant = await runner.manager.getRepository(Merchant).findOneByOrFail({ id: job.merchantId });
    const scope: ImportScope = { ctx: job.ctx, merchant, collectionIds: await this.writer.collectionIds(runner.manager, job.merchantId) };
    let reader: ProductGroupReader | undefined;
    let chunk: ProductGroup[] = [];
    let chunkRows = 0;
    const take = async (group: ProductGroup | null) => {
      if (!group || group.firstRowIndex < job.tally.processedRows) return;
      chunk.push(group);
      chunkRows += group.rows.length;
      if (chunk.length >= CHUNK_PRODUCTS || chunkRows >= CHUNK_ROWS) await flush();
    };
    // One chunk in the database at a time, in file order; the next one is read and checked meanwhile.
    let writing: Promise<void> | undefined;
    const flush = async () => {
      if (!chunk.length) return;
      const ready = chunk;
      chunk = [];
      chunkRows = 0;
      await writing;
      writing = this.applyChunk(runner, scope, ready, job);
      void writing.catch(() => undefined); // its error surfaces where it is awaited: the next flush or the end
    };
    let sinceYield = 0;
    try {
      for await (const record of readCsvRecords(job.csv)) {
        if (!reader) reader = new ProductGroupReader(parseHeader(record.cells));
        else await take(reader.add(record));
        // Reading runs on microtasks: now and then let the chunk being written get its query results.
        if (writing && ++sinceYield >= YIELD_EVERY_ROWS) {
          sinceYield = 0;
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      }
      await take(reader?.close() ?? null);
      await flush();
      await writing;
    } finally {
      // Should reading fail, the chunk being written still ends (committed or rolled back) before the run is marked.
      await writing?.catch(() => undefined);
    }
  }

  private async applyChunk(runner: QueryRunner, scope: ImportScope, chunk: ProductGroup[], job: ImportJob): Promise<void> {
    const { tally } = job;
    await runner.startTransaction();
    try {
      await this.products.lockCatalog(runner.manager, job.merchantId);
      let results: GroupResult[];
      try {
        // A nested transaction is a savepoint: a failed bulk write is undone before the chunk is redone product by product.
        results = await runner.manager.transaction((manager) => this.applyTogether(manager, scope, chunk));
      } catch (err) {
        this.logger.debug({ err: (err as Error).message, rows: chunk.reduce((n, g) => n + g.rows.length, 0) }, 'Chunk write failed; applying its products one by one');
        results = await this.applyOneByOne(runner, scope, chunk);
      }
      chunk.forEach((group, i) => {
        const result = results[i];
        if ('errors' in result) tally.fail(result.errors);
        else tally[result.outcome]++;
        tally.processedRows += group.rows.length;
      });
      if (job.dryRun) {
        await runner.rollbackTransaction();
        await job.saveProgress?.(runner.manager, tally);
      } else {
        await job.saveProgress?.(runner.manager, tally);
        await runner.commitTransaction();
      }
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw err;
    }
  }

  /** The fast path: every product of the chunk planned in memory, then written in one go. */
  private async applyTogether(manager: EntityManager, scope: ImportScope, chunk: ProductGroup[]): Promise<GroupResult[]> {
    const lookups = await this.writer.loadLookups(manager, scope.merchant.id, chunk);
    const plans: GroupPlan[] = [];
    const results = chunk.map((group): GroupResult => {
      if (group.errors.length) return { errors: group.errors };
      try {
        const plan = this.writer.plan(scope, group, lookups);
        plan.remember();
        plans.push(plan);
        return { outcome: plan.outcome };
      } catch (err) {
        return { errors: ProductGroupWriter.rowErrorsOf(err, group) };
      }
    });
    await this.writer.write(manager, scope, plans);
    return results;
  }

  /**
   * The careful path, for a chunk whose bulk write failed (a conflict only the database saw): each
   * product in its own savepoint, planned against what the products before it left, so a failing
   * product is rolled back alone and reported on its rows.
   */
  private async applyOneByOne(runner: QueryRunner, scope: ImportScope, chunk: ProductGroup[]): Promise<GroupResult[]> {
    const lookups = await this.writer.loadLookups(runner.manager, scope.merchant.id, chunk);
    const results: GroupResult[] = [];
    for (const group of chunk) {
      if (group.errors.length) {
        results.push({ errors: group.errors });
        continue;
      }
      try {
        const plan = this.writer.plan(scope, group, lookups);
        if (plan.outcome !== 'unchanged') await runner.manager.transaction((manager) => this.writer.write(manager, scope, [plan]));
        plan.remember();
        results.push({ outcome: plan.outcome });
      } catch (err) {
        results.push({ errors: ProductGroupWriter.rowErrorsOf(err, group) });
      }
    }
    return results;
  }

  private async withConnection<T>(work: (runner: QueryRunner) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      return await work(runner);
    } finally {
      await runner.release();
    }
  }

  /** Once per import, not once per product: storefront caches revalidate after the whole file. */
  private bumpVersion(merchantId: string, tally: ImportTally): void {
    if (tally.created + tally.updated > 0) void this.versions.bump(merchantId).catch(() => undefined);
  }

  private view(run: CatalogImportRun): CatalogImportReportDto {
    const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
    return {
      job_id: run.id ?? null,
      status: run.status,
      dry_run: run.dryRun,
      file_name: run.fileName ?? null,
      total_rows: run.totalRows,
      processed_rows: run.processedRows ?? 0,
      created: run.created ?? 0,
      updated: run.updated ?? 0,
      unchanged: run.unchanged ?? 0,
      failed: run.failed ?? 0,
      errors: run.errors ?? [],
      errors_truncated: run.errorsTruncated ?? false,
      failure_reason: run.failureReason ?? null,
      created_at: iso(run.createdAt),
      started_at: iso(run.startedAt),
      finished_at: iso(run.finishedAt),
    };
  }
}
