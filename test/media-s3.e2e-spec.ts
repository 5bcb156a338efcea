import { GetObjectCommand } from '@aws-sdk/client-s3';
import { INestApplicationContext } from '@nestjs/common';
import sharp from 'sharp';
import { Jobs, QueueRegistry } from '@app/common';
import { MediaJobsHandler } from '../src/modules/media/media-jobs.handler';
import { bootTestApp, TestApp } from './harness/app';
import { createProduct, tok } from './support/catalog';
import { createAdmin, registerMerchant, TestAccount } from './support/identity';
import { eventually, imageOf, PDF, settledMedia, startS3, TestS3, uploadedImage, uploadImage } from './support/media';

/** The S3 driver against a real S3-protocol server (s3rver), as with AWS or MinIO. */
describe('Media with the S3 storage driver', () => {
  let s3: TestS3;
  let t: TestApp;
  let worker: INestApplicationContext;
  let shop: TestAccount;
  let other: TestAccount;

  beforeAll(async () => {
    s3 = await startS3();
    t = await bootTestApp({ env: s3.env });
    worker = await t.startWorker();
    const admin = await createAdmin(t);
    [shop, other] = await Promise.all([registerMerchant(t, { approve: true, admin }), registerMerchant(t, { approve: true, admin })]);
  });
  afterAll(async () => {
    await t?.close();
    await s3?.close();
  });

  const keyOf = (url: string) => decodeURIComponent(new URL(url).pathname.replace(`/${s3.bucket}/`, ''));
  const object = async (key: string) => {
    const res = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
    return { bytes: Buffer.from(await res.Body!.transformToByteArray()), type: res.ContentType, cacheControl: res.CacheControl };
  };

  it('uploads to the bucket: exact bytes, detected type, immutable caching, a public URL on the bucket', async () => {
    const bytes = await imageOf(120, 90, 'jpeg');
    const res = await uploadImage(t, shop, bytes, 'Chair.JPEG').expect(201);
    expect(res.body.url).toBe(`${s3.endpoint}/${s3.bucket}/merchants/${shop.merchantId}/${res.body.media_id}/chair.jpg`);
    const stored = await object(keyOf(res.body.url));
    expect(Buffer.compare(stored.bytes, bytes)).toBe(0); // no aws-chunked wrapper stored as content
    expect(stored.type).toBe('image/jpeg');
    expect(stored.cacheControl).toMatch(/immutable/);
    // The public URL answers without credentials.
    const fetched = await fetch(res.body.url);
    expect(fetched.status).toBe(200);
    expect(Buffer.compare(Buffer.from(await fetched.arrayBuffer()), bytes)).toBe(0);
  });

  it('refuses a .jpg that is a PDF, and oversize files, before anything reaches the bucket', async () => {
    await t.http.post('/api/upload/image').set(shop.auth).attach('file', PDF, { filename: 'photo.jpg', contentType: 'image/jpeg' }).expect(422);
    const huge = Buffer.concat([await imageOf(4, 4), Buffer.alloc(t.config.media.maxImageBytes + 1)]);
    await uploadImage(t, shop, huge).expect(413);
    const rows = await t.dataSource.query(`SELECT count(*)::int AS n FROM media WHERE merchant_id = $1`, [shop.merchantId]);
    expect(rows[0].n).toBe(1);
  });

  it('makes the resized WebP versions in the bucket with the right dimensions', async () => {
    const id = await uploadedImage(t, shop, await imageOf(1300, 650), 'banner.png');
    const media = await settledMedia(t, shop, id);
    expect(media).toMatchObject({ status: 'ready', width: 1300, height: 650 });
    for (const [name, [w, h]] of Object.entries({ small: [200, 100], medium: [600, 300], large: [1200, 600] })) {
      const size = media.sizes[name];
      const stored = await object(keyOf(size.url));
      const meta = await sharp(stored.bytes).metadata();
      expect([name, stored.type, meta.format, meta.width, meta.height]).toEqual([name, 'image/webp', 'webp', w, h]);
    }
  });

  describe('presigned direct uploads', () => {
    const presign = (body: object) => t.http.post('/api/upload/presign').set(shop.auth).send(body).expect(201);

    it('round trip: a presigned PUT signs type and length, then complete verifies and processing follows', async () => {
      const bytes = await imageOf(400, 300, 'webp');
      const res = await presign({ content_type: 'image/webp', size: bytes.length, file_name: 'direct.webp' });
      const url = new URL(res.body.upload_url);
      expect(url.origin).toBe(s3.endpoint);
      expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host');
      const put = await fetch(res.body.upload_url, { method: 'PUT', headers: res.body.headers, body: bytes });
      expect(put.status).toBe(200);
      const done = await t.http.post(`/api/upload/${res.body.media_id}/complete`).set(shop.auth).expect(200);
      expect(done.body.status).toBe('processing');
      const media = await settledMedia(t, shop, res.body.media_id);
      expect([media.status, media.width, media.height, media.sizes.small.width]).toEqual(['ready', 400, 300, 200]);
    });

    it('a tampered size (more bytes than announced) is caught at complete: 422, the object deleted, the media failed', async () => {
      const bytes = await imageOf(64, 64);
      const res = await presign({ content_type: 'image/png', size: bytes.length, file_name: 'small.png' });
      const key = `merchants/${shop.merchantId}/${res.body.media_id}/small.png`;
      // s3rver does not check signatures (AWS and MinIO refuse this PUT outright); the service checks anyway.
      const bigger = Buffer.concat([bytes, Buffer.alloc(4096, 1)]);
      await fetch(res.body.upload_url, { method: 'PUT', headers: { 'Content-Type': 'image/png' }, body: bigger });
      expect(await s3.exists(key)).toBe(true);
      const fail = await t.http.post(`/api/upload/${res.body.media_id}/complete`).set(shop.auth).expect(422);
      expect(fail.body.error.detail.fields.size).toEqual([`the upload has ${bigger.length} bytes; ${bytes.length} were announced`]);
      await eventually(() => s3.exists(key), (present) => !present, 10_000, 'the tampered object to be deleted');
      expect((await t.http.get(`/api/media/${res.body.media_id}`).set(shop.auth)).body).toMatchObject({ status: 'failed', url: null });
    });

    it('a content type other than announced is refused too', async () => {
      const res = await presign({ content_type: 'application/pdf', size: PDF.length, file_name: 'doc.pdf' });
      await fetch(res.body.upload_url, { method: 'PUT', headers: { 'Content-Type': 'text/html' }, body: PDF });
      const fail = await t.http.post(`/api/upload/${res.body.media_id}/complete`).set(shop.auth).expect(422);
      expect(fail.body.error.detail.fields.content_type).toEqual(['the upload was sent as text/html; application/pdf was announced']);
    });
  });

  it('attaches to products (own media only) and deletes every object of a deleted media', async () => {
    const product = await createProduct(t, shop, { name: `Sofa ${tok()}`, price: '10.00' });
    const id = await uploadedImage(t, shop, await imageOf(900, 600));
    const theirs = await uploadedImage(t, other);
    await t.http.post(`/api/products/${product.id}/images`).set(shop.auth).send({ media_ids: [theirs] }).expect(404);
    await t.http.post(`/api/products/${product.id}/images`).set(shop.auth).send({ media_ids: [id] }).expect(200);
    const media = await settledMedia(t, shop, id);
    const keys = [media.url, media.sizes.small.url, media.sizes.medium.url].map(keyOf);
    for (const key of keys) expect(await s3.exists(key)).toBe(true);
    await t.http.delete(`/api/products/${product.id}/images`).set(shop.auth).send({ media_ids: [id] }).expect(200);
    await t.http.get(`/api/media/${id}`).set(shop.auth).expect(404);
    await eventually(async () => (await Promise.all(keys.map(s3.exists))).filter(Boolean).length, (n) => n === 0, 10_000, 'the objects to be deleted');
  });

  it('retries the delete while S3 is down, and removes the objects once it is back', async () => {
    const id = await uploadedImage(t, shop, await imageOf(300, 300));
    const media = await settledMedia(t, shop, id);
    const keys = [media.url, media.sizes.small.url, media.sizes.medium.url].map(keyOf);
    const queue = worker.get(QueueRegistry).get(Jobs.MediaDeleteObjects.queue);
    const deleteJob = async () => {
      const [event] = await t.dataSource.query(`SELECT id FROM outbox_events WHERE name = $1 AND payload->>'media_id' = $2`, [Jobs.MediaDeleteObjects.name, id]);
      return event ? queue.getJob(event.id) : undefined;
    };

    await s3.stop();
    try {
      // The database change does not wait for storage: the row is gone at once.
      await t.http.delete(`/api/media/${id}`).set(shop.auth).expect(204);
      await t.http.get(`/api/media/${id}`).set(shop.auth).expect(404);
      const failed = await eventually(deleteJob, (job) => (job?.attemptsMade ?? 0) >= 1, 15_000, 'a failed delete attempt');
      expect(failed!.failedReason).toBeTruthy();
      expect(await failed!.getState()).toBe('delayed'); // waiting for its retry
    } finally {
      await s3.start();
    }
    const done = await eventually(deleteJob, (job) => Boolean(job?.finishedOn), 20_000, 'the retried delete to succeed');
    expect(await done!.getState()).toBe('completed');
    for (const key of keys) expect(await s3.exists(key)).toBe(false);
  });

  it('the delete job refuses objects of another driver instead of guessing', async () => {
    const payload = { merchant_id: shop.merchantId!, media_id: '00000000-0000-4000-8000-000000000000', driver: 'local', keys: [] };
    await expect(worker.get(MediaJobsHandler).deleteObjects(payload)).rejects.toThrow(/in local storage; this worker uses s3/);
  });
});
