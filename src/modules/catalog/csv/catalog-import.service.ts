import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { Jobs, MerchantScopedRepository, OutboxService, RequestContext } from '@app/common';
import { Merchant } from '../../merchants/entities/merchant.entity';
import { CatalogVersionService } from '../catalog-version.service';
import { CatalogImportReportDto } from '../dto/catalog-csv.dto';
import { CatalogImportRun, ImportRequester, ImportRowError, ImportRunStatus } from '../entities/catalog-import-run.entity';
import { ProductsService } from '../products.service';
import { decodeCsvUpload, INLINE_ROW_LIMIT, parseHeader, ProductGroup, ProductGroupReader, readCsvRecords, scanCsv } from './product-csv';
import { ImportScope, ProductGroupWriter } from './product-group-writer';

/** A chunk is one transaction (and one progress update): at most this many products or rows. */
const CHUNK_PRODUCTS = 200;
const CHUNK_ROWS = 1_000;
export const MAX_REPORTED_ERRORS = 1_000;

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
  csv: Buffer;
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
 * merchant's catalog lock, with a savepoint per product, so a failing product leaves nothing
 * behind while the others are imported. A dry run takes exactly the same path and rolls each
 * chunk back, so it reports what a real run would.
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
        const run = await repo.createQueryBuilder('r').addSelect('r.csv').where('r.id = :runId', { runId }).getOne();
        if (!run) return { run_id: runId, status: 'missing' as const };
        if (run.status === 'completed' || run.status === 'failed') return { run_id: runId, status: run.status };

        await repo.update(run.id, { status: 'running', startedAt: run.startedAt ?? new Date() });
        const tally = ImportTally.of(run);
        try {
          await this.importFile(runner, {
            merchantId: run.merchantId,
            csv: run.csv ?? Buffer.alloc(0),
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
    const flush = async () => {
      if (!chunk.length) return;
      await this.applyChunk(runner, scope, chunk, job);
      chunk = [];
      chunkRows = 0;
    };
    for await (const record of readCsvRecords(job.csv)) {
      if (!reader) reader = new ProductGroupReader(parseHeader(record.cells));
      else await take(reader.add(record));
    }
    await take(reader?.close() ?? null);
    await flush();
  }

  private async applyChunk(runner: QueryRunner, scope: ImportScope, chunk: ProductGroup[], job: ImportJob): Promise<void> {
    const { tally } = job;
    await runner.startTransaction();
    try {
      await this.products.lockCatalog(runner.manager, job.merchantId);
      const lookups = await this.writer.loadLookups(runner.manager, job.merchantId, chunk);
      for (const group of chunk) {
        if (group.errors.length) {
          tally.fail(group.errors);
        } else {
          try {
            // A nested transaction is a savepoint: a failing product is rolled back alone.
            const { outcome, remember } = await runner.manager.transaction((manager) => this.writer.apply(manager, scope, group, lookups));
            remember();
            tally[outcome]++;
          } catch (err) {
            tally.fail(ProductGroupWriter.rowErrorsOf(err, group));
          }
        }
        tally.processedRows += group.rows.length;
      }
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
