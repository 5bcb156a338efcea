import type { JobsOptions } from 'bullmq';

/** One BullMQ queue per domain. */
export const QueueName = {
  OrderEvents: 'order-events',
  LowStockAlerts: 'low-stock-alerts',
  PaymentVerification: 'payment-verification',
  PaymentEvents: 'payment-events',
  Maintenance: 'maintenance',
  CatalogEvents: 'catalog-events',
  CatalogImport: 'catalog-import',
  Inventory: 'inventory',
  MediaProcessing: 'media-processing',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];
export const ALL_QUEUES: readonly QueueName[] = Object.values(QueueName);

const DAY = 24 * 3600;

/**
 * Retries with exponential backoff; completed jobs are kept a day (so a re-relayed outbox row finds
 * its job id and is not run twice), failed jobs a month with their error, for inspection.
 */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { age: DAY, count: 100_000 },
  removeOnFail: { age: 30 * DAY },
};

export const QUEUE_JOB_OPTIONS: Record<QueueName, JobsOptions> = {
  [QueueName.OrderEvents]: DEFAULT_JOB_OPTIONS,
  [QueueName.LowStockAlerts]: { ...DEFAULT_JOB_OPTIONS, attempts: 5 },
  // Payment checks back off longer: the provider may need minutes to settle.
  [QueueName.PaymentVerification]: { ...DEFAULT_JOB_OPTIONS, attempts: 10, backoff: { type: 'exponential', delay: 5_000 } },
  // Provider events: 1 s, 2 s, 4 s … about 17 minutes in all. Mostly for an event that arrives
  // before the checkout that created its order committed: that wait is short, so retries start fast.
  [QueueName.PaymentEvents]: { ...DEFAULT_JOB_OPTIONS, attempts: 11, backoff: { type: 'exponential', delay: 1_000 } },
  [QueueName.Maintenance]: { ...DEFAULT_JOB_OPTIONS, attempts: 3 },
  [QueueName.CatalogEvents]: DEFAULT_JOB_OPTIONS,
  // An import is not retried blindly: a failed run reports its rows and the merchant starts a new one.
  [QueueName.CatalogImport]: { ...DEFAULT_JOB_OPTIONS, attempts: 1 },
  // The expiry sweep runs again on its schedule anyway; a failed run is not worth many retries.
  [QueueName.Inventory]: { ...DEFAULT_JOB_OPTIONS, attempts: 3 },
  // Storage outages are retried for about an hour (1 s, 2 s … 34 min); handlers fail permanent
  // problems (an undecodable image, a refused URL) at once instead of retrying them.
  [QueueName.MediaProcessing]: { ...DEFAULT_JOB_OPTIONS, attempts: 12, backoff: { type: 'exponential', delay: 1_000 } },
};
