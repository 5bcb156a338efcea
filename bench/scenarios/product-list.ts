import { defineReadScenario } from './read-scenario';

/**
 * The storefront's product list, 20 per page, newest first: pages 1–10, a third of them asked in
 * French and euros (translations and explicit EUR prices).
 */
export const productList = defineReadScenario({
  name: 'product-list',
  summary: 'GET /api/public/products, 20 per page: pages 1–10, some in fr-FR/EUR',
  paths: ({ store }) => {
    const base = `/api/public/products?merchant=${store.slug}`;
    const paths: string[] = [];
    for (let page = 1; page <= 10; page++) {
      paths.push(`${base}&page=${page}`);
      if (page % 2 === 1) paths.push(`${base}&page=${page}&locale=fr-FR&currency=EUR`);
    }
    return paths;
  },
});
