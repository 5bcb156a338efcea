import { defineReadScenario } from './read-scenario';

/** The product list filtered by tags: the 8 most used tags alone (pages 1–2), and pairs of them. */
export const productListByTag = defineReadScenario({
  name: 'product-list-tag',
  summary: 'GET /api/public/products?tags=…: 8 tags (pages 1–2) and tag pairs',
  paths: ({ store, tags }) => {
    const top = tags.slice(0, 8);
    const base = `/api/public/products?merchant=${store.slug}`;
    return [
      ...top.flatMap((tag) => [1, 2].map((page) => `${base}&tags=${encodeURIComponent(tag)}&page=${page}`)),
      ...top.slice(0, 4).map((tag, i) => `${base}&tags=${encodeURIComponent(`${tag},${top[(i + 4) % top.length]}`)}`),
    ];
  },
});
