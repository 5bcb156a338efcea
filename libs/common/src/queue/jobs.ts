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

/** A stock level's available quantity fell to or below its product's low_stock_threshold. */
export interface LowStockAlertPayload {
  merchant_id: string;
  product_id: string;
  variant_id: string;
  location_id: string;
  sku: string | null;
  on_hand: number;
  reserved: number;
  available: number;
  threshold: number;
}

/** A stock reservation that ran out its TTL and was released (for the orders module). */
export interface ReservationExpiredPayload {
  merchant_id: string;
  reservation_id: string;
  reference: string;
}

/**
 * An order event (order.created, order.paid, …), written to the outbox in the transaction that
 * made the change; the job id is the outbox row id, so consumers dedupe on it.
 */
export interface OrderEventPayload {
  merchant_id: string;
  order_id: string;
  order_number: string;
  status: string;
  previous_status: string | null;
  /** Who caused it: customer, merchant, system, carrier or payment. */
  source: string;
  note: string | null;
  currency: string;
  amount_total_minor: number;
  refunded_amount_minor: number;
  customer_user_id: string | null;
  customer_email: string;
  customer_name: string;
  item_count: number;
  tracking_number: string | null;
  carrier: string | null;
  tracking_url: string | null;
  /** When the order was placed (analytics buckets by it) and when this event happened. */
  placed_at: string;
  occurred_at: string;
}

/** A stored media object to make resized versions of (media row in `processing`). */
export interface MediaProcessPayload {
  media_id: string;
  merchant_id: string;
}

/** An image_urls entry to download into a media row, then attach to the product (or variant) at `position`. */
export interface MediaFetchPayload {
  media_id: string;
  merchant_id: string;
  product_id: string;
  variant_id: string | null;
  position: number;
  alt: string | null;
}

/** Objects to remove from storage once the rows naming them are gone (published in that transaction). */
export interface MediaDeleteObjectsPayload {
  merchant_id: string;
  media_id: string;
  /** The driver that stored them (`local` or `s3`). */
  driver: string;
  keys: string[];
}

/** A stored provider event (payment_events.event_id) to apply; the handler dedupes on it, whatever the job id. */
export interface PaymentEventPayload {
  event_id: string;
}

/** Ask the payment provider how an order's payment stands (seed 002's verification); `attempt` counts the re-checks. */
export interface PaymentVerifyPayload {
  order_id: string;
  merchant_id: string;
  attempt?: number;
}

/** A pending refund (refunds row) to send to the payment provider, with its own idempotency key. */
export interface RefundSendPayload {
  refund_id: string;
  merchant_id: string;
}

/** A paid order was cancelled: refund what is left of its captured payment, in full. */
export interface RefundCancelledOrderPayload {
  order_id: string;
  merchant_id: string;
}

/** A merchant transfer (merchant_transfers row) that is due: pay it to the connected account. */
export interface TransferPayPayload {
  transfer_id: string;
  merchant_id: string;
}

export const Jobs = {
  OutboxPrune: job<{ retain_days: number }>(QueueName.Maintenance, 'outbox.prune'),
  ProductCreated: job<ProductEventPayload>(QueueName.CatalogEvents, 'product.created'),
  ProductUpdated: job<ProductEventPayload>(QueueName.CatalogEvents, 'product.updated'),
  ProductDeleted: job<ProductEventPayload>(QueueName.CatalogEvents, 'product.deleted'),
  CatalogImport: job<CatalogImportPayload>(QueueName.CatalogImport, 'catalog.import'),
  InventoryExpireReservations: job<{ limit?: number }>(QueueName.Inventory, 'inventory.expire-reservations'),
  LowStockAlert: job<LowStockAlertPayload>(QueueName.LowStockAlerts, 'inventory.low-stock'),
  ReservationExpired: job<ReservationExpiredPayload>(QueueName.OrderEvents, 'inventory.reservation.expired'),
  OrderCreated: job<OrderEventPayload>(QueueName.OrderEvents, 'order.created'),
  OrderPaid: job<OrderEventPayload>(QueueName.OrderEvents, 'order.paid'),
  OrderShipped: job<OrderEventPayload>(QueueName.OrderEvents, 'order.shipped'),
  OrderDelivered: job<OrderEventPayload>(QueueName.OrderEvents, 'order.delivered'),
  OrderCompleted: job<OrderEventPayload>(QueueName.OrderEvents, 'order.completed'),
  OrderCancelled: job<OrderEventPayload>(QueueName.OrderEvents, 'order.cancelled'),
  OrderRefunded: job<OrderEventPayload>(QueueName.OrderEvents, 'order.refunded'),
  MediaProcess: job<MediaProcessPayload>(QueueName.MediaProcessing, 'media.process'),
  MediaFetch: job<MediaFetchPayload>(QueueName.MediaProcessing, 'media.fetch'),
  MediaDeleteObjects: job<MediaDeleteObjectsPayload>(QueueName.MediaProcessing, 'media.delete-objects'),
  MediaCleanupUnattached: job<{ limit: number }>(QueueName.MediaProcessing, 'media.cleanup-unattached'),
  PaymentEvent: job<PaymentEventPayload>(QueueName.PaymentEvents, 'payment.event'),
  PaymentVerify: job<PaymentVerifyPayload>(QueueName.PaymentVerification, 'payment.verify'),
  PaymentVerifySweep: job<{ limit?: number }>(QueueName.PaymentVerification, 'payment.verify-sweep'),
  RefundSend: job<RefundSendPayload>(QueueName.PaymentVerification, 'refund.send'),
  RefundCancelledOrder: job<RefundCancelledOrderPayload>(QueueName.PaymentVerification, 'refund.cancelled-order'),
  TransferPay: job<TransferPayPayload>(QueueName.PaymentVerification, 'transfer.pay'),
  /** Repeatable: sends refunds left pending (retries ran out) and pays transfers that are due. */
  RefundsTransfersSweep: job<{ limit?: number }>(QueueName.PaymentVerification, 'refunds-transfers.sweep'),
} as const;

export const ALL_JOBS: readonly JobDefinition[] = Object.values(Jobs);

export function jobKey(def: Pick<JobDefinition, 'queue' | 'name'>): string {
  return `${def.queue}/${def.name}`;
}
