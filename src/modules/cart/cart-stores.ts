import { randomBytes } from 'node:crypto';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Redis } from 'ioredis';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig, AppException, ConflictError, ErrorCode, isUuid, REDIS_CLIENT } from '@app/common';
import { CartContents, CartLine, emptyCart } from './cart-lines';

/** A cart as a store holds it: its content, and the row id of a user cart (guest carts have none). */
export interface StoredCart {
  id: string | null;
  contents: CartContents;
}

/**
 * Computes the next content from the current one. Pure and synchronous: it may run more than once
 * (the guest store retries on a concurrent change) and throws to refuse, leaving the cart unchanged.
 */
export type CartChange<T> = (current: CartContents) => { next: CartContents; result: T };

/** A place carts live in, with one atomic read-modify-write: two concurrent changes never lose one. */
export interface CartStore {
  load(): Promise<StoredCart>;
  update<T>(change: CartChange<T>): Promise<{ cart: StoredCart; result: T }>;
}

// --- guest carts: Redis ------------------------------------------------------------------------

/**
 * Compare-and-set of a whole guest cart: writes only if the cart's version is still the one read
 * (versions are random, so a cart deleted and rebuilt meanwhile cannot match by accident), and
 * refreshes the TTL on every write. An empty cart is deleted.
 * KEYS[1] cart; ARGV: expected version ('' = no cart), new JSON ('' = delete), new version, TTL.
 */
const COMPARE_AND_SET = `
local current = redis.call('HGET', KEYS[1], 'version')
if current == false then current = '' end
if current ~= ARGV[1] then return 0 end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
else
  redis.call('HSET', KEYS[1], 'version', ARGV[3], 'cart', ARGV[2])
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
end
return 1`;

/** Enough for any realistic contention on one shopper's cart (each attempt is two Redis round trips). */
const MAX_CAS_ATTEMPTS = 50;

interface GuestCartJson {
  merchant_id: string | null;
  currency: string | null;
  lines: { variant_id: string; product_id: string; quantity: number }[];
}

const serialize = (c: CartContents): string =>
  c.lines.length
    ? JSON.stringify({ merchant_id: c.merchantId, currency: c.currency, lines: c.lines.map((l) => ({ variant_id: l.variantId, product_id: l.productId, quantity: l.quantity })) } satisfies GuestCartJson)
    : '';

/** Whatever Redis holds is checked: a value this code did not write reads as an empty cart, never as a crash. */
function deserialize(raw: string | null): CartContents {
  if (!raw) return emptyCart();
  try {
    const json = JSON.parse(raw) as GuestCartJson;
    const lines: CartLine[] = (Array.isArray(json.lines) ? json.lines : [])
      .filter((l) => isUuid(l?.variant_id) && isUuid(l?.product_id) && Number.isInteger(l?.quantity) && l.quantity > 0)
      .map((l) => ({ variantId: l.variant_id, productId: l.product_id, quantity: l.quantity }));
    if (!lines.length || !isUuid(json.merchant_id) || typeof json.currency !== 'string') return emptyCart();
    return { merchantId: json.merchant_id, currency: json.currency, lines };
  } catch {
    return emptyCart();
  }
}

const storageUnavailable = () => new AppException(ErrorCode.ServiceUnavailable, 'The cart storage is unavailable; try again shortly', HttpStatus.SERVICE_UNAVAILABLE);

/** Guest carts: one Redis hash per X-Session-ID (`version`, `cart` JSON), expiring CART_TTL_SECONDS after the last change. */
@Injectable()
export class GuestCartRepository {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  key(sessionId: string): string {
    return `${this.config.redis.queuePrefix}:cart:guest:${sessionId}`;
  }

  for(sessionId: string): CartStore {
    return { load: () => this.load(sessionId), update: (change) => this.update(sessionId, change) };
  }

  private async read(sessionId: string): Promise<{ version: string; contents: CartContents }> {
    try {
      const [version, cart] = await this.redis.hmget(this.key(sessionId), 'version', 'cart');
      return { version: version ?? '', contents: deserialize(cart) };
    } catch {
      throw storageUnavailable();
    }
  }

  async load(sessionId: string): Promise<StoredCart> {
    return { id: null, contents: (await this.read(sessionId)).contents };
  }

  async update<T>(sessionId: string, change: CartChange<T>): Promise<{ cart: StoredCart; result: T }> {
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const { version, contents } = await this.read(sessionId);
      const { next, result } = change(contents);
      let written: unknown;
      try {
        written = await this.redis.eval(COMPARE_AND_SET, 1, this.key(sessionId), version, serialize(next), randomBytes(12).toString('base64url'), this.config.cart.guestTtlSeconds);
      } catch {
        throw storageUnavailable();
      }
      if (written === 1) return { cart: { id: null, contents: next.lines.length ? next : emptyCart() }, result };
    }
    throw new ConflictError('The cart was changed by several requests at once; retry');
  }

  /** Seconds until the guest cart expires (-2: no cart), for tests and support. */
  ttl(sessionId: string): Promise<number> {
    return this.redis.ttl(this.key(sessionId));
  }
}

// --- user carts: PostgreSQL --------------------------------------------------------------------

interface UserCartRow {
  id: string;
  merchant_id: string | null;
  currency: string | null;
  product_id: string | null;
  variant_id: string | null;
  quantity: number | null;
}

/** The cart and its lines in one statement, by user (reads) or by cart id (inside a change). */
async function readUserCart(manager: EntityManager, by: { userId: string } | { cartId: string }): Promise<StoredCart> {
  const [column, value] = 'userId' in by ? ['c.user_id', by.userId] : ['c.id', by.cartId];
  const rows: UserCartRow[] = await manager.query(
    `SELECT c.id, c.merchant_id, c.currency, i.product_id, i.variant_id, i.quantity
       FROM carts c LEFT JOIN cart_items i ON i.cart_id = c.id
      WHERE ${column} = $1
      ORDER BY i.position, i.id`,
    [value],
  );
  if (!rows.length) return { id: null, contents: emptyCart() };
  const lines = rows.filter((r) => r.variant_id !== null).map((r) => ({ variantId: r.variant_id!, productId: r.product_id!, quantity: Number(r.quantity) }));
  return { id: rows[0].id, contents: lines.length ? { merchantId: rows[0].merchant_id, currency: rows[0].currency, lines } : emptyCart() };
}

/**
 * Signed-in users' carts: `carts` (one per user) and `cart_items`. A change locks the user's cart row
 * (creating it on first use) for its transaction, so changes of one cart run one after the other.
 */
@Injectable()
export class UserCartRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  for(userId: string): CartStore {
    return { load: () => this.load(userId), update: (change) => this.update(userId, change) };
  }

  load(userId: string): Promise<StoredCart> {
    return readUserCart(this.dataSource.manager, { userId });
  }

  async update<T>(userId: string, change: CartChange<T>): Promise<{ cart: StoredCart; result: T }> {
    return this.dataSource.transaction(async (manager) => {
      // ON CONFLICT DO UPDATE locks the existing row: concurrent changes of this cart wait here.
      const [{ id }]: { id: string }[] = await manager.query(
        `INSERT INTO carts (user_id) VALUES ($1) ON CONFLICT (user_id) DO UPDATE SET user_id = EXCLUDED.user_id RETURNING id`,
        [userId],
      );
      const { contents } = await readUserCart(manager, { cartId: id });
      const { next, result } = change(contents);
      const stored = next.lines.length ? next : emptyCart();
      // The whole (small, at most MAX_CART_LINES) cart is rewritten: simpler than a diff, same result.
      await manager.query(`DELETE FROM cart_items WHERE cart_id = $1`, [id]);
      if (stored.lines.length) {
        await manager.query(
          `INSERT INTO cart_items (cart_id, product_id, variant_id, quantity, position)
           SELECT $1, t.product_id, t.variant_id, t.quantity, (t.n - 1)::int
             FROM unnest($2::uuid[], $3::uuid[], $4::int[]) WITH ORDINALITY AS t(product_id, variant_id, quantity, n)`,
          [id, stored.lines.map((l) => l.productId), stored.lines.map((l) => l.variantId), stored.lines.map((l) => l.quantity)],
        );
      }
      await manager.query(`UPDATE carts SET merchant_id = $2, currency = $3, updated_at = now() WHERE id = $1`, [id, stored.merchantId, stored.currency]);
      return { cart: { id, contents: stored }, result };
    });
  }
}
