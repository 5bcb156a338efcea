import { escapeHtml as escape, formatMinor, htmlPage } from '@app/common';
import type { TestCheckoutView } from './test.provider';

const STYLE = `
  .amount { font-size: 2rem; font-weight: 700; margin: .5rem 0 1rem; }
  .note { color: #5f6368; font-size: .9rem; }
  form { flex: 1; margin: 0; }
  button { width: 100%; padding: .7rem; font-size: 1rem; border-radius: 6px; border: 0; cursor: pointer; }
  button.pay { background: #1a73e8; color: #fff; }
  button.fail { background: #e8eaed; }
  .state { padding: .7rem; border-radius: 6px; background: #e8eaed; }
  .state.paid { background: #e6f4ea; color: #137333; }
  .state.failed, .state.expired { background: #fdecea; color: #a50e0e; }
  a { color: #1a73e8; }
`;

const STATE_TEXT: Record<TestCheckoutView['state'], string> = {
  pending: 'Waiting for payment',
  paid: 'Paid',
  failed: 'Payment failed',
  expired: 'This checkout has expired',
};

/** Only http(s) links: the return URLs come from the storefront's checkout request. */
function backLink(url: string): string {
  return /^https?:\/\//i.test(url) ? `<p><a href="${escape(url)}">Back to the shop</a></p>` : '';
}

/**
 * The test provider's checkout page: the order and amount, with Pay and Fail buttons while it is
 * pending. Plain forms posting to `…/{session_id}/pay` and `…/fail` (no script: the API's CSP
 * allows none). `basePath` is where the payments controller serves it.
 */
export function renderTestCheckoutPage(checkout: TestCheckoutView, basePath = '/api/payments/test-checkout'): string {
  const action = `${basePath}/${encodeURIComponent(checkout.sessionId)}`;
  const amount = `${formatMinor(checkout.amountMinor, checkout.currency)} ${checkout.currency}`;
  const body =
    checkout.state === 'pending'
      ? `<p class="note">Test payment: no card, no money. Pay settles the order as a Stripe payment would; Fail declines it.</p>
<div class="actions">
  <form method="post" action="${escape(action)}/pay"><button type="submit" class="pay">Pay ${escape(amount)}</button></form>
  <form method="post" action="${escape(action)}/fail"><button type="submit" class="fail">Fail</button></form>
</div>`
      : `<p class="state ${checkout.state}" role="status">${escape(STATE_TEXT[checkout.state])}</p>
${backLink(checkout.state === 'paid' ? checkout.successUrl : checkout.cancelUrl)}`;
  return htmlPage(
    `Test checkout · order ${checkout.orderNumber}`,
    `<h1>Order ${escape(checkout.orderNumber)}</h1>
<p class="amount">${escape(amount)}</p>
${body}`,
    STYLE,
  );
}
