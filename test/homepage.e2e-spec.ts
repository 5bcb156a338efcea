import { bootTestApp, TestApp } from './harness/app';
import { createProduct, setStoreCurrencies, tok } from './support/catalog';
import { createAdmin, registerMerchant, TestAccount } from './support/identity';

type Json = Record<string, any>;

/** A 1×1 PNG. */
const PNG_1PX = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAADElEQVQImWP4//8/AAX+Av5Y8msOAAAAAElFTkSuQmCC', 'base64');

const P = '/api/v1/merchants/me/homepage-config';

describe('Homepage: merchant config, sections, templates, short forms and the public page', () => {
  let t: TestApp;
  let admin: TestAccount;
  let shop: TestAccount;
  let rival: TestAccount;
  let pending: TestAccount;
  let summer: string;
  let winter: string;
  let summerId: string;
  let shopMedia: string;
  let rivalMedia: string;
  const p: Record<'tee' | 'mug' | 'draft' | 'archived' | 'old', Json> = {} as never;

  const version = async (who: TestAccount = shop): Promise<number> => (await t.http.get(P).set(who.auth).expect(200)).body.version;
  const upload = async (who: TestAccount): Promise<string> => (await t.http.post('/api/upload/image').set(who.auth).attach('file', PNG_1PX, 'hero.png').expect(201)).body.media_id;
  const create = (body: Json, who: TestAccount = shop) => t.http.post(`${P}/sections`).set(who.auth).send(body);
  /** Creates a section; throws with the error body unless 201. */
  const created = async (body: Json): Promise<Json> => {
    const res = await create(body);
    if (res.status !== 201) throw new Error(`section create failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const publicPage = (query = '', headers: Record<string, string> = {}, store = shop.merchantId!) => t.http.get(`/api/public/stores/${store}/homepage${query}`).set(headers);

  beforeAll(async () => {
    t = await bootTestApp();
    admin = await createAdmin(t);
    [shop, rival, pending] = await Promise.all([registerMerchant(t, { approve: true, admin }), registerMerchant(t, { approve: true, admin }), registerMerchant(t)]);
    await setStoreCurrencies(t, shop, 'USD', ['USD', 'EUR']);
    summer = `summer-${tok()}`;
    winter = `winter-${tok()}`;
    summerId = (await t.http.post('/api/collections').set(shop.auth).send({ slug: summer, name: 'Summer' }).expect(201)).body.id;
    await t.http.post('/api/collections').set(shop.auth).send({ slug: winter, name: 'Winter' }).expect(201);
    await t.http.post(`/api/collections/${summerId}/translations`).set(shop.auth).send({ language_code: 'fr', name: 'Été' }).expect(201);
    p.old = await createProduct(t, shop, { name: 'Old Hat', price: '5.00', status: 'active', collections: [summer] });
    p.tee = await createProduct(t, shop, { name: 'Linen Tee', price: '20.00', status: 'active', collections: [summer], prices: [{ currency: 'EUR', price: '18.50' }] });
    p.mug = await createProduct(t, shop, { name: 'Stoneware Mug', price: '10.00', status: 'active', collections: [summer, winter] });
    p.draft = await createProduct(t, shop, { name: 'Draft Thing', price: '1.00', status: 'draft', collections: [summer] });
    p.archived = await createProduct(t, shop, { name: 'Archived Thing', price: '1.00', status: 'archived', collections: [summer] });
    await t.http.post(`/api/products/${p.tee.id}/translations`).set(shop.auth).send({ language_code: 'fr', name: 'T-shirt en lin' }).expect(201);
    [shopMedia, rivalMedia] = await Promise.all([upload(shop), upload(rival)]);
  });
  afterAll(() => t?.close());

  it('creates the config lazily from the standard template, with a stable id, also through GET /api/homepage/config', async () => {
    const first = (await t.http.get(P).set(shop.auth).expect(200)).body;
    expect(first).toMatchObject({ version: 1, template_key: 'standard', sections_count: 4, page_settings: { background_mode: null } });
    expect(first.sections.map((s: Json) => [s.position, s.type])).toEqual([
      [1, 'banner'],
      [2, 'collections'],
      [3, 'collection_products'],
      [4, 'featured'],
    ]);
    expect(first.sections[0]).toMatchObject({ title: 'Welcome', translations: { en: { title: 'Welcome' } } });
    const again = (await t.http.get(P).set(shop.auth).expect(200)).body;
    const short = (await t.http.get('/api/homepage/config').set(shop.auth).expect(200)).body;
    expect([again.id, short.id]).toEqual([first.id, first.id]);
    expect(again.version).toBe(1);
    const list = (await t.http.get(`${P}/sections`).set(shop.auth).expect(200)).body;
    expect(list.sections.map((s: Json) => s.id)).toEqual(first.sections.map((s: Json) => s.id));
  });

  it('serves the templates publicly', async () => {
    const res = await t.http.get('/api/v1/public/homepage-config/templates').expect(200);
    expect(res.body.templates.map((x: Json) => x.key)).toEqual(['minimal', 'standard']);
    expect(res.body.templates[1]).toMatchObject({ name: 'Standard', description: expect.any(String) });
    expect(res.body.templates[1].sections.map((s: Json) => s.type)).toEqual(['banner', 'collections', 'collection_products', 'featured']);
  });

  describe('validation of each section type', () => {
    const refused = async (body: Json, status: number, code: string, field?: string) => {
      const before = await version();
      const res = await create(body);
      expect({ status: res.status, code: res.body.error?.code }).toEqual({ status, code });
      if (field) expect(Object.keys(res.body.error.detail.fields)).toContain(field);
      expect(await version()).toBe(before);
    };

    it('refuses unknown types, malformed settings and unknown settings keys (422, nothing changes)', async () => {
      await refused({ type: 'carousel', settings: {} }, 422, 'ERR_VALIDATION', 'type');
      await refused({ type: 'banner', settings: { images: [{ url: 'javascript:alert(1)' }] } }, 422, 'ERR_VALIDATION', 'settings');
      await refused({ type: 'banner', settings: { images: [{ url: 'https://x.test/a.jpg', media_id: shopMedia }] } }, 422, 'ERR_VALIDATION', 'settings');
      await refused({ type: 'banner', settings: { images: [{}] } }, 422, 'ERR_VALIDATION', 'settings');
      await refused({ type: 'banner', settings: { images: [{ url: 'https://x.test/a.jpg', action_type: 'teleport' }] } }, 422, 'ERR_VALIDATION');
      await refused({ type: 'banner', settings: { images: [{ url: 'https://x.test/a.jpg', action_type: 'url', action_value: 'ftp://x' }] } }, 422, 'ERR_VALIDATION');
      await refused({ type: 'banner', settings: { images: [], image_fit: 'stretch' } }, 422, 'ERR_VALIDATION');
      await refused({ type: 'banner', settings: { images: Array.from({ length: 21 }, () => ({ url: 'https://x.test/a.jpg' })) } }, 422, 'ERR_VALIDATION');
      await refused({ type: 'collections', settings: { collection_slugs: 'summer' } }, 422, 'ERR_VALIDATION');
      await refused({ type: 'collections', settings: { collection_slugs: [], colour: 'red' } }, 422, 'ERR_VALIDATION');
      await refused({ type: 'collection_products', settings: { collection_slug: summer, limit: 0 } }, 422, 'ERR_VALIDATION');
      await refused({ type: 'collection_products', settings: { collection_slug: summer, limit: 1000 } }, 422, 'ERR_VALIDATION');
      await refused({ type: 'featured', settings: { target_type: 'page' } }, 422, 'ERR_VALIDATION');
      await refused({ type: 'featured', settings: { target_type: 'url' } }, 422, 'ERR_VALIDATION');
      await refused({ type: 'featured', settings: { target_type: 'url', url: 'data:text/html,hi' } }, 422, 'ERR_VALIDATION');
      await refused({ type: 'banner', settings: { images: [] }, translations: { fr: { description: 'no title' } } }, 422, 'ERR_VALIDATION', 'translations');
      await refused({ type: 'banner', settings: { images: [] }, translations: { 'not a lang': { title: 'x' } } }, 422, 'ERR_VALIDATION', 'translations');
      await refused({ type: 'banner', settings: { images: [] }, translations: { xx: { title: 'x' } } }, 422, 'ERR_HOMEPAGE_UNKNOWN_LANGUAGE');
    });

    it('refuses what the store does not have: collections, products, another store\'s media', async () => {
      await refused({ type: 'collections', settings: { collection_slugs: [summer, 'nope'] } }, 422, 'ERR_HOMEPAGE_UNKNOWN_COLLECTION', 'settings.collection_slugs.1');
      await refused({ type: 'collection_products', settings: { collection_slug: 'nope', limit: 4 } }, 422, 'ERR_HOMEPAGE_UNKNOWN_COLLECTION');
      await refused({ type: 'featured', settings: { target_type: 'product', target_handle: 'no-such-product' } }, 422, 'ERR_HOMEPAGE_UNKNOWN_PRODUCT');
      await refused({ type: 'featured', settings: { target_type: 'collection', target_handle: 'nope' } }, 422, 'ERR_HOMEPAGE_UNKNOWN_COLLECTION');
      await refused({ type: 'banner', settings: { images: [{ media_id: rivalMedia }] } }, 422, 'ERR_HOMEPAGE_UNKNOWN_MEDIA', 'settings.images.0.media_id');
      await refused({ type: 'banner', settings: { images: [{ url: 'https://x.test/a.jpg', mobile_media_id: rivalMedia }] } }, 422, 'ERR_HOMEPAGE_UNKNOWN_MEDIA');
      await refused({ type: 'banner', settings: { images: [{ url: 'https://x.test/a.jpg', action_type: 'product', action_value: 'no-such-product' }] } }, 422, 'ERR_HOMEPAGE_UNKNOWN_PRODUCT');
      const otherShopCollection = `rival-${tok()}`;
      await t.http.post('/api/collections').set(rival.auth).send({ slug: otherShopCollection, name: 'Rival' }).expect(201);
      await refused({ type: 'collections', settings: { collection_slugs: [otherShopCollection] } }, 422, 'ERR_HOMEPAGE_UNKNOWN_COLLECTION');
    });
  });

  describe('sections', () => {
    let banner: Json;
    let grid: Json;

    it('creates each type with normalized settings, bumps the version and writes the audit log', async () => {
      const v0 = await version();
      banner = await created({
        type: 'banner',
        translations: { en: { title: 'Big sale' }, FR: { title: 'Soldes' } },
        settings: { images: [{ media_id: shopMedia, alt: 'Hero', action_type: 'collection', action_value: summer }, { url: 'https://cdn.test/2.jpg' }], image_fit: 'contain' },
      });
      expect(banner).toMatchObject({ type: 'banner', position: 5, title: 'Big sale', translations: { en: { title: 'Big sale' }, fr: { title: 'Soldes' } } });
      expect(banner.settings).toEqual({
        image_fit: 'contain',
        images: [
          { url: null, media_id: shopMedia, mobile_url: null, mobile_media_id: null, alt: 'Hero', action_type: 'collection', action_value: summer },
          { url: 'https://cdn.test/2.jpg', media_id: null, mobile_url: null, mobile_media_id: null, alt: null, action_type: 'none', action_value: null },
        ],
      });
      grid = await created({ type: 'collection_products', settings: { collection_slug: summer }, position: 1 });
      expect(grid).toMatchObject({ position: 1, settings: { collection_slug: summer, limit: 8 } });
      await create({ type: 'collections', settings: { collection_slugs: [summer, winter, summer] } })
        .expect(201)
        .expect((res) => expect(res.body.settings).toEqual({ collection_slugs: [summer, winter] }));
      await create({ type: 'featured', settings: { target_type: 'product', target_handle: p.tee.handle, cta_text: 'Buy' } }).expect(201);
      const config = (await t.http.get(P).set(shop.auth).expect(200)).body;
      expect(config.version).toBe(v0 + 4);
      expect(config.sections_count).toBe(8);
      expect(config.sections.map((s: Json) => s.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(config.sections[0].id).toBe(grid.id);
      const [row] = await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_logs WHERE merchant_id = $1 AND action = 'homepage.section.create'`, [shop.merchantId]);
      expect(row.n).toBe(4);
      // The media used is attached: the sweep of never-attached uploads keeps it.
      const [media] = await t.dataSource.query(`SELECT expires_at FROM media WHERE id = $1`, [shopMedia]);
      expect(media.expires_at).toBeNull();
    });

    it('reads one section, with translations only on ?expand=translations; another store gets 404', async () => {
      const plain = (await t.http.get(`${P}/sections/${banner.id}`).set(shop.auth).expect(200)).body;
      expect(plain.translations).toBeUndefined();
      expect(plain.title).toBe('Big sale');
      const expanded = (await t.http.get(`${P}/sections/${banner.id}?expand=translations`).set(shop.auth).expect(200)).body;
      expect(expanded.translations).toEqual({ en: { title: 'Big sale', description: null }, fr: { title: 'Soldes', description: null } });
      await t.http.get(`${P}/sections/${banner.id}`).set(rival.auth).expect(404);
      await t.http.put(`${P}/sections/${banner.id}`).set(rival.auth).send({ settings: { images: [] } }).expect(404);
      await t.http.delete(`${P}/sections/${banner.id}`).set(rival.auth).expect(404);
      await t.http.get(`${P}/sections/not-a-uuid`).set(shop.auth).expect(404);
    });

    it('updates settings (checked for the stored type) and translations with PUT', async () => {
      await t.http.put(`${P}/sections/${grid.id}`).set(shop.auth).send({ settings: { collection_slugs: [summer] } }).expect(422);
      await t.http.put(`${P}/sections/${grid.id}`).set(shop.auth).send({ settings: { collection_slug: 'nope' } }).expect(422);
      const res = await t.http
        .put(`${P}/sections/${grid.id}`)
        .set(shop.auth)
        .send({ settings: { collection_slug: summer, limit: 2 }, translations: { en: { title: 'Summer picks' }, fr: { title: 'Sélection d\'été' } } })
        .expect(200);
      expect(res.body).toMatchObject({ settings: { collection_slug: summer, limit: 2 }, title: 'Summer picks' });
    });

    it('guards concurrent edits with If-Match or version (409 ERR_VERSION_CONFLICT)', async () => {
      const current = await version();
      const stale = await t.http.put(`${P}/sections/${grid.id}`).set(shop.auth).set('If-Match', `"${current - 1}"`).send({ settings: { collection_slug: summer, limit: 3 } });
      expect(stale.status).toBe(409);
      expect(stale.body.error).toMatchObject({ code: 'ERR_VERSION_CONFLICT', detail: { current_version: current } });
      await t.http.put(`${P}/sections/${grid.id}`).set(shop.auth).send({ version: current - 1, settings: { collection_slug: summer, limit: 3 } }).expect(409);
      await t.http.put(`${P}/sections/${grid.id}`).set(shop.auth).set('If-Match', 'garbage').send({}).expect(422);
      await t.http.put(`${P}/sections/${grid.id}`).set(shop.auth).set('If-Match', `W/"${current}"`).send({ settings: { collection_slug: summer, limit: 2 } }).expect(200);
      await t.http.put(`${P}/sections/${grid.id}`).set(shop.auth).send({ version: current + 1, settings: { collection_slug: summer, limit: 2 } }).expect(200);
      expect(await version()).toBe(current + 2);
    });

    it('replaces a banner\'s images and patches one by its 1-based index', async () => {
      const put = await t.http
        .put(`${P}/sections/${banner.id}/settings/images`)
        .set(shop.auth)
        .send({ images: [{ media_id: shopMedia, alt: 'One' }, { url: 'https://cdn.test/2.jpg', alt: 'Two' }] })
        .expect(200);
      expect(put.body.settings.images.map((i: Json) => i.alt)).toEqual(['One', 'Two']);
      await t.http.put(`${P}/sections/${banner.id}/settings/images`).set(shop.auth).send({ images: [{ media_id: rivalMedia }] }).expect(422);
      const patched = await t.http.patch(`${P}/sections/${banner.id}/settings/images/2`).set(shop.auth).send({ alt: 'Second', action_type: 'url', action_value: 'https://shop.test/sale' }).expect(200);
      expect(patched.body.settings.images[1]).toMatchObject({ url: 'https://cdn.test/2.jpg', alt: 'Second', action_type: 'url', action_value: 'https://shop.test/sale' });
      expect(patched.body.settings.images[0].alt).toBe('One');
      const switched = await t.http.patch(`${P}/sections/${banner.id}/settings/images/2`).set(shop.auth).send({ media_id: shopMedia }).expect(200);
      expect(switched.body.settings.images[1]).toMatchObject({ url: null, media_id: shopMedia });
      for (const index of ['0', '3', 'x', '-1']) {
        const res = await t.http.patch(`${P}/sections/${banner.id}/settings/images/${index}`).set(shop.auth).send({ alt: 'no' });
        expect([index, res.status]).toEqual([index, 404]);
      }
      await t.http.patch(`${P}/sections/${banner.id}/settings/images/1`).set(shop.auth).send({ url: 'javascript:x' }).expect(422);
      // Image routes are for banners only.
      await t.http.put(`${P}/sections/${grid.id}/settings/images`).set(shop.auth).send({ images: [] }).expect(422);
    });

    it('sets a collections section\'s slugs, a featured target, and patches settings with {updates}', async () => {
      const config = (await t.http.get(P).set(shop.auth).expect(200)).body;
      const collections = config.sections.find((s: Json) => s.type === 'collections' && s.settings.collection_slugs.length === 2);
      const featured = config.sections.find((s: Json) => s.type === 'featured' && s.settings.target_type === 'product');
      const res = await t.http.put(`${P}/sections/${collections.id}/settings/collections`).set(shop.auth).send({ collection_slugs: [winter, summer] }).expect(200);
      expect(res.body.settings.collection_slugs).toEqual([winter, summer]);
      await t.http.put(`${P}/sections/${collections.id}/settings/collections`).set(shop.auth).send({ collection_slugs: ['nope'] }).expect(422);
      await t.http.put(`${P}/sections/${featured.id}/settings/collections`).set(shop.auth).send({ collection_slugs: [summer] }).expect(422);

      const target = await t.http.put(`${P}/sections/${featured.id}/settings/target`).set(shop.auth).send({ target_type: 'collection', target_handle: winter }).expect(200);
      expect(target.body.settings).toMatchObject({ target_type: 'collection', target_handle: winter, cta_text: 'Buy' });
      const url = await t.http.put(`${P}/sections/${featured.id}/settings/target`).set(shop.auth).send({ target_type: 'url', target_handle: 'https://shop.test/lookbook' }).expect(200);
      expect(url.body.settings).toMatchObject({ target_type: 'url', target_handle: null, url: 'https://shop.test/lookbook' });
      await t.http.put(`${P}/sections/${featured.id}/settings/target`).set(shop.auth).send({ target_type: 'product', target_handle: 'no-such-product' }).expect(422);
      await t.http.put(`${P}/sections/${featured.id}/settings/target`).set(shop.auth).send({ target_type: 'product', target_handle: p.tee.handle }).expect(200);

      const patched = await t.http.patch(`${P}/sections/${featured.id}/settings`).set(shop.auth).send({ updates: { cta_text: 'Shop the tee' } }).expect(200);
      expect(patched.body.settings).toMatchObject({ target_type: 'product', target_handle: p.tee.handle, cta_text: 'Shop the tee' });
      const bad = await t.http.patch(`${P}/sections/${featured.id}/settings`).set(shop.auth).send({ updates: { colour: 'red' } });
      expect(bad.status).toBe(422);
      expect(Object.keys(bad.body.error.detail.fields)).toEqual(['updates.colour']);
      await t.http.patch(`${P}/sections/${featured.id}/settings`).set(shop.auth).send({ updates: 'x' }).expect(422);
    });

    it('lists, puts and deletes translations by language', async () => {
      await t.http
        .put(`${P}/sections/${grid.id}/translations/de`)
        .set(shop.auth)
        .send({ title: 'Sommer', description: 'Neu' })
        .expect(200)
        .expect((res) => expect(res.body).toEqual({ language_code: 'de', title: 'Sommer', description: 'Neu' }));
      const list = (await t.http.get(`${P}/sections/${grid.id}/translations`).set(shop.auth).expect(200)).body;
      expect(list.items.map((x: Json) => [x.language_code, x.title])).toEqual([
        ['de', 'Sommer'],
        ['en', 'Summer picks'],
        ['fr', 'Sélection d\'été'],
      ]);
      await t.http.put(`${P}/sections/${grid.id}/translations/xx`).set(shop.auth).send({ title: 'x' }).expect(422);
      await t.http.put(`${P}/sections/${grid.id}/translations/de`).set(shop.auth).send({ title: '' }).expect(422);
      await t.http.delete(`${P}/sections/${grid.id}/translations/DE`).set(shop.auth).expect(204);
      await t.http.delete(`${P}/sections/${grid.id}/translations/de`).set(shop.auth).expect(404);
      await t.http.get(`${P}/sections/${grid.id}/translations`).set(rival.auth).expect(404);
    });

    it('reorders with moves (PUT …/sections/reorder, not captured by …/sections/{id}) and with section_ids (short form)', async () => {
      const before = (await t.http.get(P).set(shop.auth).expect(200)).body.sections.map((s: Json) => s.id);
      const moved = await t.http.put(`${P}/sections/reorder`).set(shop.auth).send({ moves: [{ section_id: before[0], new_position: 3 }] }).expect(200);
      const expected = [before[1], before[2], before[0], ...before.slice(3)];
      expect(moved.body.sections.map((s: Json) => s.id)).toEqual(expected);
      expect(moved.body.sections.map((s: Json) => s.position)).toEqual(expected.map((_: string, i: number) => i + 1));
      await t.http.put(`${P}/sections/reorder`).set(shop.auth).send({ moves: [{ section_id: before[0], new_position: 99 }] }).expect(422);
      await t.http.put(`${P}/sections/reorder`).set(shop.auth).send({ moves: [{ section_id: '00000000-0000-4000-8000-000000000000', new_position: 1 }] }).expect(404);
      await t.http.put(`${P}/sections/reorder`).set(rival.auth).send({ moves: [{ section_id: before[0], new_position: 1 }] }).expect(404);
      await t.http.put(`${P}/sections/reorder`).set(shop.auth).send({ moves: [] }).expect(422);

      const short = await t.http.post('/api/homepage/sections/reorder').set(shop.auth).send({ section_ids: [before[7], before[6]] }).expect(200);
      expect(short.body.sections.map((s: Json) => s.id)).toEqual([before[7], before[6], ...expected.filter((id: string) => id !== before[7] && id !== before[6])]);
      await t.http.post('/api/homepage/sections/reorder').set(shop.auth).send({ section_ids: [before[1], before[1]] }).expect(422);
      await t.http.post('/api/homepage/sections/reorder').set(rival.auth).send({ section_ids: [before[1]] }).expect(404);
    });

    it('supports the short forms for create, update, delete and page settings', async () => {
      const created = await t.http.post('/api/homepage/sections').set(shop.auth).send({ type: 'featured', settings: { target_type: 'url', url: 'https://shop.test/' } }).expect(201);
      await t.http.put(`/api/homepage/sections/${created.body.id}`).set(shop.auth).send({ settings: { target_type: 'url', url: 'https://shop.test/new' } }).expect(200);
      await t.http.put(`/api/homepage/sections/${created.body.id}`).set(rival.auth).send({}).expect(404);
      const v = await version();
      await t.http.delete(`/api/homepage/sections/${created.body.id}`).set(shop.auth).expect(204);
      expect(await version()).toBe(v + 1);
      await t.http.get(`${P}/sections/${created.body.id}`).set(shop.auth).expect(404);
      await t.http.delete(`/api/homepage/sections/${created.body.id}`).set(shop.auth).expect(404);
      const settings = await t.http.post('/api/homepage/settings').set(shop.auth).send({ background_mode: 'fixed', background_overlay_color: '#112233' }).expect(200);
      expect(settings.body.page_settings).toMatchObject({ background_mode: 'fixed', background_overlay_color: '#112233' });
    });

    it('patches page settings (validated; null clears; media must be the store\'s)', async () => {
      const res = await t.http
        .patch(`${P}/page-settings`)
        .set(shop.auth)
        .send({ background_media_id: shopMedia, background_overlay_opacity: 0.4, background_overlay_color: null })
        .expect(200);
      expect(res.body.page_settings).toEqual({
        background_media_id: shopMedia,
        background_image: null,
        background_mode: 'fixed',
        background_overlay_color: null,
        background_overlay_opacity: 0.4,
      });
      await t.http.patch(`${P}/page-settings`).set(shop.auth).send({ background_mode: 'tiled' }).expect(422);
      await t.http.patch(`${P}/page-settings`).set(shop.auth).send({ background_overlay_opacity: 2 }).expect(422);
      await t.http.patch(`${P}/page-settings`).set(shop.auth).send({ background_image: 'javascript:x' }).expect(422);
      await t.http.patch(`${P}/page-settings`).set(shop.auth).send({ background_media_id: rivalMedia }).expect(422);
    });
  });

  describe('the public page', () => {
    it('resolves images, collections and active products with prices; skips drafts, archived and what is gone', async () => {
      const res = await publicPage().expect(200);
      expect(res.headers.etag).toBeDefined();
      const page = res.body;
      expect(page).toMatchObject({ merchant_id: shop.merchantId, locale: 'en', currency: 'USD', template_key: 'standard' });
      expect(page.page_settings.background_image).toMatch(/^http/);
      // The template's empty banner, collections and featured sections resolve to nothing and are left out.
      const types = page.sections.map((s: Json) => s.type);
      expect(types).toContain('banner');
      expect(page.sections.map((s: Json) => s.position)).toEqual(types.map((_: string, i: number) => i + 1));

      const banner = page.sections.find((s: Json) => s.type === 'banner');
      expect(banner.title).toBe('Big sale');
      expect(banner.settings.images).toHaveLength(2);
      expect(banner.settings.images[0].url).toMatch(/^http.*\.png$/);

      const grid = page.sections.find((s: Json) => s.type === 'collection_products' && s.collection?.slug === summer);
      expect(grid.title).toBe('Summer picks');
      expect(grid.products.map((x: Json) => x.name)).toEqual(['Stoneware Mug', 'Linen Tee']);
      expect(grid.products[1]).toMatchObject({ price: '20.00', currency: 'USD' });
      expect(grid.products[1].cost_price).toBeUndefined();

      const newest = page.sections.find((s: Json) => s.type === 'collection_products' && s.collection === null);
      expect(newest.products.map((x: Json) => x.name)).toEqual(['Stoneware Mug', 'Linen Tee', 'Old Hat']);

      const collections = page.sections.find((s: Json) => s.type === 'collections' && s.collections?.length === 2);
      expect(collections.collections.map((c: Json) => [c.slug, c.name])).toEqual([
        [winter, 'Winter'],
        [summer, 'Summer'],
      ]);
      const featured = page.sections.find((s: Json) => s.type === 'featured' && s.product);
      expect(featured.product).toMatchObject({ handle: p.tee.handle, price: '20.00' });
      expect(JSON.stringify(page)).not.toMatch(/Draft Thing|Archived Thing/);
    });

    it('negotiates the language (?locale=, Accept-Language) and the currency like the public catalog', async () => {
      const fr = (await publicPage('?currency=EUR', { 'Accept-Language': 'fr-FR,fr;q=0.9' }).expect(200)).body;
      expect(fr).toMatchObject({ locale: 'fr-FR', currency: 'EUR' });
      const grid = fr.sections.find((s: Json) => s.type === 'collection_products' && s.collection?.slug === summer);
      expect(grid).toMatchObject({ title: 'Sélection d\'été', locale: 'fr', collection: { name: 'Été' } });
      const tee = grid.products.find((x: Json) => x.id === p.tee.id);
      expect(tee).toMatchObject({ name: 'T-shirt en lin', locale: 'fr', price: '18.50', currency: 'EUR' });
      const banner = fr.sections.find((s: Json) => s.type === 'banner');
      expect(banner.title).toBe('Soldes');
      const en = (await publicPage('?locale=en').expect(200)).body;
      expect(en.sections.find((s: Json) => s.type === 'banner').title).toBe('Big sale');
      await publicPage('?locale=not_a_locale').expect(422);
      await publicPage('?currency=XXXX').expect(422);
    });

    it('answers 304 to a current ETag, and a new ETag after a homepage or catalog change', async () => {
      const first = await publicPage().expect(200);
      await publicPage('', { 'If-None-Match': first.headers.etag }).expect(304);
      await t.http.patch(`${P}/page-settings`).set(shop.auth).send({ background_overlay_opacity: 0.5 }).expect(200);
      const afterEdit = await publicPage('', { 'If-None-Match': first.headers.etag }).expect(200);
      expect(afterEdit.headers.etag).not.toBe(first.headers.etag);
      expect(afterEdit.body.page_settings.background_overlay_opacity).toBe(0.5);
      // A product archived: its catalog version bump changes the page.
      await t.http.put(`/api/products/${p.mug.id}`).set(shop.auth).send({ status: 'archived' }).expect(200);
      const deadline = Date.now() + 5000;
      let page = (await publicPage().expect(200)).body;
      while (JSON.stringify(page).includes('Stoneware Mug') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        page = (await publicPage().expect(200)).body;
      }
      expect(JSON.stringify(page)).not.toContain('Stoneware Mug');
    });

    it('skips a featured product that is no longer active and a collection that was deleted', async () => {
      await t.http.put(`/api/products/${p.tee.id}`).set(shop.auth).send({ status: 'draft' }).expect(200);
      await t.http.delete(`/api/collections/${summerId}`).set(shop.auth).expect(204);
      const page = (await publicPage().expect(200)).body;
      expect(page.sections.find((s: Json) => s.type === 'featured' && s.product)).toBeUndefined();
      expect(page.sections.find((s: Json) => s.collection?.slug === summer)).toBeUndefined();
      const collections = page.sections.find((s: Json) => s.type === 'collections' && s.collections);
      expect(collections.collections.map((c: Json) => c.slug)).toEqual([winter]);
      await t.http.put(`/api/products/${p.tee.id}`).set(shop.auth).send({ status: 'active' }).expect(200);
    });

    it('is 404 for a store that is not ACTIVE or does not exist; a store without a config shows the default template', async () => {
      await publicPage('', {}, pending.merchantId!).expect(404);
      await publicPage('', {}, '00000000-0000-4000-8000-000000000000').expect(404);
      await publicPage('', {}, 'no-such-store').expect(404);
      const fresh = (await publicPage('', {}, rival.merchantId!).expect(200)).body;
      expect(fresh).toMatchObject({ id: null, version: 0, template_key: 'standard', sections: [] });
      const rivalProduct = await createProduct(t, rival, { name: 'Rival Lamp', price: '30.00', status: 'active' });
      const withProduct = (await publicPage('', {}, rival.merchantId!).expect(200)).body;
      expect(withProduct.sections).toEqual([expect.objectContaining({ id: null, type: 'collection_products', title: 'New arrivals', products: [expect.objectContaining({ id: rivalProduct.id })] })]);
    });
  });

  describe('templates and reset', () => {
    it('switches template, resets to the template (keeping the id) and 404s a reset of another config id', async () => {
      const before = (await t.http.get(P).set(shop.auth).expect(200)).body;
      await t.http.post(`${P}/switch-template`).set(shop.auth).send({ template_key: 'fancy' }).expect(422);
      const minimal = (await t.http.post(`${P}/switch-template`).set(shop.auth).send({ template_key: 'minimal' }).expect(200)).body;
      expect(minimal).toMatchObject({ id: before.id, template_key: 'minimal', sections_count: 2, version: before.version + 1 });
      expect(minimal.page_settings.background_mode).toBe('fixed');
      await t.http.post(`${P}/sections`).set(shop.auth).send({ type: 'collections', settings: { collection_slugs: [winter] } }).expect(201);

      const rivalConfig = (await t.http.get(P).set(rival.auth).expect(200)).body;
      await t.http.delete(`${P}/${rivalConfig.id}`).set(shop.auth).expect(404);
      await t.http.delete(`${P}/${before.id}`).set(rival.auth).expect(404);
      await t.http.delete(`${P}/${before.id}`).set(shop.auth).set('If-Match', '1').expect(409);
      const reset = (await t.http.delete(`${P}/${before.id}`).set(shop.auth).expect(200)).body;
      expect(reset).toMatchObject({ id: before.id, template_key: 'minimal', sections_count: 2, version: minimal.version + 2 });
      expect(reset.page_settings).toEqual({ background_media_id: null, background_image: null, background_mode: null, background_overlay_color: null, background_overlay_opacity: null });
      const actions = await t.dataSource.query(`SELECT DISTINCT action FROM audit_logs WHERE merchant_id = $1 AND action LIKE 'homepage.%' ORDER BY action`, [shop.merchantId]);
      expect(actions.map((a: Json) => a.action)).toEqual(
        expect.arrayContaining(['homepage.create', 'homepage.page_settings', 'homepage.reset', 'homepage.section.create', 'homepage.section.delete', 'homepage.sections.reorder', 'homepage.switch_template']),
      );
    });

    it('caps the number of sections', async () => {
      const { sections_count } = (await t.http.get(P).set(shop.auth).expect(200)).body;
      for (let i = sections_count; i < 50; i++) await create({ type: 'banner', settings: { images: [] } }).expect(201);
      const res = await create({ type: 'banner', settings: { images: [] } });
      expect([res.status, res.body.error.code]).toEqual([422, 'ERR_HOMEPAGE_SECTION_LIMIT']);
    });
  });
});
