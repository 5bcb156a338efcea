import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { INestApplicationContext } from '@nestjs/common';
import sharp from 'sharp';
import { Jobs, OutboxRelay } from '@app/common';
import { CatalogVersionService } from '../src/modules/catalog/catalog-version.service';
import { MediaJobsHandler } from '../src/modules/media/media-jobs.handler';
import { bootTestApp, TestApp } from './harness/app';
import { auditRows } from './support/audit';
import { createProduct, tok } from './support/catalog';
import { createAdmin, registerMerchant, TestAccount } from './support/identity';
import { eventually, imageOf, pathOf, PDF, settledMedia, uploadedImage, uploadImage } from './support/media';

/** The local storage driver, end to end: uploads, presigned PUTs on the API, sizes, product images, deletes. */
describe('Media with the local storage driver', () => {
  let t: TestApp;
  let worker: INestApplicationContext;
  let shop: TestAccount;
  let other: TestAccount;
  const MAX_IMAGE = 200 * 1024;

  beforeAll(async () => {
    t = await bootTestApp({ env: { MEDIA_MAX_IMAGE_BYTES: String(MAX_IMAGE), MEDIA_ALLOWED_FILE_TYPES: 'application/pdf,image/png' } });
    worker = await t.startWorker();
    const admin = await createAdmin(t);
    [shop, other] = await Promise.all([registerMerchant(t, { approve: true, admin }), registerMerchant(t, { approve: true, admin })]);
  });
  afterAll(() => t?.close());

  const dir = () => t.config.media.local.dir;
  const fileOf = (url: string) => join(dir(), new URL(url).pathname.replace(/^\/media\//, ''));
  const get = (url: string) => t.http.get(pathOf(url)).buffer(true).parse((res, cb) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  });

  describe('uploads', () => {
    it('stores an image under a merchant-scoped key and serves it under /media, usable from other origins', async () => {
      const bytes = await imageOf(64, 48, 'jpeg');
      const res = await uploadImage(t, shop, bytes, '../Été   summer|1.JPG').expect(201);
      expect(res.body).toMatchObject({ width: 64, height: 48, content_type: 'image/jpeg', size: bytes.length, file_name: 'Été summer_1.jpg', status: 'processing' });
      expect(res.body.url).toBe(`${t.config.media.local.publicBaseUrl}/merchants/${shop.merchantId}/${res.body.media_id}/ete-summer-1.jpg`);
      const served = await get(res.body.url).expect(200);
      expect(Buffer.compare(served.body, bytes)).toBe(0);
      expect(served.headers['content-type']).toBe('image/jpeg');
      expect(served.headers['cross-origin-resource-policy']).toBe('cross-origin');
      expect(served.headers['cache-control']).toMatch(/immutable/);
      expect((await auditRows(t, { action: 'media.upload', entityId: res.body.media_id })).length).toBe(1);
    });

    it('refuses a .jpg that is really a PDF (magic bytes, not the name or declared type), storing nothing', async () => {
      const before = (await t.dataSource.query(`SELECT count(*)::int AS n FROM media`))[0].n;
      const res = await t.http.post('/api/upload/image').set(shop.auth).attach('file', PDF, { filename: 'photo.jpg', contentType: 'image/jpeg' }).expect(422);
      expect(res.body.error.code).toBe('ERR_VALIDATION');
      expect(res.body.error.message).toMatch(/a PDF, not an image/);
      const text = await t.http.post('/api/upload/image').set(shop.auth).attach('file', Buffer.from('<svg onload="alert(1)"/>'), 'x.png').expect(422);
      expect(text.body.error.detail.fields.file).toEqual(['is not an accepted image type']);
      // Right signature, wrong body: a PNG header followed by junk does not decode.
      const fake = Buffer.concat([(await imageOf(4, 4)).subarray(0, 8), Buffer.alloc(64, 7)]);
      expect((await uploadImage(t, shop, fake, 'fake.png').expect(422)).body.error.detail.fields.file).toEqual(['is not a decodable image']);
      expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM media`))[0].n).toBe(before);
    });

    it('answers 413 past MEDIA_MAX_IMAGE_BYTES, and 422/415 without a file', async () => {
      const big = Buffer.concat([await imageOf(8, 8), Buffer.alloc(MAX_IMAGE + 1, 1)]);
      const res = await uploadImage(t, shop, big, 'big.png').expect(413);
      expect(res.body.error).toMatchObject({ code: 'ERR_PAYLOAD_TOO_LARGE', detail: { max_bytes: MAX_IMAGE } });
      await t.http.post('/api/upload/image').set(shop.auth).field('alt', 'x').expect(422);
      await t.http.post('/api/upload/image').set(shop.auth).send({ file: 'x' }).expect(415);
    });

    it('takes files of the configured types only, kept 24 hours', async () => {
      const res = await t.http.post('/api/upload/file').set(shop.auth).attach('file', PDF, 'Invoice 12.PDF').expect(201);
      expect(res.body).toMatchObject({ file_name: 'Invoice 12.pdf', file_size: PDF.length, content_type: 'application/pdf', media_id: expect.any(String) });
      expect(Date.parse(res.body.expires_at) - Date.parse(res.body.uploaded_at)).toBeCloseTo(24 * 3600 * 1000, -4);
      const served = await get(res.body.file_url).expect(200);
      expect(served.headers['content-disposition']).toBe('attachment');
      // MEDIA_ALLOWED_FILE_TYPES is pdf and png here: a JPEG is refused as a file.
      const jpeg = await t.http.post('/api/upload/file').set(shop.auth).attach('file', await imageOf(4, 4, 'jpeg'), 'x.pdf').expect(422);
      expect(jpeg.body.error.message).toMatch(/JPG image; accepted types: application\/pdf, image\/png/);
    });

    it('serves nothing but stored objects: no traversal, no half-written files, no other paths', async () => {
      expect([403, 404]).toContain((await t.http.get('/media/../package.json')).status);
      expect([403, 404]).toContain((await t.http.get('/media/%2e%2e/%2e%2e/package.json')).status);
      await t.http.get('/media/.incoming/x').expect(404);
      await t.http.get(`/media/merchants/${shop.merchantId}/00000000-0000-4000-8000-000000000000/nope.png`).expect(404);
    });
  });

  describe('presigned uploads (an HMAC-signed PUT on the API)', () => {
    const presign = (owner: TestAccount, body: object) => t.http.post('/api/upload/presign').set(owner.auth).send(body);

    it('round trip: presign, PUT, complete; then sizes are made', async () => {
      const bytes = await imageOf(300, 200);
      const res = await presign(shop, { content_type: 'image/png', size: bytes.length, file_name: 'direct.png' }).expect(201);
      expect(res.body).toMatchObject({ method: 'PUT', headers: { 'Content-Type': 'image/png', 'Content-Length': String(bytes.length) } });
      expect(new URL(res.body.upload_url).searchParams.get('X-Media-Size')).toBe(String(bytes.length));
      const id = res.body.media_id;
      expect((await t.http.get(`/api/media/${id}`).set(shop.auth).expect(200)).body.status).toBe('pending');
      // Completing before the upload says so, and changes nothing.
      await t.http.post(`/api/upload/${id}/complete`).set(shop.auth).expect(409);

      await t.http.put(pathOf(res.body.upload_url)).set('Content-Type', 'image/png').send(bytes).expect(200);
      // One upload per URL: the verified object cannot be swapped afterwards.
      await t.http.put(pathOf(res.body.upload_url)).set('Content-Type', 'image/png').send(bytes).expect(409);
      const done = await t.http.post(`/api/upload/${id}/complete`).set(shop.auth).expect(200);
      expect(done.body).toMatchObject({ status: 'processing', source: 'presign', size: bytes.length });
      expect((await t.http.post(`/api/upload/${id}/complete`).set(shop.auth).expect(200)).body.id).toBe(id);
      const ready = await settledMedia(t, shop, id);
      expect(ready).toMatchObject({ status: 'ready', width: 300, height: 200 });
      expect(ready.sizes.small).toMatchObject({ width: 200, height: 133 });
    });

    it('refuses a tampered URL, another type or size than signed, and an expired URL', async () => {
      const bytes = await imageOf(50, 50);
      const res = await presign(shop, { content_type: 'image/png', size: bytes.length, file_name: 'x.png' }).expect(201);
      const url = new URL(res.body.upload_url);
      const tampered = new URL(url);
      tampered.searchParams.set('X-Media-Size', String(bytes.length * 10));
      const r1 = await t.http.put(pathOf(tampered.toString())).set('Content-Type', 'image/png').send(Buffer.alloc(bytes.length * 10, 1)).expect(403);
      expect(r1.body.error).toMatchObject({ code: 'ERR_FORBIDDEN', message: expect.stringMatching(/signature does not match/) });
      const r2 = await t.http.put(pathOf(url.toString())).set('Content-Type', 'image/png').send(Buffer.concat([bytes, Buffer.alloc(10)])).expect(403);
      expect(r2.body.error.message).toMatch(/Content-Length must be/);
      const r3 = await t.http.put(pathOf(url.toString())).set('Content-Type', 'image/jpeg').send(bytes).expect(403);
      expect(r3.body.error.message).toMatch(/Content-Type must be image\/png/);
      const expired = new URL(url);
      expired.searchParams.set('X-Media-Expires', '1000');
      await t.http.put(pathOf(expired.toString())).set('Content-Type', 'image/png').send(bytes).expect(403);
      expect(existsSync(fileOf(url.toString()))).toBe(false);
    });

    it('fails the completion when the bytes are not the announced type, and deletes them', async () => {
      const res = await presign(shop, { content_type: 'image/png', size: PDF.length, file_name: 'sneaky.png' }).expect(201);
      await t.http.put(pathOf(res.body.upload_url)).set('Content-Type', 'image/png').send(PDF).expect(200);
      const path = fileOf(res.body.upload_url);
      expect(existsSync(path)).toBe(true);
      const fail = await t.http.post(`/api/upload/${res.body.media_id}/complete`).set(shop.auth).expect(422);
      expect(fail.body.error.detail.fields.file).toEqual(['the file is a PDF; image/png was announced']);
      await eventually(async () => existsSync(path), (present) => !present, 10_000, 'the object to be deleted');
      const media = (await t.http.get(`/api/media/${res.body.media_id}`).set(shop.auth).expect(200)).body;
      expect(media).toMatchObject({ status: 'failed', url: null });
      await t.http.post(`/api/upload/${res.body.media_id}/complete`).set(shop.auth).expect(409);
    });

    it('validates the announcement: type, size limit, another store\'s media', async () => {
      await presign(shop, { content_type: 'image/svg+xml', size: 10, file_name: 'x.svg' }).expect(422);
      const big = await presign(shop, { content_type: 'image/png', size: MAX_IMAGE + 1, file_name: 'x.png' }).expect(422);
      expect(big.body.error.detail.fields.size).toEqual([`must be at most ${MAX_IMAGE} bytes`]);
      await presign(shop, { content_type: 'image/jpeg', size: 10, file_name: 'x.jpg', kind: 'file' }).expect(422); // jpeg is not an allowed file type here
      const mine = await presign(shop, { content_type: 'application/pdf', size: PDF.length, file_name: 'a.pdf' }).expect(201);
      await t.http.post(`/api/upload/${mine.body.media_id}/complete`).set(other.auth).expect(404);
      await t.http.get(`/api/media/${mine.body.media_id}`).set(other.auth).expect(404);
    });
  });

  describe('resized versions (media-processing job in the worker)', () => {
    it('makes 200/600/1200 WebP boxes of a large image', async () => {
      const id = await uploadedImage(t, shop, await imageOf(1600, 800), 'wide.png');
      const media = await settledMedia(t, shop, id);
      expect(media).toMatchObject({ status: 'ready', width: 1600, height: 800 });
      const dims = Object.fromEntries(Object.entries(media.sizes as Record<string, { width: number; height: number }>).map(([k, v]) => [k, [v.width, v.height]]));
      expect(dims).toEqual({ small: [200, 100], medium: [600, 300], large: [1200, 600] });
      for (const size of Object.values(media.sizes as Record<string, { url: string; width: number; height: number; size: number }>)) {
        const file = await get(size.url).expect(200);
        const meta = await sharp(file.body).metadata();
        expect([meta.format, meta.width, meta.height, file.body.length]).toEqual(['webp', size.width, size.height, size.size]);
      }
    });

    it('never upscales: a small image shares one file between the larger names', async () => {
      const id = await uploadedImage(t, shop, await imageOf(500, 250, 'webp'), 'small.webp');
      const media = await settledMedia(t, shop, id);
      expect([media.sizes.small.width, media.sizes.medium.width, media.sizes.large.width]).toEqual([200, 500, 500]);
      expect(media.sizes.medium.url).toBe(media.sizes.large.url);
    });

    it('handles gif and avif originals (portrait)', async () => {
      for (const format of ['gif', 'avif'] as const) {
        const id = await uploadedImage(t, shop, await imageOf(300, 700, format), `tall.${format}`);
        const media = await settledMedia(t, shop, id);
        expect([media.content_type, media.sizes.small.width, media.sizes.small.height, media.sizes.medium.height]).toEqual([`image/${format}`, 86, 200, 600]);
      }
    });
  });

  const images = async (owner: TestAccount, productId: string) => (await t.http.get(`/api/products/${productId}`).set(owner.auth).expect(200)).body;

  describe('product and variant images', () => {
    it('attaches own media in order, reorders, removes (deleting unused media and their files), with audit, events and a version bump', async () => {
      const product = await createProduct(t, shop, { name: `Lamp ${tok()}`, price: '10.00', variants: [{ attributes: { color: 'red' } }, { attributes: { color: 'blue' } }] });
      const [a, b, c] = await Promise.all([uploadedImage(t, shop), uploadedImage(t, shop), uploadedImage(t, shop)]);
      const version = Number(await t.app.get(CatalogVersionService).current(shop.merchantId!));

      const attached = await t.http.post(`/api/products/${product.id}/images`).set(shop.auth).send({ media_ids: [a, b, c], alt: 'A lamp' }).expect(200);
      expect(attached.body.images.map((i: { media_id: string; position: number }) => [i.media_id, i.position])).toEqual([[a, 1], [b, 2], [c, 3]]);
      expect(attached.body.pending).toEqual([]);
      expect(Number(await t.app.get(CatalogVersionService).current(shop.merchantId!))).toBeGreaterThan(version);
      // Attaching again is a no-op; the product view shows them.
      await t.http.post(`/api/products/${product.id}/images`).set(shop.auth).send({ media_ids: [a] }).expect(200);
      const view = await images(shop, product.id);
      expect(view.images.map((i: { media_id: string; alt: string }) => [i.media_id, i.alt])).toEqual([[a, 'A lamp'], [b, 'A lamp'], [c, 'A lamp']]);
      // Attached media no longer expire.
      expect((await t.http.get(`/api/media/${a}`).set(shop.auth)).body.expires_at).toBeNull();

      const moved = await t.http.put(`/api/products/${product.id}/images/reorder`).set(shop.auth).send({ moves: [{ media_id: c, new_position: 1 }, { media_id: a, new_position: 3 }] }).expect(200);
      expect(moved.body.images.map((i: { media_id: string }) => i.media_id)).toEqual([c, b, a]);
      await t.http.put(`/api/products/${product.id}/images/reorder`).set(shop.auth).send({ moves: [{ media_id: a, new_position: 4 }] }).expect(422);

      // A variant's images are its own.
      const variant = view.variants[1];
      const v = await t.http.post(`/api/products/${product.id}/variants/${variant.id}/images`).set(shop.auth).send({ media_ids: [b] }).expect(200);
      expect(v.body).toMatchObject({ variant_id: variant.id, images: [{ media_id: b, position: 1 }] });
      expect((await images(shop, product.id)).variants[1].images.map((i: { media_id: string }) => i.media_id)).toEqual([b]);

      // Removing b from the product takes its variant image too; b and c are used nowhere else, so they go with their files.
      const bFile = fileOf((await t.http.get(`/api/media/${b}`).set(shop.auth)).body.url);
      const removed = await t.http.delete(`/api/products/${product.id}/images`).set(shop.auth).send({ media_ids: [b, c] }).expect(200);
      expect(removed.body.images.map((i: { media_id: string; position: number }) => [i.media_id, i.position])).toEqual([[a, 1]]);
      await t.http.get(`/api/media/${b}`).set(shop.auth).expect(404);
      await eventually(async () => existsSync(bFile), (present) => !present, 10_000, 'b\'s file to be deleted');
      await t.http.delete(`/api/products/${product.id}/images`).set(shop.auth).send({ media_ids: [b] }).expect(404);

      const actions = (await auditRows(t, { entityId: product.id })).map((r) => r.action);
      expect(actions).toEqual(expect.arrayContaining(['product.images.attach', 'product.images.reorder', 'product.images.remove']));
      const events = await t.dataSource.query(`SELECT count(*)::int AS n FROM outbox_events WHERE name = $1 AND payload->>'product_id' = $2`, [Jobs.ProductUpdated.name, product.id]);
      expect(events[0].n).toBeGreaterThanOrEqual(4);
    });

    it('refuses another store\'s media (404) and changes nothing; files and pending uploads are not images to attach', async () => {
      const product = await createProduct(t, shop, { name: `Chair ${tok()}`, price: '10.00' });
      const theirs = await uploadedImage(t, other);
      const mine = await uploadedImage(t, shop);
      const res = await t.http.post(`/api/products/${product.id}/images`).set(shop.auth).send({ media_ids: [mine, theirs] }).expect(404);
      expect(res.body.error).toMatchObject({ code: 'ERR_NOT_FOUND', detail: { entity: 'Media', id: theirs } });
      expect((await images(shop, product.id)).images).toEqual([]);
      // Nor can the other store touch this product with its own media.
      await t.http.post(`/api/products/${product.id}/images`).set(other.auth).send({ media_ids: [theirs] }).expect(404);
      const file = (await t.http.post('/api/upload/file').set(shop.auth).attach('file', PDF, 'a.pdf').expect(201)).body.media_id;
      await t.http.post(`/api/products/${product.id}/images`).set(shop.auth).send({ media_ids: [file] }).expect(422);
      const pending = (await t.http.post('/api/upload/presign').set(shop.auth).send({ content_type: 'image/png', size: 100, file_name: 'p.png' }).expect(201)).body.media_id;
      await t.http.post(`/api/products/${product.id}/images`).set(shop.auth).send({ media_ids: [pending] }).expect(409);
      await t.http.post(`/api/products/${product.id}/images`).set(shop.auth).send({}).expect(422);
    });

    it('takes multipart files on the attach route', async () => {
      const product = await createProduct(t, shop, { name: `Desk ${tok()}`, price: '10.00' });
      const res = await t.http
        .post(`/api/products/${product.id}/images`)
        .set(shop.auth)
        .field('alt', 'Desk')
        .attach('file', await imageOf(30, 20), 'one.png')
        .attach('file', await imageOf(20, 30, 'jpeg'), 'two.jpg')
        .expect(200);
      expect(res.body.images.map((i: { alt: string; position: number }) => [i.alt, i.position])).toEqual([['Desk', 1], ['Desk', 2]]);
      await t.http.post(`/api/products/${product.id}/images`).set(shop.auth).attach('file', PDF, 'three.png').expect(422);
    });
  });

  describe('deletes and the expiry sweep', () => {
    it('DELETE /api/media/{id} removes the row, its product images and (in the worker) every file', async () => {
      const product = await createProduct(t, shop, { name: `Rug ${tok()}`, price: '10.00' });
      const id = await uploadedImage(t, shop, await imageOf(800, 800));
      await t.http.post(`/api/products/${product.id}/images`).set(shop.auth).send({ media_ids: [id] }).expect(200);
      const media = await settledMedia(t, shop, id);
      const files = [media.url, media.sizes.small.url, media.sizes.medium.url].map(fileOf);
      expect(files.every(existsSync)).toBe(true);

      await t.http.delete(`/api/media/${id}`).set(other.auth).expect(404);
      await t.http.delete(`/api/media/${id}`).set(shop.auth).expect(204);
      await t.http.get(`/api/media/${id}`).set(shop.auth).expect(404);
      expect((await images(shop, product.id)).images).toEqual([]);
      await eventually(async () => files.filter(existsSync), (left) => left.length === 0, 10_000, 'the files to be deleted');
      expect((await auditRows(t, { action: 'media.delete', entityId: id })).length).toBe(1);
    });

    it('refuses to delete the store logo until it is changed', async () => {
      const id = await uploadedImage(t, shop);
      await t.http.put('/api/merchants/me').set(shop.auth).send({ logo_media_id: id }).expect(200);
      const res = await t.http.delete(`/api/media/${id}`).set(shop.auth).expect(409);
      expect(res.body.error.detail.in_use).toEqual(['the store logo']);
      await t.http.put('/api/merchants/me').set(shop.auth).send({ logo_media_id: null }).expect(200);
      await t.http.delete(`/api/media/${id}`).set(shop.auth).expect(204);
    });

    it('sweeps media never attached within 24 h (and the files), keeps attached and in-use ones', async () => {
      const product = await createProduct(t, shop, { name: `Vase ${tok()}`, price: '10.00' });
      const [orphan, attached, logo] = await Promise.all([uploadedImage(t, shop), uploadedImage(t, shop), uploadedImage(t, shop)]);
      await t.http.post(`/api/products/${product.id}/images`).set(shop.auth).send({ media_ids: [attached] }).expect(200);
      await t.http.put('/api/merchants/me').set(shop.auth).send({ logo_media_id: logo }).expect(200);
      const orphanFile = fileOf((await t.http.get(`/api/media/${orphan}`).set(shop.auth)).body.url);
      // A day passes (for these three, and for a presign that was never uploaded).
      const stale = (await t.http.post('/api/upload/presign').set(shop.auth).send({ content_type: 'image/png', size: 10, file_name: 'never.png' }).expect(201)).body.media_id;
      await t.dataSource.query(`UPDATE media SET expires_at = now() - interval '1 minute', created_at = now() - interval '25 hours' WHERE id = ANY($1::uuid[])`, [[orphan, attached, logo, stale]]);

      const result = await worker.get(MediaJobsHandler).cleanupUnattached({ limit: 100 });
      expect(result.deleted).toBeGreaterThanOrEqual(2);
      await t.http.get(`/api/media/${orphan}`).set(shop.auth).expect(404);
      await t.http.get(`/api/media/${stale}`).set(shop.auth).expect(404);
      expect((await t.http.get(`/api/media/${attached}`).set(shop.auth).expect(200)).body.expires_at).toBeNull();
      expect((await t.http.get(`/api/media/${logo}`).set(shop.auth).expect(200)).body.expires_at).toBeNull();
      await worker.get(OutboxRelay).drain();
      await eventually(async () => existsSync(orphanFile), (present) => !present, 10_000, 'the orphan file to be deleted');
      expect((await auditRows(t, { action: 'media.expire', entityId: orphan })).map((r) => r.actor_type)).toEqual(['system']);
      await t.http.put('/api/merchants/me').set(shop.auth).send({ logo_media_id: null }).expect(200);
    });
  });

  it('lists the store\'s media, newest first, filtered', async () => {
    const res = await t.http.get('/api/media?kind=file&per_page=5').set(shop.auth).expect(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    expect(res.body.items.every((m: { kind: string; merchant_id: string }) => m.kind === 'file' && m.merchant_id === shop.merchantId)).toBe(true);
    expect((await t.http.get('/api/media').set(other.auth).expect(200)).body.items.every((m: { merchant_id: string }) => m.merchant_id === other.merchantId)).toBe(true);
  });
});
