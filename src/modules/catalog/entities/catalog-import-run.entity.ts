import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '@app/common';

export const IMPORT_RUN_STATUSES = ['queued', 'running', 'completed', 'failed'] as const;
export type ImportRunStatus = (typeof IMPORT_RUN_STATUSES)[number];

/** One row-level problem of an import: the CSV line (1-based, the header is line 1) and column. */
export interface ImportRowError {
  line: number;
  column?: string;
  /** The product (handle) the row belongs to; every row of that product was skipped. */
  handle?: string;
  message: string;
}

/** Who started the import, kept so the worker's audit entries name the same actor as the request. */
export interface ImportRequester {
  kind: 'user' | 'api_key';
  user_id: string | null;
  api_key_id: string | null;
  role: 'customer' | 'merchant' | 'admin';
  request_id: string;
  ip: string;
}

/**
 * A CSV catalog import: its progress and its report. Large files are stored here (`csv`) and
 * processed by the catalog-import job, which commits progress with each chunk of products so a
 * crashed run resumes where it stopped; small files run inline and are recorded already finished.
 */
@Entity('catalog_import_runs')
@Index('idx_catalog_import_runs_merchant', ['merchantId', 'createdAt'])
export class CatalogImportRun extends BaseEntity {
  @Column({ type: 'uuid' })
  merchantId: string;

  @Column({ type: 'varchar', length: 16 })
  status: ImportRunStatus;

  @Column({ type: 'boolean', default: false })
  dryRun: boolean;

  @Column({ type: 'varchar', length: 300, nullable: true })
  fileName: string | null;

  /** The uploaded bytes until the run finishes (then cleared); never selected unless asked for. */
  @Column({ type: 'bytea', nullable: true, select: false })
  csv: Buffer | null;

  @Column({ type: 'int' })
  totalRows: number;

  @Column({ type: 'int', default: 0 })
  processedRows: number;

  @Column({ type: 'int', default: 0 })
  created: number;

  @Column({ type: 'int', default: 0 })
  updated: number;

  @Column({ type: 'int', default: 0 })
  unchanged: number;

  @Column({ type: 'int', default: 0 })
  failed: number;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  errors: ImportRowError[];

  /** More row errors happened than `errors` keeps. */
  @Column({ type: 'boolean', default: false })
  errorsTruncated: boolean;

  @Column({ type: 'jsonb', nullable: true })
  requestedBy: ImportRequester | null;

  @Column({ type: 'text', nullable: true })
  failureReason: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null;
}
