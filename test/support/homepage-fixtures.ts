import type { TestApp } from '../harness/app';
import type { TestAccount } from './identity';
import type { OwnedResource } from './merchant-fixtures';

const P = '/api/v1/merchants/me/homepage-config';

const SETTINGS: Record<string, object> = {
  banner: { images: [{ url: 'https://cdn.example.com/fixture.jpg', alt: 'Fixture' }] },
  collections: { collection_slugs: [] },
  collection_products: { limit: 4 },
  featured: { target_type: 'url', url: 'https://shop.example.com/' },
};

/** The owner's whole homepage (version included) as it reads now, to show another merchant changed nothing. */
const snapshot = async (t: TestApp, owner: TestAccount): Promise<string> => {
  const res = await t.http.get(P).set(owner.auth);
  return JSON.stringify({ status: res.status, body: res.body });
};

/** A section of `type` (with a French translation) on the owner's homepage; unchanged while the homepage is. */
const section =
  (type: keyof typeof SETTINGS, bodies: OwnedResource['bodies'] = {}, extra: Record<string, string> = {}) =>
  async (t: TestApp, owner: TestAccount): Promise<OwnedResource> => {
    const res = await t.http.post(`${P}/sections`).set(owner.auth).send({ type, settings: SETTINGS[type], translations: { en: { title: 'Fixture' }, fr: { title: 'Fixture FR' } } });
    if (res.status !== 201) throw new Error(`homepage fixture failed: ${res.status} ${JSON.stringify(res.body)}`);
    const before = await snapshot(t, owner);
    return { params: { id: res.body.id, ...extra }, bodies, intact: async () => (await snapshot(t, owner)) === before };
  };

/** The homepage module's merchant routes with path parameters (see MERCHANT_ROUTE_FIXTURES). */
export const HOMEPAGE_FIXTURES: Record<string, (t: TestApp, owner: TestAccount) => Promise<OwnedResource>> = {
  [`${P}/:config_id`]: async (t, owner) => {
    const config = await t.http.get(P).set(owner.auth).expect(200);
    const before = await snapshot(t, owner);
    return { params: { config_id: config.body.id }, intact: async () => (await snapshot(t, owner)) === before };
  },
  [`${P}/sections/:id`]: section('collection_products', { PUT: { translations: { en: { title: 'Changed' } } } }),
  [`${P}/sections/:id/settings/images`]: section('banner', { PUT: { images: [{ url: 'https://cdn.example.com/other.jpg' }] } }),
  [`${P}/sections/:id/settings/images/:index`]: section('banner', { PATCH: { alt: 'Changed' } }, { index: '1' }),
  [`${P}/sections/:id/settings/collections`]: section('collections', { PUT: { collection_slugs: [] } }),
  [`${P}/sections/:id/settings/target`]: section('featured', { PUT: { target_type: 'url', target_handle: 'https://shop.example.com/changed' } }),
  [`${P}/sections/:id/settings`]: section('collection_products', { PATCH: { updates: { limit: 6 } } }),
  [`${P}/sections/:id/translations`]: section('featured'),
  [`${P}/sections/:id/translations/:lang`]: section('banner', { PUT: { title: 'Changed' } }, { lang: 'fr' }),
  '/api/homepage/sections/:id': section('featured', { PUT: { settings: { target_type: 'url', url: 'https://shop.example.com/changed' } } }),
};
