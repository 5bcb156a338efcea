import { ORDER_STATUSES, OrderStatus, TRANSITION_SOURCES } from './entities/order.entity';
import { ALL_TRANSITIONS, assertTransition, CANCELLABLE_STATUSES, canTransition } from './order-state-machine';

describe('order state machine', () => {
  it('refuses every move not in the table, naming the current status', () => {
    for (const from of ORDER_STATUSES) {
      for (const to of ORDER_STATUSES) {
        for (const source of TRANSITION_SOURCES) {
          const allowed = ALL_TRANSITIONS[from][to]?.includes(source) ?? false;
          expect(canTransition(from, to, source)).toBe(allowed);
          if (!allowed) {
            expect(() => assertTransition(from, to, source)).toThrow(
              expect.objectContaining({ code: 'ERR_INVALID_STATE', detail: { current_status: from, requested_status: to, source } }),
            );
          }
        }
      }
    }
  });

  it('never moves an order to itself, and refunded is final', () => {
    for (const status of ORDER_STATUSES) expect(ALL_TRANSITIONS[status][status]).toBeUndefined();
    expect(ALL_TRANSITIONS.refunded).toEqual({});
  });

  it('only payments mark an order paid; nobody un-ships it', () => {
    for (const [from, moves] of Object.entries(ALL_TRANSITIONS) as [OrderStatus, Record<string, readonly string[]>][]) {
      if (moves.paid) expect(moves.paid.every((s) => s === 'payment' || s === 'system')).toBe(true);
      if (!CANCELLABLE_STATUSES.includes(from)) expect(moves.cancelled).toBeUndefined();
    }
  });

  it('lets customers cancel only before shipping', () => {
    const customerCancels = ORDER_STATUSES.filter((s) => canTransition(s, 'cancelled', 'customer'));
    expect(customerCancels).toEqual(['pending', 'paid', 'confirmed', 'processing', 'awaiting_shipment', 'failed'].filter((s) => customerCancels.includes(s as OrderStatus)));
    for (const shippedLike of ['shipped', 'in_transit', 'out_for_delivery', 'delivered', 'completed'] as const) expect(canTransition(shippedLike, 'cancelled', 'customer')).toBe(false);
  });
});
