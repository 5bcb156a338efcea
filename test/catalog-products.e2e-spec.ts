import { randomUUID } from 'node:crypto';
import type { ProductDto, VariantDto } from '../src/modules/catalog/product-views';
import { bootTestApp, TestApp } from './harness/app';
import { bearerKey, createApiKey } from './support/api-keys';
import { auditRows } from './support/audit';
import { catalogCounts, catalogEventCounts, createProduct, insertCollection, productEvents, setStoreCurrencies, tok } from './support/catalog';
import { createAdmin, registerCustomer, registerMerchant, TestAccount } from './support/identity';

type Res = { status: number; body: any; headers: Record<string, string> };

const ids = (items: { id: string }[]) => items.map((i) => i.id);

describe('Catalog: products and variants', () => {
  let t: TestApp;
  let admin: TestAccount;
  let customer: TestAccount;
  /** USD store that also sells in EUR; most tests use it. */
  let shop: TestAccount;
  /** Another store, for isolation checks. */
  let rival: TestAccount;
  let knit: string;
  let tees: string;

  beforeAll(async () => {
    t = await bootTestApp();
    [admin, customer] = await Promise.all([createAdmin(t), registerCustomer(t)]);
    [shop, rival] = await Promise.all([registerMerchant(t, { approve: true, admin }), registerMerchant(t, { approve: true, admin })]);
    await setStoreCurrencies(t, shop, 'USD', ['USD', 'EUR']);
    knit = `knit-${tok()}`;
    tees = `tees-${tok()}`;
    await insertCollection(t, shop.merchantId!, knit, { name: 'Knitwear', displayOrder: 1 });
    await insertCollection(t, shop.merchantId!, tees, { name: 'Tees', displayOrder: 2 });
  });
  afterAll(() => t?.close());

  const product = (owner: TestAccount, body: Record<string, unknown>) => createProduct(t, owner, body);
  const get = (owner: TestAccount, id: string) => t.http.get(`/api/products/${id}`).set(owner.auth);
  const put = (owner: TestAccount, id: string, body: object) => t.http.put(`/api/products/${id}`).set(owner.auth).send(body);
  const list = (owner: TestAccount, query = '') => t.http.get(`/api/products${query}`).set(owner.auth);

  /** A refused request: its status, the envelope, and (for 422) the fields it names. */
  function expectRefused(res: Res, status: number, fields: string[] = []) {
    expect([res.status, res.body.success]).toEqual([status, false]);
    expect(res.body.error.code).toBe({ 404: 'ERR_NOT_FOUND', 409: 'ERR_CONFLICT', 422: 'ERR_VALIDATION' }[status]);
    for (const field of fields) expect(Object.keys(res.body.error.detail.fields)).toContain(field);
  }

  describe('create', () => {
    it('takes every contract field and answers the full product, the same as GET', async () => {
      const sku = `TEE-${tok()}`;
      const categoryId = randomUUID();
      const body = {
        name: `Merino T-Shirt ${tok()}`,
        description: 'Soft merino wool tee',
        price: 29.99,
        original_price: '39.99',
        cost_price: '12.50',
        currency: 'usd',
        stock_quantity: 7,
        sku,
        status: 'active',
        category_id: categoryId,
        weight: 1.25,
        length: 30.5,
        width: 20,
        height: 2.5,
        hs_code: '6109.10',
        country_of_origin: 'pt',
        customs_description: 'Knitted T-shirt of wool',
        requires_shipping: false,
        track_inventory: false,
        low_stock_threshold: 3,
        tags: [' Summer ', 'WOOL', 'wool', 'summer', 'Merino'],
        collections: [tees, knit.toUpperCase()],
        prices: [{ currency: 'eur', price: '27.50', original_price: 35 }],
        meta_title: 'Merino tee | Shop',
        meta_description: 'The softest tee',
      };
      const res = await t.http.post('/api/products').set(shop.auth).send(body).expect(201);
      const p: ProductDto = res.body;
      expect(p).toMatchObject({
        id: expect.any(String),
        merchant_id: shop.merchantId,
        name: body.name,
        title: body.name,
        description: body.description,
        price: '29.99',
        original_price: '39.99',
        cost_price: '12.50',
        currency: 'USD',
        stock_quantity: 7,
        sku,
        status: 'active',
        category_id: categoryId,
        weight: 1.25,
        length: 30.5,
        width: 20,
        height: 2.5,
        hs_code: '6109.10',
        country_of_origin: 'PT',
        customs_description: 'Knitted T-shirt of wool',
        requires_shipping: false,
        track_inventory: false,
        low_stock_threshold: 3,
        tags: ['summer', 'wool', 'merino'],
        prices: [{ currency: 'EUR', price: '27.50', original_price: '35.00' }],
        images: [],
        meta_title: body.meta_title,
        meta_description: body.meta_description,
      });
      expect(p.handle).toMatch(/^merino-t-shirt-[0-9a-f]{6}$/);
      // Ordered by the collections' display order.
      expect(p.collections.map((c) => [c.slug, c.name])).toEqual([[knit, 'Knitwear'], [tees, 'Tees']]);
      expect(p.variants).toHaveLength(1);
      expect(p.variants![0]).toMatchObject({ product_id: p.id, sku, price: '29.99', currency: 'USD', stock: 7, status: 'active', attributes: {}, is_default: true });
      expect(new Date(p.created_at).toISOString()).toBe(p.created_at);

      expect((await get(shop, p.id).expect(200)).body).toEqual(p);
      // Stored as integer minor units, grams and millimetres.
      const [row] = await t.dataSource.query(
        'SELECT price, original_price, cost_price, weight_grams, length_mm, width_mm, height_mm FROM products WHERE id = $1',
        [p.id],
      );
      expect(row).toEqual({ price: '2999', original_price: '3999', cost_price: '1250', weight_grams: 1250, length_mm: 305, width_mm: 200, height_mm: 25 });
    });

    it('accepts title for name, defaults to a draft in the store currency with no stock', async () => {
      const title = `Wool Cap ${tok()}`;
      const p = await product(shop, { title, price: '12' });
      expect(p).toMatchObject({
        name: title,
        title,
        status: 'draft',
        currency: 'USD',
        price: '12.00',
        original_price: null,
        cost_price: null,
        stock_quantity: 0,
        sku: null,
        description: null,
        weight: null,
        requires_shipping: true,
        track_inventory: true,
        low_stock_threshold: null,
        tags: [],
        collections: [],
        prices: [],
      });
    });

    it('creates explicit variants instead of the default one', async () => {
      const s = tok();
      const p = await product(shop, {
        name: `Hoodie ${s}`,
        price: '40.00',
        variants: [
          { sku: `HOOD-S-${s}`, stock: 2, attributes: { Size: ' S ' } },
          { sku: `HOOD-L-${s}`, stock: 5, price: '44.00', attributes: { size: 'L' }, prices: [{ currency: 'EUR', price: '41.00' }] },
        ],
      });
      expect(p.stock_quantity).toBe(7);
      expect(p.variants!.map((v) => [v.sku, v.price, v.stock, v.attributes, v.is_default])).toEqual([
        [`HOOD-S-${s}`, '40.00', 2, { size: 'S' }, false],
        [`HOOD-L-${s}`, '44.00', 5, { size: 'L' }, false],
      ]);
      expect(p.variants![1].prices).toEqual([{ currency: 'EUR', price: '41.00', original_price: null }]);
    });
  });

  describe('handles', () => {
    it('generates from the name, suffixes collisions, stays across renames, and changes only explicitly', async () => {
      const m = await registerMerchant(t, { approve: true, admin });
      const first = await product(m, { name: 'Merino T-Shirt!', price: 10 });
      const second = await product(m, { name: 'Merino T-Shirt!', price: 10 });
      const third = await product(m, { name: 'merino  t shirt', price: 10 });
      expect([first.handle, second.handle, third.handle]).toEqual(['merino-t-shirt', 'merino-t-shirt-2', 'merino-t-shirt-3']);
      // Handles are per store.
      expect((await product(rival, { name: 'Merino T-Shirt!', price: 10 })).handle).toBe('merino-t-shirt');

      const renamed = await put(m, first.id, { name: 'Alpaca Sweater' }).expect(200);
      expect([renamed.body.name, renamed.body.handle]).toEqual(['Alpaca Sweater', 'merino-t-shirt']);

      const moved = await put(m, first.id, { handle: 'Alpaca-Sweater' }).expect(200);
      expect(moved.body.handle).toBe('alpaca-sweater');
      // The old handle is free again.
      expect((await product(m, { name: 'Merino T-Shirt!', price: 10 })).handle).toBe('merino-t-shirt');

      const taken = await put(m, second.id, { handle: 'alpaca-sweater', name: 'Should not stick' });
      expectRefused(taken, 409);
      expect((await get(m, second.id).expect(200)).body).toMatchObject({ handle: 'merino-t-shirt-2', name: 'Merino T-Shirt!' });
      // Re-sending its own handle is not a conflict.
      await put(m, first.id, { handle: 'alpaca-sweater' }).expect(200);

      // Explicit handles may use all 150 characters; only a suffixed one is cut to make room for "-N".
      const long = `${'a'.repeat(140)}-${'b'.repeat(9)}`;
      expect((await product(m, { name: 'Long', handle: long, price: 10 })).handle).toBe(long);
      expect((await product(m, { name: 'Long again', handle: long, price: 10 })).handle).toBe(`${'a'.repeat(140)}-2`);
      expect((await put(m, second.id, { handle: 'c'.repeat(145) }).expect(200)).body.handle).toBe('c'.repeat(145));

      const custom = await product(m, { name: 'Anything', handle: 'Custom-Handle', price: 10 });
      expect(custom.handle).toBe('custom-handle');
      expectRefused(await t.http.post('/api/products').set(m.auth).send({ name: 'x', handle: 'not a handle!', price: 1 }), 422, ['handle']);
    });
  });

  describe('money and currencies', () => {
    it.each([
      [29.99, '29.99'],
      ['29.99', '29.99'],
      [30, '30.00'],
      ['0.5', '0.50'],
    ])('price %p is answered as %p', async (price, shown) => {
      const p = await product(shop, { name: `Priced ${tok()}`, price });
      expect(p.price).toBe(shown);
      expect(p.variants![0].price).toBe(shown);
    });

    it('a JPY store prices in whole yen', async () => {
      const m = await registerMerchant(t, { approve: true, admin });
      await setStoreCurrencies(t, m, 'JPY', ['JPY']);
      const p = await product(m, { name: 'Matcha', price: 3000, original_price: '3500' });
      expect(p).toMatchObject({ currency: 'JPY', price: '3000', original_price: '3500' });
      const before = await catalogCounts(t, m.merchantId!);
      expectRefused(await t.http.post('/api/products').set(m.auth).send({ name: 'Half yen', price: 30.5 }), 422, ['price']);
      // EUR is not one of this store's currencies, neither as the product's nor as an extra price.
      expectRefused(await t.http.post('/api/products').set(m.auth).send({ name: 'Euro', price: 10, currency: 'EUR' }), 422, ['currency']);
      expectRefused(await t.http.post('/api/products').set(m.auth).send({ name: 'Euro', price: 10, prices: [{ currency: 'EUR', price: '9.00' }] }), 422);
      expect(await catalogCounts(t, m.merchantId!)).toEqual(before);
    });

    it('original_price must exceed price; cost_price shows on merchant routes', async () => {
      for (const original of ['29.99', '20']) {
        expectRefused(await t.http.post('/api/products').set(shop.auth).send({ name: `Bad compare ${tok()}`, price: '29.99', original_price: original }), 422, ['original_price']);
      }
      const p = await product(shop, { name: `Costed ${tok()}`, price: '20.00', original_price: '25.00', cost_price: 7 });
      expect((await get(shop, p.id).expect(200)).body.cost_price).toBe('7.00');
      const listed = await list(shop, `?search=${encodeURIComponent(p.name)}`).expect(200);
      expect(listed.body.items.find((i: ProductDto) => i.id === p.id).cost_price).toBe('7.00');
      // Lowering the price to the compare-at price is refused too.
      expectRefused(await put(shop, p.id, { price: '25.00' }), 422, ['original_price']);
    });

    it('refuses currencies the store does not support, and extra prices that are not valid', async () => {
      const before = await catalogCounts(t, shop.merchantId!);
      const post = (body: object) => t.http.post('/api/products').set(shop.auth).send({ name: `Currency ${tok()}`, price: 10, ...body });
      expectRefused(await post({ currency: 'GBP' }), 422, ['currency']);
      expectRefused(await post({ currency: 'XYZ' }), 422, ['currency']);
      expectRefused(await post({ prices: [{ currency: 'GBP', price: '8.00' }] }), 422);
      expectRefused(await post({ prices: [{ currency: 'EUR', price: '8.005' }] }), 422, ['prices.0.price']);
      expectRefused(await post({ prices: [{ currency: 'EUR', price: '8.00' }, { currency: 'EUR', price: '9.00' }] }), 422);
      expectRefused(await post({ prices: [{ currency: 'EUR', price: '8.00', original_price: '8.00' }] }), 422);
      expect(await catalogCounts(t, shop.merchantId!)).toEqual(before);
      // The product's own currency can be any one the store supports.
      expect((await post({ currency: 'EUR', price: '9.50' }).expect(201)).body).toMatchObject({ currency: 'EUR', price: '9.50' });
    });
  });

  describe('bad input changes nothing', () => {
    const big = 'x'.repeat(150_000);
    it.each([
      ['a negative price', { price: -5 }, ['price']],
      ['"12.345" for USD', { price: '12.345' }, ['price']],
      ['1e21', { price: 1e21 }, ['price']],
      ['"abc"', { price: 'abc' }, ['price']],
      ['"NaN"', { price: 'NaN' }, ['price']],
      ['"Infinity"', { price: 'Infinity' }, ['price']],
      ['"1e3"', { price: '1e3' }, ['price']],
      ['an empty price', { price: '' }, ['price']],
      ['a boolean price', { price: true }, ['price']],
      ['no price', { price: undefined }, ['price']],
      ['no name', { name: undefined }, ['name']],
      ['an unknown status', { status: 'published' }, ['status']],
      ['a text stock', { stock_quantity: 'ten' }, ['stock_quantity']],
      ['a negative stock', { stock_quantity: -1 }, ['stock_quantity']],
      ['a fractional stock', { stock_quantity: 1.5 }, ['stock_quantity']],
      ['a text boolean', { requires_shipping: 'yes' }, ['requires_shipping']],
      ['tags as a string', { tags: 'a,b' }, ['tags']],
      ['a weight in milligrams', { weight: 1.2345 }, ['weight']],
      ['a malformed category id', { category_id: 'shoes' }, ['category_id']],
      ['an unknown collection', { collections: ['no-such-collection'] }, ['collections']],
      ['a description over 100 000 characters', { description: big }, ['description']],
      ['a name that is a number', { name: 42 }, ['name']],
    ])('refuses %s with 422', async (_label, patch, fields) => {
      const before = await catalogCounts(t, shop.merchantId!);
      const res = await t.http.post('/api/products').set(shop.auth).send({ name: `Refused ${tok()}`, price: '10.00', sku: `R-${tok()}`, ...patch });
      expectRefused(res, 422, fields);
      expect(res.body.error.message).toEqual(expect.any(String));
      expect(await catalogCounts(t, shop.merchantId!)).toEqual(before);
    });

    it('refuses a 10 MB description with a 4xx and stores nothing', async () => {
      const name = `Huge ${tok()}`;
      const res = await t.http.post('/api/products').set(shop.auth).set('Content-Type', 'application/json').send(JSON.stringify({ name, price: 1, description: 'x'.repeat(10 * 1024 * 1024) }));
      expect([413, 422]).toContain(res.status);
      const [{ count }] = await t.dataSource.query('SELECT count(*)::int AS count FROM products WHERE name = $1', [name]);
      expect(count).toBe(0);
    });

    it('refuses two variants with the same attributes (in any key order) in one request with 409', async () => {
      const before = await catalogCounts(t, shop.merchantId!);
      const res = await t.http
        .post('/api/products')
        .set(shop.auth)
        .send({ name: `Twins ${tok()}`, price: 1, variants: [{ attributes: { size: 'M', color: 'red' } }, { attributes: { Color: 'red ', size: 'M' } }] });
      expectRefused(res, 409);
      expect(await catalogCounts(t, shop.merchantId!)).toEqual(before);
    });

    it('refuses a sku used twice in one request or by another product with 409', async () => {
      const sku = `DUP-${tok()}`;
      const before = await catalogCounts(t, shop.merchantId!);
      const twice = await t.http.post('/api/products').set(shop.auth).send({ name: 'Twice', price: 1, variants: [{ sku, attributes: { size: 'S' } }, { sku, attributes: { size: 'M' } }] });
      expectRefused(twice, 409);
      expect(await catalogCounts(t, shop.merchantId!)).toEqual(before);

      const owner = await product(shop, { name: `Sku owner ${tok()}`, price: 1, sku });
      const again = await catalogCounts(t, shop.merchantId!);
      expectRefused(await t.http.post('/api/products').set(shop.auth).send({ name: 'Clash', price: 1, sku }), 409);
      expectRefused(await t.http.post('/api/products').set(shop.auth).send({ name: 'Clash', price: 1, variants: [{ sku }] }), 409);
      expect(await catalogCounts(t, shop.merchantId!)).toEqual(again);
      // Unique per store only.
      expect((await product(rival, { name: 'Same sku elsewhere', price: 1, sku })).sku).toBe(sku);
      expect((await get(shop, owner.id).expect(200)).body.sku).toBe(sku);
    });
  });

  describe('get one', () => {
    it('answers the full product; another store\'s id, an unknown id and a malformed id are 404', async () => {
      const p = await product(shop, { name: `Plain ${tok()}`, price: '5.00', stock_quantity: 2 });
      const res = await get(shop, p.id).expect(200);
      expect(res.body).toMatchObject({ id: p.id, images: [], collections: [], prices: [], stock_quantity: 2 });
      expect(res.body.variants).toEqual([expect.objectContaining({ is_default: true, stock: 2, images: [], prices: [] })]);

      expectRefused(await get(rival, p.id), 404);
      expectRefused(await get(shop, randomUUID()), 404);
      for (const bad of ['not-a-uuid', '123', `${p.id}x`]) expectRefused(await get(shop, bad), 404);

      // Admins name the store.
      expect((await t.http.get(`/api/products/${p.id}?merchant_id=${shop.merchantId}`).set(admin.auth).expect(200)).body.id).toBe(p.id);
      expectRefused(await t.http.get(`/api/products/${p.id}?merchant_id=${rival.merchantId}`).set(admin.auth), 404);
    });
  });

  describe('update (PUT)', () => {
    let p: ProductDto;
    beforeEach(async () => {
      p = await product(shop, { name: `Updatable ${tok()}`, price: '20.00', stock_quantity: 5, sku: `UPD-${tok()}`, tags: ['a'], collections: [knit], status: 'draft' });
    });

    it('changes only the fields sent', async () => {
      const res = await put(shop, p.id, { description: 'Now described' }).expect(200);
      const { updated_at: _a, description: _d, ...rest } = res.body;
      const { updated_at: _b, description: _e, ...was } = p;
      expect(rest).toEqual(was);
      expect(res.body.description).toBe('Now described');
      expect(await get(shop, p.id).expect(200).then((r) => r.body)).toEqual(res.body);
    });

    it('accepts stock as a synonym of stock_quantity, on the default variant', async () => {
      expect((await put(shop, p.id, { stock: 12 }).expect(200)).body).toMatchObject({ stock_quantity: 12, variants: [expect.objectContaining({ stock: 12, is_default: true })] });
      expect((await put(shop, p.id, { stock_quantity: 4 }).expect(200)).body.stock_quantity).toBe(4);
      expectRefused(await put(shop, p.id, { stock: -1 }), 422, ['stock']);
    });

    it('changes sku, price, status, title and collections', async () => {
      const sku = `NEW-${tok()}`;
      const res = await put(shop, p.id, { sku, price: '18.50', status: 'active', title: 'Retitled', collections: [tees] }).expect(200);
      expect(res.body).toMatchObject({ sku, price: '18.50', status: 'active', name: 'Retitled', handle: p.handle });
      expect(res.body.variants[0]).toMatchObject({ sku, price: '18.50' });
      expect(res.body.collections.map((c: { slug: string }) => c.slug)).toEqual([tees]);
      // The old sku is free again.
      expect((await product(shop, { name: `Old sku ${tok()}`, price: 1, sku: p.sku })).sku).toBe(p.sku);

      expect((await put(shop, p.id, { collections: [] }).expect(200)).body.collections).toEqual([]);
      expectRefused(await put(shop, p.id, { status: 'deleted' }), 422, ['status']);
      expectRefused(await put(shop, p.id, { collections: ['nope'] }), 422, ['collections']);
      expectRefused(await put(shop, p.id, { sku: p.sku }), 409);
    });

    it('refuses a currency change, variants in the body, and stock on a product with explicit variants', async () => {
      expectRefused(await put(shop, p.id, { currency: 'EUR' }), 422, ['currency']);
      await put(shop, p.id, { currency: 'USD' }).expect(200); // its own currency is not a change
      expectRefused(await put(shop, p.id, { variants: [{ sku: 'X' }] }), 422, ['variants']);

      const multi = await product(shop, { name: `Multi ${tok()}`, price: 10, variants: [{ attributes: { size: 'S' }, stock: 1 }, { attributes: { size: 'M' }, stock: 2 }] });
      for (const body of [{ stock_quantity: 9 }, { stock: 9 }, { stock_quantity: 9, name: 'Should not stick' }]) {
        expectRefused(await put(shop, multi.id, body), 422, ['stock_quantity']);
      }
      expect((await get(shop, multi.id).expect(200)).body).toMatchObject({ name: multi.name, stock_quantity: 3 });
    });

    it('leaves the product as it was after a refused update', async () => {
      const before = (await get(shop, p.id).expect(200)).body;
      expectRefused(await put(shop, p.id, { name: 'Partial', price: '1.999' }), 422, ['price']);
      expectRefused(await put(shop, p.id, { name: 'Partial', collections: ['nope'] }), 422);
      expect((await get(shop, p.id).expect(200)).body).toEqual(before);
    });
  });

  describe('list', () => {
    let m: TestAccount;
    const P = {} as Record<'alpha' | 'bravo' | 'charlie' | 'delta' | 'echo', ProductDto>;
    const category = randomUUID();
    const names = (res: Res) => res.body.items.map((i: ProductDto) => i.name.split(' ')[0]);

    beforeAll(async () => {
      m = await registerMerchant(t, { approve: true, admin });
      await insertCollection(t, m.merchantId!, 'knit');
      await insertCollection(t, m.merchantId!, 'tees');
      // Created one after another, so created_at orders them alpha → echo.
      P.alpha = await product(m, { name: 'Alpha Merino Sweater', price: '50.00', stock_quantity: 5, status: 'active', tags: ['wool', 'winter'], collections: ['knit'], category_id: category, description: 'Warm and cozy', sku: 'L-ALPHA' });
      P.bravo = await product(m, { name: 'Bravo Cotton Tee', price: '15.00', stock_quantity: 20, status: 'active', tags: ['cotton', 'summer'], collections: ['tees'], sku: 'L-BRAVO-01' });
      P.charlie = await product(m, { name: 'Charlie Linen Shirt', price: '35.00', stock_quantity: 0, status: 'draft', tags: ['linen', 'summer'], collections: ['tees', 'knit'], description: 'Breathable fabric for hot days' });
      P.delta = await product(m, { name: 'Delta Wool Socks', price: '9.50', stock_quantity: 100, status: 'inactive', tags: ['wool'], category_id: category });
      P.echo = await product(m, { name: 'Echo Silk Scarf', price: '80.00', stock_quantity: 2, status: 'archived', tags: ['silk', 'winter', 'festive'] });
      await put(m, P.bravo.id, { description: 'Touched last' }).expect(200);
    });

    it('pages with page/per_page and with limit/offset, newest first by default', async () => {
      const all = await list(m).expect(200);
      expect(all.body).toMatchObject({ total: 5, page: 1, per_page: 20, has_next: false });
      expect(names(all)).toEqual(['Echo', 'Delta', 'Charlie', 'Bravo', 'Alpha']);
      expect(all.body.items[0]).not.toHaveProperty('variants');

      const page2 = await list(m, '?page=2&per_page=2').expect(200);
      expect(page2.body).toMatchObject({ total: 5, page: 2, per_page: 2, has_next: true });
      expect(names(page2)).toEqual(['Charlie', 'Bravo']);
      const page3 = await list(m, '?page=3&per_page=2').expect(200);
      expect([names(page3), page3.body.has_next]).toEqual([['Alpha'], false]);

      const offset = await list(m, '?limit=2&offset=1').expect(200);
      expect(offset.body).toMatchObject({ total: 5, per_page: 2, has_next: true });
      expect(names(offset)).toEqual(['Delta', 'Charlie']);
      const tail = await list(m, '?limit=2&offset=4').expect(200);
      expect(tail.body).toMatchObject({ page: 3, per_page: 2, has_next: false });
      expect(names(tail)).toEqual(['Alpha']);

      for (const q of ['?per_page=101', '?limit=101', '?page=0', '?offset=-1', '?per_page=abc']) expectRefused(await list(m, q), 422);
    });

    it.each([
      ['status=active', ['Bravo', 'Alpha']],
      ['tags=wool', ['Delta', 'Alpha']],
      ['tags=wool,winter', ['Alpha']],
      ['tags=%20WOOL%20,Winter', ['Alpha']],
      ['tags=summer,wool', []],
      ['collections=knit', ['Charlie', 'Alpha']],
      ['collection=tees', ['Charlie', 'Bravo']],
      ['collections=knit,tees', ['Charlie', 'Bravo', 'Alpha']],
      [`category_id=${category}`, ['Delta', 'Alpha']],
      ['search=sweater', ['Alpha']],
      ['search=breathable', ['Charlie']],
      ['search=festive', ['Echo']],
      ['search=meri', ['Alpha']],
      ['search=L-BRAVO-01', ['Bravo']],
      ['search=summer', ['Charlie', 'Bravo']],
      ['search=nothing-like-this', []],
      ['status=active&tags=wool', ['Alpha']],
      ['search=summer&status=draft', ['Charlie']],
      ['collections=tees&tags=summer&status=active', ['Bravo']],
      [`category_id=${category}&search=socks&status=inactive`, ['Delta']],
    ])('filters by %s', async (query, expected) => {
      const res = await list(m, `?${query}`).expect(200);
      expect(names(res)).toEqual(expected);
      expect(res.body.total).toBe(expected.length);
    });

    it.each([
      ['name', 'asc', ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo']],
      ['name', 'desc', ['Echo', 'Delta', 'Charlie', 'Bravo', 'Alpha']],
      ['price', 'asc', ['Delta', 'Bravo', 'Charlie', 'Alpha', 'Echo']],
      ['price', 'desc', ['Echo', 'Alpha', 'Charlie', 'Bravo', 'Delta']],
      ['stock_quantity', 'asc', ['Charlie', 'Echo', 'Alpha', 'Bravo', 'Delta']],
      ['stock_quantity', 'DESC', ['Delta', 'Bravo', 'Alpha', 'Echo', 'Charlie']],
      ['created_at', 'asc', ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo']],
      ['updated_at', 'desc', ['Bravo', 'Echo', 'Delta', 'Charlie', 'Alpha']],
    ])('sorts by %s %s', async (sortBy, order, expected) => {
      expect(names(await list(m, `?sort_by=${sortBy}&sort_order=${order}`).expect(200))).toEqual(expected);
    });

    it('sorts by status in the lifecycle order of the status type (active, inactive, draft, archived)', async () => {
      // Postgres sorts an enum by its declared order, not alphabetically.
      const asc = await list(m, '?sort_by=status&sort_order=asc').expect(200);
      expect(asc.body.items.map((i: ProductDto) => i.status)).toEqual(['active', 'active', 'inactive', 'draft', 'archived']);
      const desc = await list(m, '?sort_by=status&sort_order=desc').expect(200);
      expect(desc.body.items.map((i: ProductDto) => i.status)).toEqual(['archived', 'draft', 'inactive', 'active', 'active']);
      expectRefused(await list(m, '?sort_by=popularity'), 422, ['sort_by']);
      expectRefused(await list(m, '?sort_order=up'), 422, ['sort_order']);
      expectRefused(await list(m, '?status=published'), 422, ['status']);
    });

    it('adds variants with include_variants=true', async () => {
      const res = await list(m, '?include_variants=true&sort_by=created_at&sort_order=asc').expect(200);
      expect(res.body.items.map((i: ProductDto) => i.variants!.map((v) => v.stock))).toEqual([[5], [20], [0], [100], [2]]);
      expect(res.body.items[0].variants[0]).toMatchObject({ sku: 'L-ALPHA', is_default: true });
      expect((await list(m, '?include_variants=false').expect(200)).body.items[0]).not.toHaveProperty('variants');
    });

    it('admins list every store or one by merchant_id; a merchant only ever sees its own', async () => {
      const everyone = await list(admin, '?per_page=100').expect(200);
      const stores = new Set(everyone.body.items.map((i: ProductDto) => i.merchant_id));
      expect(stores.has(m.merchantId)).toBe(true);
      expect(stores.has(shop.merchantId)).toBe(true);

      const one = await list(admin, `?merchant_id=${m.merchantId}`).expect(200);
      expect(one.body.total).toBe(5);
      expect(new Set(one.body.items.map((i: ProductDto) => i.merchant_id))).toEqual(new Set([m.merchantId]));

      for (const q of ['', `?merchant_id=${m.merchantId}`, '?search=sweater', '?per_page=100']) {
        const res = await list(rival, q).expect(200);
        expect(res.body.items.every((i: ProductDto) => i.merchant_id === rival.merchantId)).toBe(true);
        expect(ids(res.body.items)).not.toContain(P.alpha.id);
      }
    });
  });

  describe('soft delete', () => {
    it('hides the product, keeps its row, is harmless twice, and frees its handle and sku', async () => {
      const sku = `DEL-${tok()}`;
      const name = `Doomed Lamp ${tok()}`;
      const p = await product(shop, { name, price: 5, sku, collections: [knit] });

      const res = await t.http.delete(`/api/products/${p.id}`).set(shop.auth).expect(204);
      expect(res.text).toBe('');
      expectRefused(await get(shop, p.id), 404);
      expectRefused(await put(shop, p.id, { name: 'Revived' }), 404);
      expectRefused(await t.http.get(`/api/products/${p.id}/variants`).set(shop.auth), 404);
      expect(ids((await list(shop, '?per_page=100').expect(200)).body.items)).not.toContain(p.id);
      expect((await list(shop, `?search=${sku}`).expect(200)).body.total).toBe(0);
      expect((await list(shop, `?collections=${knit}&per_page=100`).expect(200)).body.items.map((i: ProductDto) => i.id)).not.toContain(p.id);

      await t.http.delete(`/api/products/${p.id}`).set(shop.auth).expect(204);

      const [row] = await t.dataSource.query('SELECT name, deleted_at FROM products WHERE id = $1', [p.id]);
      expect(row.name).toBe(name);
      expect(row.deleted_at).toBeInstanceOf(Date);
      const [variant] = await t.dataSource.query('SELECT deleted_at FROM product_variants WHERE product_id = $1', [p.id]);
      expect(variant.deleted_at).toBeInstanceOf(Date);

      const successor = await product(shop, { name, price: 6, sku });
      expect([successor.handle, successor.sku]).toEqual([p.handle, sku]);
    });
  });

  describe('variants', () => {
    let p: ProductDto;
    const base = () => `/api/products/${p.id}/variants`;
    const addVariant = (body: object) => t.http.post(base()).set(shop.auth).send(body);
    const search = (query: string) => t.http.get(`${base()}/search?${query}`).set(shop.auth).expect(200);
    const skus = (res: Res) => res.body.items.map((v: VariantDto) => v.sku).sort();
    const s = tok();

    beforeAll(async () => {
      p = await product(shop, { name: `Variant Tee ${s}`, price: '20.00', stock_quantity: 5, sku: `VT-${s}` });
    });

    it('starts with the implicit default variant, which stops being default when explicit variants are added', async () => {
      const before = await t.http.get(base()).set(shop.auth).expect(200);
      expect(before.body).toEqual({ items: [expect.objectContaining({ sku: `VT-${s}`, is_default: true, stock: 5, attributes: {} })], total: 1 });

      const red = await addVariant({ sku: `VT-RED-M-${s}`, stock: 3, attributes: { ' Color ': ' red ', SIZE: 'M' } }).expect(201);
      expect(red.body).toMatchObject({ product_id: p.id, sku: `VT-RED-M-${s}`, price: '20.00', currency: 'USD', stock: 3, status: 'active', attributes: { color: 'red', size: 'M' }, is_default: false, images: [], prices: [] });

      const after = await t.http.get(base()).set(shop.auth).expect(200);
      expect(after.body.total).toBe(2);
      expect(after.body.items.map((v: VariantDto) => v.is_default)).toEqual([false, false]);
      expect((await get(shop, p.id).expect(200)).body.stock_quantity).toBe(8);
    });

    it('takes its own price, or follows the product price', async () => {
      const blue = await addVariant({ sku: `VT-BLUE-M-${s}`, price: '25.50', attributes: { color: 'blue', size: 'M' }, prices: [{ currency: 'EUR', price: '24.00' }] }).expect(201);
      expect(blue.body).toMatchObject({ price: '25.50', prices: [{ currency: 'EUR', price: '24.00', original_price: null }] });
      await addVariant({ sku: `VT-RED-L-${s}`, attributes: { color: 'red', size: 'L' } }).expect(201);

      await put(shop, p.id, { price: '21.00' }).expect(200);
      const prices = (await t.http.get(base()).set(shop.auth).expect(200)).body.items.map((v: VariantDto) => [v.sku, v.price]);
      expect(prices).toEqual(expect.arrayContaining([[`VT-RED-M-${s}`, '21.00'], [`VT-BLUE-M-${s}`, '25.50'], [`VT-RED-L-${s}`, '21.00']]));
      expectRefused(await addVariant({ price: '1.001', attributes: { color: 'x' } }), 422, ['price']);
    });

    it('refuses duplicate attributes (in any key order) and a sku used elsewhere in the store with 409', async () => {
      const other = await product(shop, { name: `Other ${tok()}`, price: 1, sku: `OTHER-${s}` });
      const before = await catalogCounts(t, shop.merchantId!);
      expectRefused(await addVariant({ attributes: { color: 'red', size: 'M' } }), 409);
      expectRefused(await addVariant({ attributes: { size: 'M', color: 'red' } }), 409);
      expectRefused(await addVariant({ attributes: { Size: ' M ', COLOR: 'red' } }), 409);
      expectRefused(await addVariant({ sku: `VT-BLUE-M-${s}`, attributes: { color: 'black' } }), 409);
      expectRefused(await addVariant({ sku: other.sku, attributes: { color: 'black' } }), 409);
      expect(await catalogCounts(t, shop.merchantId!)).toEqual(before);
      // Another store may use the same sku.
      const theirs = await product(rival, { name: 'Rival tee', price: 1 });
      await t.http.post(`/api/products/${theirs.id}/variants`).set(rival.auth).send({ sku: `VT-BLUE-M-${s}`, attributes: { color: 'blue' } }).expect(201);
    });

    it('searches by attributes: names case-insensitively, values exactly as stored', async () => {
      expect(skus(await search('color=red&size=M'))).toEqual([`VT-RED-M-${s}`]);
      expect(skus(await search('color=red'))).toEqual([`VT-RED-L-${s}`, `VT-RED-M-${s}`]);
      expect(skus(await search('size=M'))).toEqual([`VT-BLUE-M-${s}`, `VT-RED-M-${s}`]);
      expect(skus(await search('Color=red&SIZE=M'))).toEqual([`VT-RED-M-${s}`]);
      // Values are case-sensitive: "red" was stored, "RED" is another value.
      expect((await search('color=RED')).body).toEqual({ items: [], total: 0 });
      expect((await search('color=purple')).body.total).toBe(0);
    });

    it('updates a variant, and answers 404 for a variant of another product', async () => {
      const red = (await search('color=red&size=L')).body.items[0] as VariantDto;
      const res = await t.http.put(`${base()}/${red.id}`).set(shop.auth).send({ stock: 9, price: '22.00', status: 'inactive', attributes: { color: 'green', size: 'S' } }).expect(200);
      expect(res.body).toMatchObject({ id: red.id, stock: 9, price: '22.00', status: 'inactive', attributes: { color: 'green', size: 'S' } });
      expect(skus(await search('color=green'))).toEqual([`VT-RED-L-${s}`]);
      expectRefused(await t.http.put(`${base()}/${red.id}`).set(shop.auth).send({ sku: `OTHER-${s}` }), 409);
      expectRefused(await t.http.put(`${base()}/${red.id}`).set(shop.auth).send({ stock: -1 }), 422, ['stock']);

      const other = await product(shop, { name: `Elsewhere ${tok()}`, price: 1 });
      expectRefused(await t.http.put(`/api/products/${other.id}/variants/${red.id}`).set(shop.auth).send({ stock: 1 }), 404);
      expectRefused(await t.http.delete(`/api/products/${other.id}/variants/${red.id}`).set(shop.auth), 404);
      expectRefused(await t.http.put(`${base()}/${randomUUID()}`).set(shop.auth).send({ stock: 1 }), 404);
    });

    it('deletes variants with 204 but keeps the last one (409)', async () => {
      const all: VariantDto[] = (await t.http.get(base()).set(shop.auth).expect(200)).body.items;
      expect(all.length).toBeGreaterThan(1);
      for (const v of all.slice(1)) await t.http.delete(`${base()}/${v.id}`).set(shop.auth).expect(204);
      expectRefused(await t.http.delete(`${base()}/${all[1].id}`).set(shop.auth), 404);
      expectRefused(await t.http.delete(`${base()}/${all[0].id}`).set(shop.auth), 409);
      expect((await t.http.get(base()).set(shop.auth).expect(200)).body).toEqual({ items: [expect.objectContaining({ id: all[0].id })], total: 1 });
    });
  });

  describe('events: outbox and audit in the same transaction', () => {
    const requestId = (res: Res) => res.headers['x-request-id'];

    it('create, update and delete each write one outbox event and one audit row', async () => {
      const created = await t.http.post('/api/products').set(shop.auth).send({ name: `Evented ${tok()}`, price: 3 }).expect(201);
      const id = created.body.id;
      const updated = await put(shop, id, { price: 4 }).expect(200);
      const deleted = await t.http.delete(`/api/products/${id}`).set(shop.auth).expect(204);

      const events = await productEvents(t, id);
      expect(events.map((e) => e.name)).toEqual(['product.created', 'product.updated', 'product.deleted']);
      for (const e of events) expect(e.payload).toMatchObject({ product_id: id, merchant_id: shop.merchantId, handle: created.body.handle });

      for (const [res, action] of [[created, 'product.create'], [updated, 'product.update'], [deleted, 'product.delete']] as const) {
        const rows = await auditRows(t, { requestId: requestId(res), action });
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({ entity_id: id, entity_type: 'product', merchant_id: shop.merchantId, actor_id: shop.id });
      }

      // Deleting again is a no-op: no second event.
      const again = await t.http.delete(`/api/products/${id}`).set(shop.auth).expect(204);
      expect(await productEvents(t, id)).toHaveLength(3);
      expect(await auditRows(t, { requestId: requestId(again) })).toHaveLength(0);
    });

    it('variant changes publish product.updated', async () => {
      const p = await product(shop, { name: `Evented variants ${tok()}`, price: 3 });
      const v = await t.http.post(`/api/products/${p.id}/variants`).set(shop.auth).send({ attributes: { size: 'XS' } }).expect(201);
      expect((await productEvents(t, p.id)).map((e) => e.name)).toEqual(['product.created', 'product.updated']);
      expect(await auditRows(t, { requestId: v.headers['x-request-id'], action: 'variant.create' })).toHaveLength(1);
    });

    it('a refused create or update writes neither', async () => {
      const p = await product(shop, { name: `Quiet ${tok()}`, price: 3 });
      const before = await catalogEventCounts(t, shop.merchantId!);
      expectRefused(await t.http.post('/api/products').set(shop.auth).send({ name: 'Nope', price: '-1' }), 422);
      expectRefused(await t.http.post('/api/products').set(shop.auth).send({ name: 'Nope', price: 1, collections: ['missing'] }), 422);
      expectRefused(await put(shop, p.id, { name: 'Nope', original_price: '1.00' }), 422);
      expectRefused(await put(shop, p.id, { currency: 'EUR' }), 422);
      expect(await catalogEventCounts(t, shop.merchantId!)).toEqual(before);
    });
  });

  describe('access', () => {
    let p: ProductDto;
    let variantId: string;
    beforeAll(async () => {
      p = await product(shop, { name: `Guarded ${tok()}`, price: '10.00', variants: [{ attributes: { size: 'S' }, stock: 1 }, { attributes: { size: 'M' }, stock: 1 }] });
      variantId = p.variants![0].id;
    });
    const intact = async () => {
      const res = await get(shop, p.id).expect(200);
      expect(res.body).toMatchObject({ name: p.name, price: '10.00', stock_quantity: 2 });
      expect(res.body.variants).toHaveLength(2);
    };

    it('anonymous callers get 401 and customers 403', async () => {
      await t.http.get('/api/products').expect(401);
      await t.http.post('/api/products').send({ name: 'x', price: 1 }).expect(401);
      await t.http.get(`/api/products/${p.id}`).expect(401);
      for (const req of [
        t.http.get('/api/products').set(customer.auth),
        t.http.get(`/api/products/${p.id}`).set(customer.auth),
        t.http.post('/api/products').set(customer.auth).send({ name: 'x', price: 1 }),
        t.http.delete(`/api/products/${p.id}`).set(customer.auth),
        t.http.get(`/api/products/${p.id}/variants`).set(customer.auth),
      ]) {
        expect((await req).status).toBe(403);
      }
      await intact();
    });

    it('a read-only API key can read but not write', async () => {
      const key = (await createApiKey(t, shop, { scopes: ['read'] })).key;
      expect(ids((await t.http.get('/api/products?per_page=100').set(bearerKey(key)).expect(200)).body.items)).toContain(p.id);
      await t.http.get(`/api/products/${p.id}`).set('X-API-Key', key).expect(200);
      await t.http.get(`/api/products/${p.id}/variants`).set(bearerKey(key)).expect(200);
      const before = await catalogCounts(t, shop.merchantId!);
      await t.http.post('/api/products').set(bearerKey(key)).send({ name: 'From a read key', price: 1 }).expect(403);
      await t.http.put(`/api/products/${p.id}`).set(bearerKey(key)).send({ name: 'From a read key' }).expect(403);
      await t.http.delete(`/api/products/${p.id}`).set(bearerKey(key)).expect(403);
      await t.http.post(`/api/products/${p.id}/variants`).set(bearerKey(key)).send({ attributes: { size: 'L' } }).expect(403);
      expect(await catalogCounts(t, shop.merchantId!)).toEqual(before);
      await intact();
    });

    it('another merchant gets 404 on every route with this store\'s ids', async () => {
      const v = `/api/products/${p.id}/variants`;
      for (const req of [
        t.http.get(`/api/products/${p.id}`).set(rival.auth),
        t.http.put(`/api/products/${p.id}`).set(rival.auth).send({ name: 'Stolen' }),
        t.http.delete(`/api/products/${p.id}`).set(rival.auth),
        t.http.get(v).set(rival.auth),
        t.http.get(`${v}/search?size=S`).set(rival.auth),
        t.http.post(v).set(rival.auth).send({ attributes: { size: 'XL' } }),
        t.http.put(`${v}/${variantId}`).set(rival.auth).send({ stock: 50 }),
        t.http.delete(`${v}/${variantId}`).set(rival.auth),
        t.http.get(`/api/products/${p.id}?merchant_id=${shop.merchantId}`).set(rival.auth),
      ]) {
        expectRefused(await req, 404);
      }
      // Even through the rival's own product id, the variant of this store is not reachable.
      const theirs = await product(rival, { name: 'Theirs', price: 1 });
      expectRefused(await t.http.put(`/api/products/${theirs.id}/variants/${variantId}`).set(rival.auth).send({ stock: 50 }), 404);
      await intact();
    });
  });
});
