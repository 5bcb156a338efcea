import { formatMinor, type OrderEventPayload } from '@app/common';
import type { EmailMessage } from '../notifications/email-transport';

/** The customer's email for an order event, or null when that event sends none. */
export function customerEmailFor(event: string, p: OrderEventPayload): EmailMessage | null {
  const total = `${formatMinor(p.amount_total_minor, p.currency)} ${p.currency}`;
  const hello = `Hello ${p.customer_name},\n\n`;
  const bye = `\n\nOrder ${p.order_number}`;
  const tracking = p.tracking_number ? `\nTracking: ${p.carrier ?? ''} ${p.tracking_number}${p.tracking_url ? `\n${p.tracking_url}` : ''}` : '';
  const text = (body: string) => `${hello}${body}${bye}`;
  switch (event) {
    case 'order.created':
      return { to: p.customer_email, subject: `We received your order ${p.order_number}`, text: text(`we received your order of ${p.item_count} item(s), ${total}. It is reserved for you until payment completes.`) };
    case 'order.paid':
      return { to: p.customer_email, subject: `Order ${p.order_number} confirmed`, text: text(`your payment of ${total} was received and your order is confirmed.`) };
    case 'order.shipped':
      return { to: p.customer_email, subject: `Order ${p.order_number} has shipped`, text: text(`your order is on its way.${tracking}`) };
    case 'order.delivered':
      return { to: p.customer_email, subject: `Order ${p.order_number} was delivered`, text: text('your order was delivered. Enjoy!') };
    case 'order.cancelled':
      return { to: p.customer_email, subject: `Order ${p.order_number} was cancelled`, text: text(`your order was cancelled${p.note ? `: ${p.note}` : '.'}`) };
    case 'order.refunded':
      return { to: p.customer_email, subject: `Order ${p.order_number} was refunded`, text: text(`we refunded ${formatMinor(p.refunded_amount_minor, p.currency)} ${p.currency} to your payment method.`) };
    default:
      return null;
  }
}

/** The merchant's notification title and message for an order event. */
export function merchantMessageFor(event: string, p: OrderEventPayload): { title: string; message: string } {
  const total = `${formatMinor(p.amount_total_minor, p.currency)} ${p.currency}`;
  const what = event.replace('order.', '');
  return {
    title: `Order ${p.order_number} ${what}`,
    message: `Order ${p.order_number} (${total}, ${p.customer_email}) is now ${p.status}${p.note ? `: ${p.note}` : ''}.`,
  };
}
