import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import Stripe from 'stripe';

/**
 * A small Stripe API on 127.0.0.1, for the real `stripe` SDK (`host`, `port`, `protocol: 'http'`):
 * the endpoints the payment provider uses, in Stripe's wire format (form-encoded bodies with
 * nested keys, `expand[]`, JSON errors), with Stripe's idempotency semantics (a write repeated
 * with the same Idempotency-Key replays the first response with `idempotent-replayed: true`; the
 * same key with other parameters is a 400 idempotency_error). Every request is recorded.
 *
 * Test controls play the customer (completeSession, failPayment) and Stripe itself (expireSession,
 * makeEvent + signedWebhook, failNext for outages).
 */

type Obj = Record<string, any>;

export interface RecordedRequest {
  method: string;
  /** Without the query string. */
  path: string;
  /** The parsed form body (POST) or query (GET), values as strings as on the wire. */
  params: Obj;
  idempotencyKey: string | null;
  stripeVersion: string | null;
  status: number;
  /** Answered from the idempotency store. */
  replayed: boolean;
}

interface StoredResponse {
  method: string;
  path: string;
  paramsJson: string;
  status: number;
  body: Obj;
}

class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Obj,
  ) {
    super(body.message);
  }
}

const invalid = (message: string, extra: Obj = {}) => new StripeApiError(400, { type: 'invalid_request_error', message, ...extra });
const missing = (kind: string, id: string) => new StripeApiError(404, { type: 'invalid_request_error', code: 'resource_missing', message: `No such ${kind}: '${id}'`, param: 'id' });

/** Parses `a[b][0][c]=v&expand[]=x` into nested objects and arrays, as Stripe (and qs) do. */
export function parseStripeForm(text: string): Obj {
  const out: Obj = {};
  const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
  for (const pair of text.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const key = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    const head = /^[^[\]]+/.exec(key)?.[0];
    if (!head) continue;
    const path = [head, ...[...key.slice(head.length).matchAll(/\[([^\]]*)\]/g)].map((m) => m[1])];
    if (path.some((p) => p === '__proto__' || p === 'constructor' || p === 'prototype')) continue;
    let node: any = out;
    for (let i = 0; i < path.length; i++) {
      const segment = Array.isArray(node) && path[i] === '' ? String(node.length) : path[i];
      if (i === path.length - 1) {
        node[segment] = value;
      } else {
        node[segment] ??= /^\d*$/.test(path[i + 1]) ? [] : {};
        node = node[segment];
      }
    }
  }
  return out;
}

const int = (value: unknown, param: string, { min = 0, required = true } = {}): number | null => {
  if (value === undefined || value === '') {
    if (required) throw invalid(`Missing required param: ${param}.`, { param });
    return null;
  }
  const n = Number(value);
  if (!/^-?\d+$/.test(String(value)) || n < min) throw invalid(`Invalid integer: ${String(value)}`, { param });
  return n;
};

const now = () => Math.floor(Date.now() / 1000);
const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

export class FakeStripe {
  readonly requests: RecordedRequest[] = [];
  readonly sessions = new Map<string, Obj>();
  readonly paymentIntents = new Map<string, Obj>();
  readonly charges = new Map<string, Obj>();
  readonly refunds = new Map<string, Obj>();
  readonly transfers = new Map<string, Obj>();
  private readonly idempotency = new Map<string, StoredResponse>();
  /** payment_intent_data of each session, applied when its PaymentIntent appears. */
  private readonly intentData = new Map<string, Obj>();
  private readonly failures: { method: string | null; path: string | RegExp; remaining: number; status: number }[] = [];
  private readonly signer = new Stripe('sk_test_signer_only');

  private constructor(
    private readonly server: Server,
    readonly apiKey: string,
    readonly webhookSecret: string,
  ) {}

  /** Starts on an ephemeral port of 127.0.0.1. */
  static async start(options: { apiKey?: string; webhookSecret?: string } = {}): Promise<FakeStripe> {
    const server = createServer();
    const fake = new FakeStripe(server, options.apiKey ?? `sk_test_fake_${randomBytes(8).toString('hex')}`, options.webhookSecret ?? `whsec_fake_${randomBytes(16).toString('hex')}`);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void fake.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** For STRIPE_API_BASE_URL / StripeProviderOptions.apiBaseUrl. */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((err) => (err ? reject(err) : resolve())));
  }

  /** The recorded requests to a path (exact, or a pattern), optionally of one method. */
  requestsTo(path: string | RegExp, method?: string): RecordedRequest[] {
    return this.requests.filter((r) => (method ? r.method === method : true) && (typeof path === 'string' ? r.path === path : path.test(r.path)));
  }

  /** The next `count` requests to the path (exact or pattern) answer `status` (a Stripe api_error) without doing anything. */
  failNext(path: string | RegExp, count: number, options: { status?: number; method?: string } = {}): void {
    this.failures.push({ method: options.method ?? null, path, remaining: count, status: options.status ?? 500 });
  }

  // ---- the customer and Stripe, as test controls ----------------------------------------------

  /** The customer pays: a succeeded PaymentIntent with a captured charge, the session complete and paid. */
  completeSession(sessionId: string): Obj {
    const session = this.openSession(sessionId);
    const intent = this.intentFor(session);
    const charge = this.createCharge(intent, 'succeeded');
    Object.assign(intent, { status: 'succeeded', latest_charge: charge.id, last_payment_error: null, amount_received: intent.amount });
    Object.assign(session, { status: 'complete', payment_status: 'paid', payment_intent: intent.id });
    return session;
  }

  /** The customer's card is declined: the PaymentIntent needs another payment method; the session stays open (as on Stripe). */
  failPayment(sessionId: string): Obj {
    const session = this.openSession(sessionId);
    const intent = this.intentFor(session);
    const charge = this.createCharge(intent, 'failed');
    Object.assign(intent, {
      status: 'requires_payment_method',
      latest_charge: charge.id,
      last_payment_error: { type: 'card_error', code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.', charge: charge.id },
    });
    session.payment_intent = intent.id;
    return intent;
  }

  /** The session runs out of time (or is expired from the dashboard). */
  expireSession(sessionId: string): Obj {
    const session = this.openSession(sessionId);
    this.expire(session);
    return session;
  }

  /** An event as Stripe sends it to webhook endpoints. */
  makeEvent(type: string, object: Obj): Obj {
    return {
      id: newId('evt'),
      object: 'event',
      api_version: null,
      created: now(),
      data: { object: structuredClone(object) },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    };
  }

  /** A webhook body and its Stripe-Signature header, signed by the SDK with this fake's webhook secret (or `secret`). */
  signedWebhook(payload: Obj | string, options: { secret?: string; timestamp?: number } = {}): { body: string; header: string } {
    const body = typeof payload === 'string' ? payload : JSON.stringify(payload, null, 2);
    const header = this.signer.webhooks.generateTestHeaderString({ payload: body, secret: options.secret ?? this.webhookSecret, timestamp: options.timestamp });
    return { body, header };
  }

  // ---- HTTP ------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake-stripe');
    const method = req.method ?? 'GET';
    const raw = await new Promise<string>((resolve) => {
      let text = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (text += chunk));
      req.on('end', () => resolve(text));
    });
    const params = method === 'GET' || method === 'DELETE' ? parseStripeForm(url.search.slice(1)) : parseStripeForm(raw);
    const header = (name: string) => (typeof req.headers[name] === 'string' ? (req.headers[name] as string) : null);
    const idempotencyKey = header('idempotency-key');
    const record: RecordedRequest = { method, path: url.pathname, params, idempotencyKey, stripeVersion: header('stripe-version'), status: 0, replayed: false };
    this.requests.push(record);
    const send = (status: number, body: Obj, extra: Record<string, string> = {}) => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': newId('req'), ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}), ...extra });
      res.end(JSON.stringify(status >= 400 ? { error: body } : body));
    };

    if (header('authorization') !== `Bearer ${this.apiKey}`) {
      return send(401, { type: 'invalid_request_error', message: 'Invalid API Key provided' });
    }
    const failure = this.failures.find((f) => f.remaining > 0 && (!f.method || f.method === method) && (typeof f.path === 'string' ? f.path === url.pathname : f.path.test(url.pathname)));
    if (failure) {
      failure.remaining--;
      return send(failure.status, { type: 'api_error', message: 'Injected failure (fake Stripe)' });
    }

    // Stripe's idempotency: writes only; keyed per key, compared on method, path and parameters.
    const paramsJson = JSON.stringify(params);
    if (method === 'POST' && idempotencyKey) {
      const stored = this.idempotency.get(idempotencyKey);
      if (stored) {
        if (stored.method !== method || stored.path !== url.pathname || stored.paramsJson !== paramsJson) {
          return send(400, {
            type: 'idempotency_error',
            message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
          });
        }
        record.replayed = true;
        return send(stored.status, stored.body, { 'idempotent-replayed': 'true' });
      }
    }

    let status = 200;
    let body: Obj;
    try {
      body = this.route(method, url.pathname, params);
    } catch (err) {
      // A bug in the fake answers like a Stripe outage instead of hanging the client.
      [status, body] = err instanceof StripeApiError ? [err.status, err.body] : [500, { type: 'api_error', message: `fake Stripe: ${String(err)}` }];
    }
    if (method === 'POST' && idempotencyKey) {
      this.idempotency.set(idempotencyKey, { method, path: url.pathname, paramsJson, status, body: structuredClone(body) });
    }
    send(status, body);
  }

  private route(method: string, path: string, params: Obj): Obj {
    let m: RegExpExecArray | null;
    if (method === 'POST' && path === '/v1/checkout/sessions') return this.createSession(params);
    if (method === 'GET' && (m = /^\/v1\/checkout\/sessions\/([^/]+)$/.exec(path))) return this.expand(this.sessionById(m[1]), params.expand);
    if (method === 'POST' && (m = /^\/v1\/checkout\/sessions\/([^/]+)\/expire$/.exec(path))) {
      const session = this.sessionById(m[1]);
      if (session.status !== 'open') throw invalid(`Only Checkout Sessions with a status of \`open\` can be expired. This Checkout Session has a status of \`${session.status}\`.`);
      return structuredClone(this.expire(session));
    }
    if (method === 'GET' && (m = /^\/v1\/payment_intents\/([^/]+)$/.exec(path))) return this.expand(this.intentById(m[1]), params.expand);
    if (method === 'POST' && path === '/v1/refunds') return this.createRefund(params);
    if (method === 'GET' && (m = /^\/v1\/refunds\/([^/]+)$/.exec(path))) {
      const refund = this.refunds.get(m[1]);
      if (!refund) throw missing('refund', m[1]);
      return structuredClone(refund);
    }
    if (method === 'POST' && path === '/v1/transfers') return this.createTransfer(params);
    throw new StripeApiError(404, { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${path}).` });
  }

  private createSession(p: Obj): Obj {
    if (p.mode !== 'payment') throw invalid('This fake supports mode=payment only.', { param: 'mode' });
    if (!p.success_url) throw invalid('Missing required param: success_url.', { param: 'success_url' });
    const items: Obj[] = Array.isArray(p.line_items) ? p.line_items : [];
    if (!items.length) throw invalid('Missing required param: line_items.', { param: 'line_items' });
    const currencies = new Set<string>();
    let total = 0;
    items.forEach((item, i) => {
      const price = item.price_data;
      if (!price?.currency || !price.product_data?.name) throw invalid(`Missing price_data for line_items[${i}].`, { param: `line_items[${i}][price_data]` });
      currencies.add(String(price.currency).toLowerCase());
      total += int(price.unit_amount, `line_items[${i}][price_data][unit_amount]`)! * int(item.quantity, `line_items[${i}][quantity]`, { min: 1 })!;
    });
    if (currencies.size !== 1) throw invalid('All line items must use the same currency.', { param: 'line_items' });
    const created = now();
    const expiresAt = int(p.expires_at, 'expires_at', { required: false }) ?? created + 24 * 3600;
    if (expiresAt < created + 30 * 60 || expiresAt > created + 24 * 3600) {
      throw invalid('The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.', { param: 'expires_at' });
    }
    const id = newId('cs_test');
    const session = {
      id,
      object: 'checkout.session',
      amount_subtotal: total,
      amount_total: total,
      cancel_url: p.cancel_url ?? null,
      client_reference_id: p.client_reference_id ?? null,
      client_secret: null,
      created,
      currency: [...currencies][0],
      customer_email: p.customer_email ?? null,
      expires_at: expiresAt,
      livemode: false,
      metadata: p.metadata ?? {},
      mode: 'payment',
      payment_intent: null,
      payment_status: 'unpaid',
      status: 'open',
      success_url: p.success_url,
      ui_mode: 'hosted',
      url: `https://checkout.stripe.com/c/pay/${id}`,
    };
    this.sessions.set(id, session);
    this.intentData.set(id, p.payment_intent_data ?? {});
    return structuredClone(session);
  }

  private createRefund(p: Obj): Obj {
    const intent = p.payment_intent ? this.intentById(p.payment_intent) : null;
    const charge = intent ? this.charges.get(intent.latest_charge) : p.charge ? this.charges.get(p.charge) : undefined;
    if (!charge) throw invalid(intent ? `PaymentIntent ${intent.id} does not have a successful charge to refund.` : 'Missing required param: payment_intent.', { param: 'payment_intent' });
    if (charge.status !== 'succeeded') throw invalid(`Charge ${charge.id} has not succeeded and cannot be refunded.`, { param: 'charge' });
    const remaining = charge.amount - charge.amount_refunded;
    if (remaining === 0) throw invalid(`Charge ${charge.id} has already been refunded.`, { code: 'charge_already_refunded', param: 'charge' });
    const amount = int(p.amount, 'amount', { min: 1, required: false }) ?? remaining;
    if (amount > remaining) {
      throw invalid(`Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining})`, { code: 'amount_too_large', param: 'amount' });
    }
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded === charge.amount;
    const refund = {
      id: newId('re'),
      object: 'refund',
      amount,
      charge: charge.id,
      created: now(),
      currency: charge.currency,
      metadata: p.metadata ?? {},
      payment_intent: charge.payment_intent,
      reason: p.reason || null,
      status: 'succeeded',
    };
    this.refunds.set(refund.id, refund);
    return structuredClone(refund);
  }

  private createTransfer(p: Obj): Obj {
    const amount = int(p.amount, 'amount', { min: 1 })!;
    if (!p.currency) throw invalid('Missing required param: currency.', { param: 'currency' });
    if (!/^acct_\w+$/.test(p.destination ?? '')) throw invalid(`No such destination: '${p.destination ?? ''}'`, { param: 'destination' });
    if (p.source_transaction) {
      const charge = this.charges.get(p.source_transaction);
      if (!charge || charge.status !== 'succeeded') throw invalid(`No such charge: '${p.source_transaction}'`, { param: 'source_transaction' });
      if (amount > charge.amount) throw invalid('Transfer amount exceeds the source transaction.', { param: 'amount' });
    }
    const transfer = {
      id: newId('tr'),
      object: 'transfer',
      amount,
      amount_reversed: 0,
      created: now(),
      currency: String(p.currency).toLowerCase(),
      destination: p.destination,
      metadata: p.metadata ?? {},
      reversed: false,
      source_transaction: p.source_transaction ?? null,
      transfer_group: p.transfer_group ?? null,
    };
    this.transfers.set(transfer.id, transfer);
    return structuredClone(transfer);
  }

  /** A copy with the `expand[]` paths (payment_intent, payment_intent.latest_charge, latest_charge) replaced by objects. */
  private expand(object: Obj, expand: unknown): Obj {
    const copy = structuredClone(object);
    const paths = Array.isArray(expand) ? expand.map(String) : typeof expand === 'string' ? [expand] : [];
    for (const path of paths.sort((a, b) => a.split('.').length - b.split('.').length)) {
      const parts = path.split('.');
      let holder: Obj | null = copy;
      for (const part of parts.slice(0, -1)) holder = holder && typeof holder[part] === 'object' ? holder[part] : null;
      const field = parts[parts.length - 1];
      if (!holder || typeof holder[field] !== 'string') continue;
      const target = this.lookup(holder[field]);
      if (target) holder[field] = structuredClone(target);
    }
    return copy;
  }

  private lookup(id: string): Obj | undefined {
    return this.paymentIntents.get(id) ?? this.charges.get(id) ?? this.sessions.get(id) ?? this.refunds.get(id);
  }

  private sessionById(id: string): Obj {
    const session = this.sessions.get(id);
    if (!session) throw missing('checkout.session', id);
    return session;
  }

  private intentById(id: string): Obj {
    const intent = this.paymentIntents.get(id);
    if (!intent) throw missing('payment_intent', id);
    return intent;
  }

  private openSession(id: string): Obj {
    const session = this.sessions.get(id);
    if (!session) throw new Error(`fake Stripe: no session ${id}`);
    if (session.status !== 'open') throw new Error(`fake Stripe: session ${id} is ${session.status}, not open`);
    return session;
  }

  private expire(session: Obj): Obj {
    session.status = 'expired';
    const intent = session.payment_intent ? this.paymentIntents.get(session.payment_intent) : undefined;
    if (intent && intent.status !== 'succeeded') intent.status = 'canceled';
    return session;
  }

  /** The session's PaymentIntent, created on the first payment attempt with the session's payment_intent_data. */
  private intentFor(session: Obj): Obj {
    if (session.payment_intent) return this.paymentIntents.get(session.payment_intent)!;
    const data = this.intentData.get(session.id) ?? {};
    const intent = {
      id: newId('pi'),
      object: 'payment_intent',
      amount: session.amount_total,
      amount_received: 0,
      created: now(),
      currency: session.currency,
      description: data.description ?? null,
      last_payment_error: null,
      latest_charge: null,
      livemode: false,
      metadata: data.metadata ?? {},
      status: 'requires_payment_method',
      transfer_group: data.transfer_group ?? null,
    };
    this.paymentIntents.set(intent.id, intent);
    session.payment_intent = intent.id;
    return intent;
  }

  private createCharge(intent: Obj, status: 'succeeded' | 'failed'): Obj {
    const charge = {
      id: newId('ch'),
      object: 'charge',
      amount: intent.amount,
      amount_captured: status === 'succeeded' ? intent.amount : 0,
      amount_refunded: 0,
      captured: status === 'succeeded',
      created: now(),
      currency: intent.currency,
      metadata: structuredClone(intent.metadata),
      paid: status === 'succeeded',
      payment_intent: intent.id,
      refunded: false,
      status,
      transfer_group: intent.transfer_group,
    };
    this.charges.set(charge.id, charge);
    return charge;
  }
}
