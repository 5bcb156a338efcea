import { HttpStatus } from '@nestjs/common';
import { AppException, ErrorCode } from '@app/common';
import type { Order, OrderStatus, TransitionSource } from './entities/order.entity';

/**
 * Every legal move of an order, in one table. Anything not listed is refused with
 * ERR_INVALID_STATE naming the current status. `who` limits which side may ask for the move
 * (a customer may only cancel before shipping; only payments mark an order paid or refunded).
 */
const TRANSITIONS: Record<OrderStatus, Partial<Record<OrderStatus, readonly TransitionSource[]>>> = {
  pending: { paid: ['payment', 'system'], cancelled: ['customer', 'merchant', 'system', 'payment'], failed: ['payment', 'system'] },
  failed: { paid: ['payment', 'system'], cancelled: ['customer', 'merchant', 'system', 'payment'] },
  paid: {
    confirmed: ['merchant'],
    processing: ['merchant'],
    awaiting_shipment: ['merchant'],
    shipped: ['merchant', 'carrier'],
    cancelled: ['customer', 'merchant', 'system'],
    refunded: ['payment', 'merchant'],
  },
  confirmed: { processing: ['merchant'], awaiting_shipment: ['merchant'], shipped: ['merchant', 'carrier'], cancelled: ['customer', 'merchant', 'system'], refunded: ['payment', 'merchant'] },
  processing: { awaiting_shipment: ['merchant'], shipped: ['merchant', 'carrier'], cancelled: ['customer', 'merchant', 'system'], refunded: ['payment', 'merchant'] },
  awaiting_shipment: { shipped: ['merchant', 'carrier'], cancelled: ['customer', 'merchant', 'system'], refunded: ['payment', 'merchant'] },
  shipped: { in_transit: ['merchant', 'carrier'], out_for_delivery: ['merchant', 'carrier'], delivered: ['merchant', 'carrier'], returned: ['merchant', 'carrier'], failed: ['merchant', 'carrier'], refunded: ['payment'] },
  in_transit: { out_for_delivery: ['merchant', 'carrier'], delivered: ['merchant', 'carrier'], returned: ['merchant', 'carrier'], failed: ['merchant', 'carrier'], refunded: ['payment'] },
  out_for_delivery: { in_transit: ['merchant', 'carrier'], delivered: ['merchant', 'carrier'], returned: ['merchant', 'carrier'], failed: ['merchant', 'carrier'], refunded: ['payment'] },
  delivered: { completed: ['merchant', 'system'], returned: ['merchant', 'carrier'], refunded: ['payment'] },
  completed: { returned: ['merchant'], refunded: ['payment'] },
  returned: { refunded: ['payment', 'merchant'] },
  cancelled: { refunded: ['payment'] },
  refunded: {},
};

/** Statuses in which the goods have not left: a cancel is still possible. */
export const CANCELLABLE_STATUSES: readonly OrderStatus[] = ['pending', 'failed', 'paid', 'confirmed', 'processing', 'awaiting_shipment'];

/** Statuses reached only after a successful payment (money was captured). */
export const PAID_STATUSES: readonly OrderStatus[] = [
  'paid',
  'confirmed',
  'processing',
  'awaiting_shipment',
  'shipped',
  'in_transit',
  'out_for_delivery',
  'delivered',
  'completed',
  'returned',
];

export class InvalidOrderStateError extends AppException {
  constructor(current: OrderStatus, wanted: OrderStatus, source: TransitionSource) {
    super(ErrorCode.InvalidState, `Order is ${current}; it cannot become ${wanted}`, HttpStatus.CONFLICT, { current_status: current, requested_status: wanted, source });
  }
}

export function canTransition(from: OrderStatus, to: OrderStatus, source: TransitionSource): boolean {
  return TRANSITIONS[from][to]?.includes(source) ?? false;
}

export function assertTransition(from: OrderStatus, to: OrderStatus, source: TransitionSource): void {
  if (!canTransition(from, to, source)) throw new InvalidOrderStateError(from, to, source);
}

/** The columns a transition into `to` stamps (first time only: a shipped order re-shipped keeps its date). */
export function stampsFor(order: Pick<Order, 'paidAt' | 'shippedAt' | 'deliveredAt' | 'completedAt' | 'cancelledAt' | 'refundedAt'>, to: OrderStatus, at: Date): Partial<Order> {
  switch (to) {
    case 'paid':
      return order.paidAt ? {} : { paidAt: at };
    case 'shipped':
      return order.shippedAt ? {} : { shippedAt: at };
    case 'delivered':
      return order.deliveredAt ? {} : { deliveredAt: at };
    case 'completed':
      return { completedAt: at };
    case 'cancelled':
      return { cancelledAt: at };
    case 'refunded':
      return { refundedAt: at };
    default:
      return {};
  }
}

export const ALL_TRANSITIONS = TRANSITIONS;
