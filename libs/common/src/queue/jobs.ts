import { QueueName } from './queues';

/** A job type: which queue carries it, its name, and (for the compiler only) its payload. */
export interface JobDefinition<Payload = unknown> {
  readonly queue: QueueName;
  readonly name: string;
  /** Phantom field: never set, it only carries the payload type. */
  readonly payload?: Payload;
}

export type PayloadOf<J> = J extends JobDefinition<infer P> ? P : never;

function job<Payload>(queue: QueueName, name: string): JobDefinition<Payload> {
  return { queue, name };
}

/**
 * Every job the system knows. The worker refuses to start unless each has exactly one handler,
 * so adding a job here without its handler (or the reverse) fails at startup, not in production.
 */
export interface ProductEventPayload {
  merchant_id: string;
  product_id: string;
  handle: string;
}

/** A stored CSV catalog import (catalog_import_runs row) to process. */
export interface CatalogImportPayload {
  run_id: string;
  merchant_id: string;
}

export const Jobs = {
  OutboxPrune: job<{ retain_days: number }>(QueueName.Maintenance, 'outbox.prune'),
  ProductCreated: job<ProductEventPayload>(QueueName.CatalogEvents, 'product.created'),
  ProductUpdated: job<ProductEventPayload>(QueueName.CatalogEvents, 'product.updated'),
  ProductDeleted: job<ProductEventPayload>(QueueName.CatalogEvents, 'product.deleted'),
  CatalogImport: job<CatalogImportPayload>(QueueName.CatalogImport, 'catalog.import'),
} as const;

export const ALL_JOBS: readonly JobDefinition[] = Object.values(Jobs);

export function jobKey(def: Pick<JobDefinition, 'queue' | 'name'>): string {
  return `${def.queue}/${def.name}`;
}
