import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { MediaJobsHandler } from '../src/modules/media/media-jobs.handler';
import { bootTestApp, TestApp } from './harness/app';
import { createProduct, tok } from './support/catalog';
import { registerMerchant, TestAccount } from './support/identity';
import { imageOf, settledMedia, uploadedImage } from './support/media';

/** A stand-in for an image host, on loopback: reachable only when private addresses are allowed (tests). */
async function imageHost(): Promise<{ base: string; port: number; hits: string[]; close: () => Promise<void> }> {
  const photo = await imageOf(800, 400);
  const second = await imageOf(100, 100, 'jpeg');
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(req.url ?? '');
    switch (req.url) {
      case '/photo.png':
        return res.writeHead(200, { 'content-type': 'image/png' }).end(photo);
      case '/images/second':
        return res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(second);
      case '/redirect':
        return res.writeHead(302, { location: '/images/second' }).end();
      case '/page.html':
        return res.writeHead(200, { 'content-type': 'image/png' }).end('<html><body>not an image</body></html>');
      case '/huge.png':
        return res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.concat([photo, Buffer.alloc(200_000)]));
      case '/slow.png':
        return setTimeout(() => res.end(photo), 5_000);
      default:
        return res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    hits,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

describe('Product images from image_urls', () => {
  let host: Awaited<ReturnType<typeof imageHost>>;
  beforeAll(async () => {
    host = await imageHost();
  });
  afterAll(() => host?.close());

  describe('as deployed: private, loopback and link-local targets are refused (SSRF)', () => {
    let t: TestApp;
    let worker: INestApplicationContext;
    let shop: TestAccount;

    beforeAll(async () => {
      t = await bootTestApp();
      worker = await t.startWorker({ autoStart: false });
      shop = await registerMerchant(t, { approve: true });
    });
    afterAll(() => t?.close());

    it('refuses loopback, private and link-local addresses, literal or behind a hostname, before creating anything', async () => {
      const product = await createProduct(t, shop, { name: `Mug ${tok()}`, price: '5.00' });
      const urls = [
        `http://127.0.0.1:${host.port}/photo.png`,
        'http://10.0.0.5/photo.png',
        'http://169.254.169.254/latest/meta-data/iam/',
        `http://localhost:${host.port}/photo.png`,
        `http://[::1]:${host.port}/photo.png`,
        'http://0177.0.0.1/photo.png',
        'http://[::ffff:192.168.0.1]/photo.png',
      ];
      const res = await t.http.post(`/api/products/${product.id}/images`).set(shop.auth).send({ image_urls: urls }).expect(422);
      const fields = res.body.error.detail.fields;
      expect(Object.keys(fields).sort()).toEqual(urls.map((_, i) => `image_urls.${i}`).sort());
      expect(fields['image_urls.1']).toEqual(['10.0.0.5 is a private, loopback or reserved address']);
      expect(fields['image_urls.2']).toEqual(['169.254.169.254 is a private, loopback or reserved address']);
      expect(fields['image_urls.3'][0]).toMatch(/^localhost resolves to (127\.0\.0\.1|::1), a private/);
      // One refused URL refuses the request: nothing was created or queued.
      const ok = await t.http.post(`/api/products/${product.id}/images`).set(shop.auth).send({ image_urls: ['https://93.184.216.34/a.png', urls[0]] }).expect(422);
      expect(Object.keys(ok.body.error.detail.fields)).toEqual(['image_urls.1']);
      expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM media WHERE merchant_id = $1`, [shop.merchantId]))[0].n).toBe(0);
      await t.http.post(`/api/products/${product.id}/images`).set(shop.auth).send({ image_urls: ['ftp://example.com/a.png'] }).expect(422);
      expect(host.hits).toEqual([]);
    });

    it('checks again when the worker connects (a name that resolves privately by then is refused)', async () => {
      // As if DNS had changed after the API accepted the URL: a pending media naming localhost.
      const product = await createProduct(t, shop, { name: `Cup ${tok()}`, price: '5.00' });
      const id = randomUUID();
      await t.dataSource.query(
        `INSERT INTO media (id, merchant_id, kind, status, source, storage, file_name, source_url, expires_at)
         VALUES ($1, $2, 'image', 'pending', 'url', 'local', 'photo.png', $3, now() + interval '1 day')`,
        [id, shop.merchantId, `http://localhost:${host.port}/photo.png`],
      );
      const result = await worker.get(MediaJobsHandler).fetch({ media_id: id, merchant_id: shop.merchantId!, product_id: product.id, variant_id: null, position: 1, alt: null });
      expect(result.status).toBe('failed');
      const media = (await t.http.get(`/api/media/${id}`).set(shop.auth).expect(200)).body;
      expect(media.error).toMatch(/^image_url localhost resolves to .* private, loopback or reserved address/);
      expect(host.hits).toEqual([]);
    });
  });

  describe('with private addresses allowed (MEDIA_FETCH_ALLOW_PRIVATE, tests only): the download itself', () => {
    let t: TestApp;
    let shop: TestAccount;

    beforeAll(async () => {
      t = await bootTestApp({ env: { MEDIA_FETCH_ALLOW_PRIVATE: 'true', MEDIA_FETCH_TIMEOUT_MS: '400', MEDIA_MAX_IMAGE_BYTES: '150000' } });
      await t.startWorker();
      shop = await registerMerchant(t, { approve: true });
    });
    afterAll(() => t?.close());

    it('downloads in the worker, checks the bytes, stores, resizes and appends in request order', async () => {
      const product = await createProduct(t, shop, { name: `Plate ${tok()}`, price: '5.00' });
      const first = await uploadedImage(t, shop);
      await t.http.post(`/api/products/${product.id}/images`).set(shop.auth).send({ media_ids: [first] }).expect(200);

      const urls = [`${host.base}/photo.png`, `${host.base}/redirect`, `${host.base}/page.html`, `${host.base}/missing.png`];
      const res = await t.http.post(`/api/products/${product.id}/images`).set(shop.auth).send({ image_urls: urls, alt: 'Plate' }).expect(202);
      expect(res.body.images.map((i: { media_id: string }) => i.media_id)).toEqual([first]);
      expect(res.body.pending.map((p: { source_url: string; status: string }) => [p.source_url, p.status])).toEqual(urls.map((u) => [u, 'pending']));
      const [photo, redirected, page, missing] = await Promise.all(res.body.pending.map((p: { media_id: string }) => settledMedia(t, shop, p.media_id)));

      expect(photo).toMatchObject({ status: 'ready', source: 'url', content_type: 'image/png', width: 800, height: 400, file_name: 'photo.png', expires_at: null });
      expect(photo.sizes.medium).toMatchObject({ width: 600, height: 300 });
      expect(redirected).toMatchObject({ status: 'ready', content_type: 'image/jpeg', file_name: 'redirect.jpg' });
      expect(page).toMatchObject({ status: 'failed', error: 'image_url is of an unrecognised type, not an image (jpeg, png, webp, gif or avif)', url: null });
      expect(missing).toMatchObject({ status: 'failed', error: 'image_url the server answered 404' });

      const view = (await t.http.get(`/api/products/${product.id}`).set(shop.auth).expect(200)).body;
      expect(view.images.map((i: { media_id: string; position: number; alt: string | null }) => [i.media_id, i.position, i.alt])).toEqual([
        [first, 1, null],
        [photo.id, 2, 'Plate'],
        [redirected.id, 3, 'Plate'],
      ]);
      expect(view.images[1].url).toBe(photo.url);
    });

    it('caps size and time, and attaches to a variant', async () => {
      const product = await createProduct(t, shop, { name: `Bowl ${tok()}`, price: '5.00', variants: [{ attributes: { size: 'S' } }, { attributes: { size: 'L' } }] });
      const variantId = (await t.http.get(`/api/products/${product.id}`).set(shop.auth)).body.variants[0].id;
      const res = await t.http
        .post(`/api/products/${product.id}/variants/${variantId}/images`)
        .set(shop.auth)
        .send({ image_urls: [`${host.base}/huge.png`, `${host.base}/slow.png`, `${host.base}/photo.png`] })
        .expect(202);
      const [huge, slow, photo] = await Promise.all(res.body.pending.map((p: { media_id: string }) => settledMedia(t, shop, p.media_id, 20_000)));
      expect(huge).toMatchObject({ status: 'failed', error: expect.stringMatching(/limit of 150000 bytes|the limit is 150000/) });
      expect(slow).toMatchObject({ status: 'failed', error: 'image_url timed out after 400 ms' });
      expect(photo.status).toBe('ready');
      const view = (await t.http.get(`/api/products/${product.id}`).set(shop.auth)).body;
      expect(view.images).toEqual([]);
      expect(view.variants[0].images.map((i: { media_id: string }) => i.media_id)).toEqual([photo.id]);
      expect(host.hits.filter((h) => h === '/slow.png')).toHaveLength(3); // retried, then given up
    });
  });
});
