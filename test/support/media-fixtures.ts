import type { TestApp } from '../harness/app';
import { createProduct, tok } from './catalog';
import type { TestAccount } from './identity';
import type { OwnedResource } from './merchant-fixtures';

/** A 1×1 PNG: the smallest real image, so fixtures need no image library. */
const PNG_1PX = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAADElEQVQImWP4//8/AAX+Av5Y8msOAAAAAElFTkSuQmCC', 'base64');

async function upload(t: TestApp, owner: TestAccount): Promise<string> {
  const res = await t.http.post('/api/upload/image').set(owner.auth).attach('file', PNG_1PX, 'fixture.png').expect(201);
  return res.body.media_id;
}

/** A product (two variants) with `attached` images and `spare` uploaded but unattached media. */
async function productWithImages(t: TestApp, owner: TestAccount, attached: number, spare = 0) {
  const product = await createProduct(t, owner, { name: `Fixture ${tok()}`, price: '10.00', variants: [{ attributes: { size: 'S' } }, { attributes: { size: 'M' } }] });
  const ids: string[] = [];
  for (let i = 0; i < attached + spare; i++) ids.push(await upload(t, owner));
  if (attached) await t.http.post(`/api/products/${product.id}/images`).set(owner.auth).send({ media_ids: ids.slice(0, attached) }).expect(200);
  return { id: product.id, variantId: product.variants![0].id, attached: ids.slice(0, attached), spare: ids.slice(attached) };
}

/** True while the product's own images are exactly these media, in this order, and its first variant has none. */
const imagesAre = (t: TestApp, owner: TestAccount, productId: string, expected: string[]) => async () => {
  const res = await t.http.get(`/api/products/${productId}`).set(owner.auth);
  return (
    res.status === 200 &&
    JSON.stringify(res.body.images.map((i: { media_id: string }) => i.media_id)) === JSON.stringify(expected) &&
    res.body.variants[0].images.length === 0
  );
};

/** The media module's merchant routes with path parameters (see MERCHANT_ROUTE_FIXTURES). */
export const MEDIA_FIXTURES: Record<string, (t: TestApp, owner: TestAccount) => Promise<OwnedResource>> = {
  '/api/media/:id': async (t, owner) => {
    const id = await upload(t, owner);
    return { params: { id }, intact: async () => (await t.http.get(`/api/media/${id}`).set(owner.auth)).status === 200 };
  },
  '/api/upload/:mediaId/complete': async (t, owner) => {
    const presigned = await t.http.post('/api/upload/presign').set(owner.auth).send({ content_type: 'image/png', size: PNG_1PX.length, file_name: 'fixture.png' }).expect(201);
    const url = new URL(presigned.body.upload_url);
    await t.http.put(`${url.pathname}${url.search}`).set('Content-Type', 'image/png').send(PNG_1PX).expect(200);
    const mediaId = presigned.body.media_id;
    return { params: { mediaId }, intact: async () => (await t.http.get(`/api/media/${mediaId}`).set(owner.auth)).body.status === 'pending' };
  },
  '/api/products/:id/images': async (t, owner) => {
    const p = await productWithImages(t, owner, 1, 1);
    return { params: { id: p.id }, bodies: { POST: { media_ids: p.spare }, DELETE: { media_ids: p.attached } }, intact: imagesAre(t, owner, p.id, p.attached) };
  },
  '/api/products/:id/images/reorder': async (t, owner) => {
    const p = await productWithImages(t, owner, 2);
    return { params: { id: p.id }, bodies: { PUT: { moves: [{ media_id: p.attached[1], new_position: 1 }] } }, intact: imagesAre(t, owner, p.id, p.attached) };
  },
  '/api/products/:id/variants/:variantId/images': async (t, owner) => {
    const p = await productWithImages(t, owner, 0, 1);
    return { params: { id: p.id, variantId: p.variantId }, bodies: { POST: { media_ids: p.spare } }, intact: imagesAre(t, owner, p.id, []) };
  },
};
