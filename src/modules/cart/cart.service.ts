import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { NotFoundError, ValidationError } from '@app/common';
import { defaultVariantIds, loadPurchasableVariants, PurchasableVariant } from '../catalog/purchasable-variants';
import { CartErrorCode, CartException } from './cart-errors';
import {
  addLine,
  assertSameStore,
  CartContents,
  CartWarning,
  emptyCart,
  LineTarget,
  linesNamedBy,
  mergeCarts,
  removeLines,
  setLineQuantity,
  stockLimit,
} from './cart-lines';
import { CartOwner } from './cart-owner';
import { CartStore, GuestCartRepository, StoredCart, UserCartRepository } from './cart-stores';
import { buildCartView, GoneVariant } from './cart-view';
import { CartDto } from './dto/cart.dto';

export interface AddCartItemInput {
  productId: string;
  variantId?: string | null;
  quantity: number;
  merchantId?: string | null;
}

/** What checkout orders: the cart's store, currency and lines (quantities only; prices are read by checkout). */
export interface CheckoutLines {
  merchantId: string;
  currency: string;
  lines: { productId: string; variantId: string; quantity: number }[];
}

/** Listing problems: the public may not buy (or see) the variant, whatever the stock. */
const LISTING_PROBLEMS = new Set(['store_not_active', 'product_not_active', 'variant_not_active']);
const isListed = (v: PurchasableVariant) => !v.problems.some((p) => LISTING_PROBLEMS.has(p));

const targetOf = (v: PurchasableVariant): LineTarget => ({ merchantId: v.merchantId, currency: v.currency, variantId: v.variantId, productId: v.productId, stockLimit: stockLimit(v) });

/**
 * Carts: guests' in Redis by X-Session-ID, signed-in users' in PostgreSQL; a guest cart is merged
 * into the user's on the first request that carries both. Every read prices the lines and checks
 * their availability from the catalog and the inventory with a fixed number of statements
 * (loadPurchasableVariants, shared with checkout so both apply the same rules).
 */
@Injectable()
export class CartService {
  private readonly logger = new Logger(CartService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly guests: GuestCartRepository,
    private readonly users: UserCartRepository,
  ) {}

  // --- the routes ------------------------------------------------------------------------------

  async view(owner: CartOwner): Promise<CartDto> {
    const { store, notes } = await this.open(owner);
    return this.present(await store.load(), notes);
  }

  async addItem(owner: CartOwner, input: AddCartItemInput): Promise<CartDto> {
    const { store, notes } = await this.open(owner);
    const current = await store.load();
    const variant = await this.variantToAdd(input, current.contents);
    // Checked again inside the atomic update, against the cart as it is then.
    const { cart } = await store.update((c) => ({ next: addLine(c, targetOf(variant), input.quantity), result: null }));
    return this.present(cart, notes);
  }

  /** PATCH: `id` is a variant id, or a product id with exactly one line in the cart. */
  async setQuantity(owner: CartOwner, id: string, quantity: number): Promise<CartDto> {
    const { store, notes } = await this.open(owner);
    const current = await store.load();
    const named = linesNamedBy(current.contents, id);
    if (!named.length) throw new NotFoundError('Cart item', id.slice(0, 64));
    if (named.length > 1) {
      throw new ValidationError('Several variants of this product are in the cart; name the variant id', { id: ['names several cart items; use a variant id'] });
    }
    const line = named[0];
    let target: LineTarget | null = null;
    if (quantity > line.quantity) {
      const variant = (await loadPurchasableVariants(this.dataSource.manager, [line.variantId], { merchantId: current.contents.merchantId ?? undefined, currency: current.contents.currency })).get(line.variantId);
      if (!variant || !isListed(variant) || variant.unitPrice === null) {
        throw new CartException(CartErrorCode.Unavailable, 'This item can no longer be bought; lower its quantity or remove it', HttpStatus.CONFLICT, {
          product_id: line.productId,
          variant_id: line.variantId,
        });
      }
      target = targetOf(variant);
    }
    const { cart } = await store.update((c) => {
      const next = setLineQuantity(c, line.variantId, quantity, target);
      if (!next) throw new NotFoundError('Cart item', id.slice(0, 64));
      return { next, result: null };
    });
    return this.present(cart, notes);
  }

  /** DELETE one item: `id` is a variant id, or a product id (all of its lines). */
  async removeItem(owner: CartOwner, id: string): Promise<CartDto> {
    const { store, notes } = await this.open(owner);
    const { cart } = await store.update((c) => {
      const named = linesNamedBy(c, id);
      if (!named.length) throw new NotFoundError('Cart item', id.slice(0, 64));
      return { next: removeLines(c, named.map((l) => l.variantId)), result: null };
    });
    return this.present(cart, notes);
  }

  async empty(owner: CartOwner): Promise<CartDto> {
    const { store, notes } = await this.open(owner);
    const { cart } = await store.update(() => ({ next: emptyCart(), result: null }));
    return this.present(cart, notes);
  }

  // --- for checkout ----------------------------------------------------------------------------

  /**
   * The lines checkout orders (after merging a guest cart, as a cart read would). 422
   * ERR_CART_EMPTY for an empty cart; 409 ERR_CART_MERCHANT_MISMATCH when `merchantId` names
   * another store; 409 ERR_CART_ITEMS_UNAVAILABLE when a line is no longer listed or priced.
   * Stock is not checked here: the reservation at checkout is the authority (ERR_OUT_OF_STOCK).
   */
  async checkoutLines(owner: CartOwner, merchantId?: string): Promise<CheckoutLines> {
    const { store } = await this.open(owner);
    const { contents } = await store.load();
    if (!contents.lines.length || !contents.merchantId || !contents.currency) {
      throw new CartException(CartErrorCode.Empty, 'The cart is empty', HttpStatus.UNPROCESSABLE_ENTITY);
    }
    if (merchantId && merchantId.toLowerCase() !== contents.merchantId) {
      throw new CartException(CartErrorCode.MerchantMismatch, 'The cart holds another store\'s products', HttpStatus.CONFLICT, { cart_merchant_id: contents.merchantId, merchant_id: merchantId });
    }
    const variants = await loadPurchasableVariants(this.dataSource.manager, contents.lines.map((l) => l.variantId), { merchantId: contents.merchantId, currency: contents.currency });
    const unavailable = contents.lines
      .map((l) => ({ line: l, variant: variants.get(l.variantId) }))
      .filter(({ variant }) => !variant || !isListed(variant) || variant.unitPrice === null)
      .map(({ line, variant }) => ({ product_id: line.productId, variant_id: line.variantId, problems: variant?.problems ?? ['deleted'] }));
    if (unavailable.length) {
      throw new CartException(CartErrorCode.Unavailable, 'Some items in the cart can no longer be bought; remove them first', HttpStatus.CONFLICT, { items: unavailable });
    }
    return {
      merchantId: contents.merchantId,
      currency: contents.currency,
      lines: contents.lines.map((l) => ({ productId: l.productId, variantId: l.variantId, quantity: l.quantity })),
    };
  }

  /** Empties the owner's carts (the user's and the session's), e.g. after an order was placed. */
  async clear(owner: CartOwner): Promise<void> {
    const none = () => ({ next: emptyCart(), result: null });
    if (owner.userId) await this.users.update(owner.userId, none);
    if (owner.sessionId) await this.guests.update(owner.sessionId, none);
  }

  // --- internals -------------------------------------------------------------------------------

  /** The owner's cart store; a signed-in user's request with a session id first absorbs that guest cart. */
  private async open(owner: CartOwner): Promise<{ store: CartStore; notes: CartWarning[] }> {
    if (owner.userId) {
      const notes = owner.sessionId ? await this.mergeGuestCart(owner.userId, owner.sessionId) : [];
      return { store: this.users.for(owner.userId), notes };
    }
    if (owner.sessionId) return { store: this.guests.for(owner.sessionId), notes: [] };
    throw new CartException(
      CartErrorCode.SessionRequired,
      'Send an X-Session-ID header (16 to 128 characters of A-Z, a-z, 0-9, "_" and "-") or sign in: the cart belongs to one of them',
      HttpStatus.BAD_REQUEST,
      { header: 'X-Session-ID' },
    );
  }

  /**
   * Moves the session's guest cart into the user's (rules: mergeCarts). The guest cart is claimed
   * first (an atomic compare-and-delete), so two requests racing after sign-in merge it once; if the
   * merge then fails, it is put back unless the session has started a new cart meanwhile.
   */
  private async mergeGuestCart(userId: string, sessionId: string): Promise<CartWarning[]> {
    const guest = await this.guests.load(sessionId);
    if (!guest.contents.lines.length) return [];
    const { result: claimed } = await this.guests.update(sessionId, (current) => ({ next: emptyCart(), result: current }));
    if (!claimed.lines.length) return [];
    try {
      const variants = await loadPurchasableVariants(this.dataSource.manager, claimed.lines.map((l) => l.variantId), { merchantId: claimed.merchantId ?? undefined });
      const { result } = await this.users.update(userId, (user) => {
        const merged = mergeCarts(user, claimed, variants);
        return { next: merged.cart, result: merged.warnings };
      });
      return result;
    } catch (err) {
      await this.guests.update(sessionId, (current) => ({ next: current.lines.length ? current : claimed, result: null })).catch((restoreError: unknown) => {
        this.logger.warn({ err: restoreError }, 'A guest cart claimed for a merge could not be put back');
      });
      throw err;
    }
  }

  /**
   * The variant an add names, as the public may buy it now, priced in the cart's currency (the
   * product's own when the cart is empty). 404 for what the public catalog would not show (unknown,
   * deleted, unpublished product, inactive store or variant); 422 when a product with several
   * variants is named without one; 409 for another store's product or no price in the currency.
   */
  private async variantToAdd(input: AddCartItemInput, cart: CartContents): Promise<PurchasableVariant> {
    const productId = input.productId.toLowerCase();
    let variantId = input.variantId?.toLowerCase();
    if (!variantId) {
      const found = (await defaultVariantIds(this.dataSource.manager, [productId])).get(productId);
      if (!found) throw new NotFoundError('Product', input.productId);
      if (!found.variantId) throw new ValidationError('variant_id: this product has several variants; name one', { variant_id: ['is required for a product with several variants'] });
      variantId = found.variantId;
    }
    const variant = (await loadPurchasableVariants(this.dataSource.manager, [variantId], { currency: cart.lines.length ? cart.currency : null })).get(variantId);
    if (!variant || variant.productId !== productId) throw new NotFoundError(input.variantId ? 'Variant' : 'Product', input.variantId ?? input.productId);
    if (input.merchantId && variant.merchantId !== input.merchantId.toLowerCase()) throw new NotFoundError('Product', input.productId);
    if (variant.problems.includes('store_not_active') || variant.problems.includes('product_not_active')) throw new NotFoundError('Product', input.productId);
    if (variant.problems.includes('variant_not_active')) throw new NotFoundError('Variant', variantId);
    if (cart.lines.length) assertSameStore(cart, variant.merchantId);
    if (variant.unitPrice === null) {
      throw new CartException(CartErrorCode.CurrencyMismatch, `This product has no price in the cart's currency (${cart.currency})`, HttpStatus.CONFLICT, {
        cart_currency: cart.currency,
        product_id: variant.productId,
      });
    }
    return variant;
  }

  /** The cart as answered: its lines priced and checked now, in at most three statements whatever their number. */
  private async present(stored: StoredCart, notes: CartWarning[]): Promise<CartDto> {
    const { contents } = stored;
    if (!contents.lines.length) return buildCartView(stored, new Map(), new Map(), notes);
    const ids = contents.lines.map((l) => l.variantId);
    const variants = await loadPurchasableVariants(this.dataSource.manager, ids, { merchantId: contents.merchantId ?? undefined, currency: contents.currency });
    const missing = ids.filter((id) => !variants.has(id));
    return buildCartView(stored, variants, missing.length ? await this.goneVariants(missing) : new Map(), notes);
  }

  /** Names of lines the catalog no longer offers (deleted), so the cart can still say what they were. */
  private async goneVariants(variantIds: string[]): Promise<Map<string, GoneVariant>> {
    const rows: { id: string; name: string | null; sku: string | null; attributes: Record<string, string> | null }[] = await this.dataSource.query(
      `SELECT v.id, p.name, v.sku, v.attributes FROM product_variants v LEFT JOIN products p ON p.id = v.product_id WHERE v.id = ANY($1::uuid[])`,
      [variantIds],
    );
    return new Map(rows.map((r) => [r.id, { productName: r.name, sku: r.sku, attributes: r.attributes ?? {} }]));
  }
}
