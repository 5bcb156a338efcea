import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { ProductDto } from '../src/modules/catalog/product-views';
import { CatalogImportService } from '../src/modules/catalog/csv/catalog-import.service';
import { exportHeader } from '../src/modules/catalog/csv/product-csv';
import { bootTestApp, TestApp } from './harness/app';
import { auditRows } from './support/audit';
import { catalogCounts, catalogEventCounts, createProduct, insertCollection, setStoreCurrencies, tok } from './support/catalog';
import { createAdmin, registerCustomer, registerMerchant, TestAccount } from './support/identity';

type Row = Record<string, string>;

async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Rows as CSV text with the given header (cells a row leaves out are empty). */
const csvOf = (header: string[], rows: Row[]) => stringify([header, ...rows.map((r) => header.map((c) => r[c] ?? ''))]);

/** A product as the API shows it, minus what differs between stores (ids, timestamps, merchant). */
function comparable(p: ProductDto) {
  const { id: _id, merchant_id: _m, created_at: _c, updated_at: _u, collections, variants, ...fields } = p;
  return {
    ...fields,
    collections: collections.map((c) => c.slug).sort(),
    variants: (variants ?? []).map(({ id: _vid, product_id: _pid, ...v }) => v),
  };
}

describe('Catalog CSV export and import', () => {
  let t: TestApp;
  let admin: TestAccount;
  let customer: TestAccount;

  beforeAll(async () => {
    t = await bootTestApp();
    [admin, customer] = await Promise.all([createAdmin(t), registerCustomer(t)]);
  });
  afterAll(() => t?.close());

  /** An ACTIVE store (unless told otherwise) selling in USD and EUR, with the given collections. */
  async function store(collections: { slug: string; order: number }[] = [], options: { approve?: boolean } = {}): Promise<TestAccount> {
    const owner = await registerMerchant(t, { approve: options.approve ?? true, admin });
    await setStoreCurrencies(t, owner, 'USD', ['USD', 'EUR']);
    for (const c of collections) await insertCollection(t, owner.merchantId!, c.slug, { displayOrder: c.order });
    return owner;
  }

  const exportCsv = (owner: TestAccount, query = '?format=csv') => t.http.get(`/api/products/export${query}`).set(owner.auth);
  const importCsv = (owner: TestAccount, csv: string | Buffer, options: { dryRun?: 'form' | 'query'; name?: string } = {}) => {
    const req = t.http.post(`/api/products/import${options.dryRun === 'query' ? '?dry_run=true' : ''}`).set(owner.auth);
    if (options.dryRun === 'form') req.field('dry_run', 'true');
    return req.attach('file', Buffer.isBuffer(csv) ? csv : Buffer.from(csv), options.name ?? 'products.csv');
  };
  const records = (text: string): Row[] => parse(text, { columns: true });
  async function catalogOf(owner: TestAccount) {
    const res = await t.http.get('/api/products?include_variants=true&per_page=100&sort_by=name&sort_order=asc').set(owner.auth).expect(200);
    return (res.body.items as ProductDto[]).map(comparable).sort((a, b) => a.handle.localeCompare(b.handle));
  }

  /** Two products in a store with both collections: one with explicit variants and every field, one plain. */
  async function seedCatalog(owner: TestAccount, knit: string, sale: string) {
    const sweater = await createProduct(t, owner, {
      name: 'Merino Sweater',
      description: 'Warm, "soft"\nmerino wool',
      price: '49.99',
      original_price: '69.99',
      cost_price: '20.00',
      category_id: randomUUID(),
      weight: 0.35,
      length: 30.5,
      width: 20,
      height: 2.5,
      hs_code: '6110.11',
      country_of_origin: 'PT',
      customs_description: 'Knitted wool sweater',
      requires_shipping: true,
      track_inventory: true,
      low_stock_threshold: 2,
      status: 'active',
      tags: ['wool', 'winter'],
      collections: [sale, knit],
      meta_title: 'Merino sweater',
      meta_description: 'The warmest',
      prices: [{ currency: 'EUR', price: '45.00', original_price: '60.00' }],
      variants: [
        { sku: `SW-S-${tok()}`, price: '59.00', stock: 3, attributes: { size: 'S', color: 'red' }, prices: [{ currency: 'EUR', price: '55.00' }] },
        { sku: `SW-M-${tok()}`, stock: 0, status: 'inactive', attributes: { size: 'M', color: 'red' } },
      ],
    });
    const mug = await createProduct(t, owner, { name: 'Plain Mug', price: '10', sku: `MUG-${tok()}`, stock_quantity: 5 });
    return { sweater, mug };
  }

  describe('export', () => {
    it('streams one row per variant with the product repeated, tags, collections and money as decimal strings', async () => {
      const [knit, sale] = [`knit-${tok()}`, `sale-${tok()}`];
      const owner = await store([{ slug: knit, order: 1 }, { slug: sale, order: 2 }]);
      const { sweater, mug } = await seedCatalog(owner, knit, sale);

      const res = await exportCsv(owner).expect(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename="products-\d{4}-\d{2}-\d{2}\.csv"$/);
      expect(res.text.split('\n')[0]).toBe(exportHeader(['EUR']).join(','));

      const rows = records(res.text);
      expect(rows.map((r) => [r.handle, r.variant_sku])).toEqual([
        [sweater.handle, sweater.variants![0].sku],
        [sweater.handle, sweater.variants![1].sku],
        [mug.handle, mug.sku],
      ]);
      expect(rows[0]).toMatchObject({
        name: 'Merino Sweater',
        description: 'Warm, "soft"\nmerino wool',
        status: 'active',
        price: '49.99',
        original_price: '69.99',
        cost_price: '20.00',
        currency: 'USD',
        weight: '0.35',
        length: '30.5',
        tags: 'wool;winter',
        collections: `${knit};${sale}`,
        requires_shipping: 'true',
        low_stock_threshold: '2',
        variant_price: '59.00',
        variant_stock: '3',
        variant_status: 'active',
        variant_position: '0',
        price_EUR: '45.00',
        original_price_EUR: '60.00',
        variant_price_EUR: '55.00',
      });
      expect(JSON.parse(rows[0].variant_attributes)).toEqual({ size: 'S', color: 'red' });
      // Product fields repeat on every variant row; the variant's own price is empty when it has none.
      expect(rows[1]).toMatchObject({ name: 'Merino Sweater', price: '49.99', tags: 'wool;winter', variant_price: '', variant_stock: '0', variant_status: 'inactive' });
      expect(rows[2]).toMatchObject({ price: '10.00', variant_attributes: '', variant_stock: '5', tags: '', collections: '', price_EUR: '' });
    });

    it('pages through a catalog larger than one batch, in handle order', async () => {
      const owner = await store();
      const values = Array.from({ length: 520 }, (_, i) => `('${owner.merchantId}', 'bulk-${String(i).padStart(4, '0')}', 'Bulk ${i}', 100, 'USD')`);
      await t.dataSource.query(`INSERT INTO products (merchant_id, handle, name, price, currency) VALUES ${values.join(',')}`);
      const rows = records((await exportCsv(owner).expect(200)).text);
      expect(rows).toHaveLength(520);
      expect(rows.map((r) => r.handle)).toEqual(values.map((_, i) => `bulk-${String(i).padStart(4, '0')}`));
    });

    it('refuses a format other than csv (422), anonymous callers (401) and customers (403)', async () => {
      const owner = await store();
      const res = await exportCsv(owner, '?format=json').expect(422);
      expect(res.body.error.detail.fields).toHaveProperty('format');
      await t.http.get('/api/products/export?format=csv').expect(401);
      await t.http.get('/api/products/export?format=csv').set(customer.auth).expect(403);
    });

    it('lets an admin export a store it names', async () => {
      const owner = await store();
      await createProduct(t, owner, { name: 'Admin view', price: '1.00' });
      await t.http.get('/api/products/export').set(admin.auth).expect(422);
      const res = await t.http.get(`/api/products/export?format=csv&merchant_id=${owner.merchantId}`).set(admin.auth).expect(200);
      expect(records(res.text).map((r) => r.name)).toEqual(['Admin view']);
    });
  });

  describe('round trip', () => {
    it('export from one store and import into another gives an identical catalog; a re-import changes nothing', async () => {
      const [knit, sale] = [`knit-${tok()}`, `sale-${tok()}`];
      const collections = [{ slug: knit, order: 1 }, { slug: sale, order: 2 }];
      const [source, target] = [await store(collections), await store(collections)];
      await seedCatalog(source, knit, sale);
      const csv = (await exportCsv(source).expect(200)).text;

      const report = (await importCsv(target, csv).expect(200)).body;
      expect(report).toMatchObject({ status: 'completed', dry_run: false, total_rows: 3, processed_rows: 3, created: 2, updated: 0, unchanged: 0, failed: 0, errors: [] });
      expect(await catalogOf(target)).toEqual(await catalogOf(source));
      // Each product was written as ProductsService writes one: an audit entry and a product.created event.
      expect(await catalogEventCounts(t, target.merchantId!)).toEqual({ outbox: 2, audit: 2 });
      const [created] = await auditRows(t, { merchantId: target.merchantId!, action: 'product.create' });
      expect(created).toMatchObject({ actor_type: 'user', actor_id: target.id, entity_type: 'product' });

      const again = (await importCsv(target, csv).expect(200)).body;
      expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 2, failed: 0 });
      expect(await catalogCounts(t, target.merchantId!)).toMatchObject({ products: 2, variants: 3 });
      expect(await catalogEventCounts(t, target.merchantId!)).toEqual({ outbox: 2, audit: 2 });
      expect(await catalogOf(target)).toEqual(await catalogOf(source));
    });

    it('updates products by handle and variants by sku instead of duplicating them', async () => {
      const owner = await store();
      const sku = `UP-${tok()}`;
      const product = await createProduct(t, owner, { name: 'Lamp', price: '30.00', variants: [{ sku, stock: 1, attributes: { color: 'white' } }] });
      const header = ['handle', 'name', 'price', 'tags', 'variant_sku', 'variant_stock', 'variant_attributes'];
      const report = (
        await importCsv(
          owner,
          csvOf(header, [
            { handle: product.handle, name: 'Desk Lamp', price: '32.50', tags: 'light; Desk', variant_sku: sku, variant_stock: '9', variant_attributes: 'color=white' },
            { handle: product.handle, variant_sku: `${sku}-B`, variant_stock: '4', variant_attributes: 'color=black' },
          ]),
        ).expect(200)
      ).body;
      expect(report).toMatchObject({ created: 0, updated: 1, unchanged: 0, failed: 0 });

      const after = (await t.http.get(`/api/products/${product.id}`).set(owner.auth).expect(200)).body as ProductDto;
      expect(after).toMatchObject({ id: product.id, name: 'Desk Lamp', price: '32.50', tags: ['light', 'desk'] });
      expect(after.variants!.map((v) => [v.sku, v.stock, v.attributes])).toEqual([
        [sku, 9, { color: 'white' }],
        [`${sku}-B`, 4, { color: 'black' }],
      ]);
      expect(after.variants![0].id).toBe(product.variants![0].id);
      expect((await auditRows(t, { entityId: product.id, action: 'product.update' })).at(-1)?.changes).toMatchObject({ name: { before: 'Lamp', after: 'Desk Lamp' } });
    });
  });

  describe('dry run', () => {
    it.each(['form', 'query'] as const)('validates and reports without writing anything (dry_run as a %s field)', async (how) => {
      const owner = await store();
      await createProduct(t, owner, { name: 'Existing', price: '5.00', handle: 'existing' });
      const before = { rows: await catalogCounts(t, owner.merchantId!), events: await catalogEventCounts(t, owner.merchantId!) };
      const csv = csvOf(['handle', 'name', 'price'], [
        { handle: 'existing', name: 'Renamed', price: '5.00' },
        { handle: 'fresh', name: 'Fresh', price: '7.00' },
        { handle: 'broken', name: 'Broken', price: '7.001' },
      ]);
      const report = (await importCsv(owner, csv, { dryRun: how }).expect(200)).body;
      expect(report).toMatchObject({ job_id: null, dry_run: true, total_rows: 3, created: 1, updated: 1, failed: 1, errors: [{ line: 4, column: 'price', handle: 'broken' }] });
      expect(await catalogCounts(t, owner.merchantId!)).toEqual(before.rows);
      expect(await catalogEventCounts(t, owner.merchantId!)).toEqual(before.events);
      const [run] = await t.dataSource.query(`SELECT count(*)::int AS n FROM catalog_import_runs WHERE merchant_id = $1`, [owner.merchantId]);
      expect(run.n).toBe(0);
    });
  });

  describe('refused files (422, nothing written)', () => {
    let owner: TestAccount;
    beforeAll(async () => {
      owner = await store();
    });

    async function expectRefused(csv: string | Buffer, message: RegExp) {
      const before = await catalogCounts(t, owner.merchantId!);
      const res = await importCsv(owner, csv).expect(422);
      expect(res.body.error).toMatchObject({ code: 'ERR_VALIDATION' });
      expect(res.body.error.message).toMatch(message);
      expect(await catalogCounts(t, owner.merchantId!)).toEqual(before);
      return res;
    }

    it('names unknown and missing header columns', async () => {
      const res = await expectRefused('handle,name,colour,Weight\nmug,Mug,blue,1\n', /unknown columns: colour.*missing required columns: price/);
      expect(res.body.error.detail.fields.file).toEqual(['unknown columns: colour', 'missing required columns: price']);
    });

    it('refuses invalid UTF-8 and an empty file', async () => {
      const latin1 = Buffer.concat([Buffer.from('handle,name,price\ncafe,Caf'), Buffer.from([0xe9]), Buffer.from(',3.00\n')]);
      await expectRefused(latin1, /not valid UTF-8/);
      await expectRefused('', /empty/);
    });

    it('refuses a structurally malformed CSV, naming the line', async () => {
      await expectRefused('handle,name,price\nmug,Mug,1.00\ncup,"Cup,2.00\n', /malformed CSV: Quote Not Closed: .* at line 3/);
    });

    it('requires the file part, and refuses a non-multipart body (415)', async () => {
      await t.http.post('/api/products/import').set(owner.auth).field('dry_run', 'true').expect(422);
      await t.http.post('/api/products/import').set(owner.auth).send({ file: 'handle,name,price' }).expect(415);
    });

    it('accepts a UTF-8 BOM (as spreadsheets write it)', async () => {
      const res = await importCsv(owner, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('handle,name,price\nbom-mug,Café mug,3.00\n')])).expect(200);
      expect(res.body).toMatchObject({ created: 1, failed: 0 });
      const list = (await t.http.get('/api/products?search=mug').set(owner.auth).expect(200)).body.items;
      expect(list.map((p: ProductDto) => [p.handle, p.name])).toEqual([['bom-mug', 'Café mug']]);
    });
  });

  describe('row errors', () => {
    it('reports each bad row with its line and column, skips its whole product, and imports the rest', async () => {
      const known = `known-${tok()}`;
      const owner = await store([{ slug: known, order: 0 }]);
      const dup = `DUP-${tok()}`;
      const header = ['handle', 'name', 'description', 'price', 'status', 'collections', 'variant_sku', 'variant_stock', 'variant_price', 'variant_attributes'];
      const csv = csvOf(header, [
        { handle: 'good-one', name: 'Good one', description: 'two\nlines', price: '10.00', collections: known }, // lines 2-3
        { handle: 'bad-price', name: 'Bad price', price: '12.345' }, // 4
        { handle: 'negative-stock', name: 'Negative', price: '1.00', variant_stock: '-2' }, // 5
        { handle: 'odd-status', name: 'Odd status', price: '1.00', status: 'sold-out' }, // 6
        { handle: 'dup-a', name: 'Dup A', price: '1.00', variant_sku: dup }, // 7
        { handle: 'dup-b', name: 'Dup B', price: '1.00', variant_sku: dup }, // 8
        { handle: 'no-collection', name: 'No collection', price: '1.00', collections: `${known};nope` }, // 9
        { handle: 'half', name: 'Half', price: '5.00', variant_attributes: 'size=S' }, // 10
        { handle: 'half', variant_price: 'abc', variant_attributes: 'size=M' }, // 11
        { handle: 'good-two', name: 'Good two', price: '3.00', variant_attributes: '{"size":"S"}' }, // 12
        { handle: 'good-two', variant_attributes: '{"size":"M"}', variant_price: '3.50' }, // 13
      ]);
      const report = (await importCsv(owner, csv).expect(200)).body;
      expect(report).toMatchObject({ total_rows: 11, processed_rows: 11, created: 3, updated: 0, failed: 6 });
      expect(report.errors.map((e: { line: number; column?: string; handle?: string }) => [e.line, e.column, e.handle])).toEqual([
        [4, 'price', 'bad-price'],
        [5, 'variant_stock', 'negative-stock'],
        [6, 'status', 'odd-status'],
        [8, 'variant_sku', 'dup-b'],
        [9, 'collections', 'no-collection'],
        [11, 'variant_price', 'half'],
      ]);
      const messages = report.errors.map((e: { message: string }) => e.message);
      expect(messages[0]).toMatch(/^price: .*more decimals than USD allows/);
      expect(messages[1]).toBe('variant_stock: must not be less than 0');
      expect(messages[2]).toMatch(/^status: must be one of active, inactive, draft, archived/);
      expect(messages[3]).toBe(`variant_sku: ${dup} is already used at line 7`);
      expect(messages[4]).toMatch(/unknown collection nope/);

      const handles = (await t.http.get('/api/products?per_page=100').set(owner.auth).expect(200)).body.items.map((p: ProductDto) => p.handle).sort();
      expect(handles).toEqual(['dup-a', 'good-one', 'good-two']);
      // The failed multi-row product left nothing behind: no product, no variant.
      expect(await catalogCounts(t, owner.merchantId!)).toMatchObject({ products: 3, variants: 4, memberships: 1 });
    });

    it('refuses a sku another product of the store already has, a product whose rows disagree, and publishing in a PENDING store', async () => {
      const owner = await store([], { approve: false });
      const taken = await createProduct(t, owner, { name: 'Owner of the sku', price: '1.00', sku: `TAKEN-${tok()}` });
      const csv = csvOf(['handle', 'name', 'price', 'status', 'variant_sku', 'variant_attributes'], [
        { handle: 'thief', name: 'Thief', price: '2.00', variant_sku: taken.sku! },
        { handle: 'torn', name: 'Torn', price: '2.00', variant_attributes: 'size=S' },
        { handle: 'torn', name: 'Torn', price: '2.50', variant_attributes: 'size=M' },
        { handle: 'eager', name: 'Eager', price: '2.00', status: 'active' },
        { handle: 'patient', name: 'Patient', price: '2.00', status: 'draft' },
      ]);
      const report = (await importCsv(owner, csv).expect(200)).body;
      expect(report).toMatchObject({ created: 1, failed: 3 });
      expect(report.errors).toEqual([
        { line: 2, column: 'variant_sku', handle: 'thief', message: `variant_sku: ${taken.sku} is already used by another product in this store` },
        { line: 4, column: 'price', handle: 'torn', message: expect.stringMatching(/^price: differs from the product's first row \(line 3\)/) },
        { line: 5, column: 'status', handle: 'eager', message: 'status: The store is PENDING; only ACTIVE stores can publish products' },
      ]);
    });

    it('when a chunk fails where only the database can tell, redoes it product by product: the others import, the failing one leaves nothing', async () => {
      const owner = await store();
      // A clash only the database sees (as a concurrent writer could cause one): this trigger refuses one product.
      await t.dataSource.query(`
        CREATE FUNCTION test_refuse_product() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.name = 'Refused by the database' THEN
            RAISE EXCEPTION 'duplicate handle' USING ERRCODE = 'unique_violation', CONSTRAINT = 'uq_products_merchant_handle';
          END IF;
          RETURN NEW;
        END $$`);
      await t.dataSource.query(`CREATE TRIGGER test_refuse_product BEFORE INSERT ON products FOR EACH ROW EXECUTE FUNCTION test_refuse_product()`);
      try {
        const csv = csvOf(['handle', 'name', 'price', 'variant_sku', 'variant_attributes', 'variant_stock'], [
          { handle: 'first', name: 'First', price: '1.00', variant_sku: `F-${tok()}`, variant_attributes: 'size=S', variant_stock: '2' },
          { handle: 'refused', name: 'Refused by the database', price: '2.00', variant_sku: `R-${tok()}`, variant_attributes: 'size=S', variant_stock: '3' },
          { handle: 'refused', name: 'Refused by the database', price: '2.00', variant_sku: `R-${tok()}`, variant_attributes: 'size=M' },
          { handle: 'last', name: 'Last', price: '3.00' },
        ]);
        const report = (await importCsv(owner, csv).expect(200)).body;
        expect(report).toMatchObject({ created: 2, updated: 0, failed: 1 });
        expect(report.errors).toEqual([{ line: 3, column: 'handle', handle: 'refused', message: 'handle: conflicts with existing data in this store (uq_products_merchant_handle)' }]);
        const handles = (await t.http.get('/api/products?per_page=100').set(owner.auth).expect(200)).body.items.map((p: ProductDto) => p.handle).sort();
        expect(handles).toEqual(['first', 'last']);
        expect(await catalogCounts(t, owner.merchantId!)).toMatchObject({ products: 2, variants: 2 });
        expect(await catalogEventCounts(t, owner.merchantId!)).toEqual({ outbox: 2, audit: 2 });
      } finally {
        await t.dataSource.query(`DROP TRIGGER test_refuse_product ON products`);
        await t.dataSource.query(`DROP FUNCTION test_refuse_product()`);
      }
    });
  });

  describe('large files (a catalog-import job)', () => {
    let owner: TestAccount;
    let jobId: string;
    const header = ['handle', 'name', 'price', 'tags', 'variant_sku', 'variant_stock', 'variant_attributes'];

    beforeAll(async () => {
      owner = await store();
      await t.startWorker();
    });

    it('queues a file over 1,000 rows (202) and reports progress until completed, with correct counts', async () => {
      const rows: Row[] = [];
      for (let p = 0; p < 500; p++) {
        for (const size of ['S', 'M', 'L']) {
          rows.push({ handle: `bulk-${p}`, name: `Bulk ${p}`, price: p === 250 ? '9.999' : '19.90', tags: 'bulk', variant_sku: `BULK-${p}-${size}`, variant_stock: '2', variant_attributes: `size=${size}` });
        }
      }
      const queued = await importCsv(owner, csvOf(header, rows), { name: 'bulk.csv' }).expect(202);
      expect(queued.body).toMatchObject({ status: 'queued', total_rows: 1500, processed_rows: 0, file_name: 'bulk.csv' });
      jobId = queued.body.job_id;

      const report = await eventually(
        async () => (await t.http.get(`/api/products/import/${jobId}`).set(owner.auth).expect(200)).body,
        (body) => ['completed', 'failed'].includes(body.status),
      );
      expect(report).toMatchObject({ job_id: jobId, status: 'completed', total_rows: 1500, processed_rows: 1500, created: 499, updated: 0, failed: 1 });
      // Product 250's rows are lines 752-754 (the header is line 1).
      expect(report.errors).toEqual([expect.objectContaining({ line: 752, column: 'price', handle: 'bulk-250' })]);
      expect(await catalogCounts(t, owner.merchantId!)).toMatchObject({ products: 499, variants: 1497 });
      const [stored] = await t.dataSource.query(`SELECT csv IS NULL AS cleared FROM catalog_import_runs WHERE id = $1`, [jobId]);
      expect(stored.cleared).toBe(true);
    });

    it('does nothing when a completed run is run again', async () => {
      const events = await catalogEventCounts(t, owner.merchantId!);
      expect(await t.app.get(CatalogImportService).runStored(jobId)).toEqual({ run_id: jobId, status: 'completed' });
      expect(await catalogCounts(t, owner.merchantId!)).toMatchObject({ products: 499, variants: 1497 });
      expect(await catalogEventCounts(t, owner.merchantId!)).toEqual(events);
    });

    it('keeps the progress to its merchant: another merchant gets 404, anonymous 401, a customer 403', async () => {
      const other = await registerMerchant(t);
      await t.http.get(`/api/products/import/${jobId}`).set(other.auth).expect(404);
      await t.http.get(`/api/products/import/${randomUUID()}`).set(owner.auth).expect(404);
      await t.http.get(`/api/products/import/${jobId}`).expect(401);
      await t.http.get(`/api/products/import/${jobId}`).set(customer.auth).expect(403);
      await t.http.post('/api/products/import').attach('file', Buffer.from('handle,name,price\n'), 'x.csv').expect(401);
      await t.http.post('/api/products/import').set(customer.auth).attach('file', Buffer.from('handle,name,price\n'), 'x.csv').expect(403);
    });
  });
});
