import { defineReadScenario } from './read-scenario';

/** The product list filtered by one collection (every collection of the store, pages 1 and 2). */
export const productListByCollection = defineReadScenario({
  name: 'product-list-collection',
  summary: 'GET /api/public/products?collection=…: each collection, pages 1–2',
  paths: ({ store, collections }) =>
    collections.flatMap((slug) => [1, 2].map((page) => `/api/public/products?merchant=${store.slug}&collection=${encodeURIComponent(slug)}&page=${page}`)),
});
