import { defineReadScenario } from './read-scenario';

/** One product page by handle, over 1,000 different active products; a quarter asked in French and euros. */
export const productDetail = defineReadScenario({
  name: 'product-detail',
  summary: 'GET /api/public/products/{handle}?merchant=…: 1,000 products, a quarter in fr/EUR',
  paths: ({ store, handles }) =>
    handles.slice(0, 1_000).map((handle, i) => `/api/public/products/${handle}?merchant=${store.slug}${i % 4 === 3 ? '&locale=fr&currency=EUR' : ''}`),
});
