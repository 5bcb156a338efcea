import { defineReadScenario } from './read-scenario';

/** Words in the generated names, descriptions and tags: whole words (full-text), phrases, partial words (trigrams) and a SKU stem. */
const TERMS = ['merino', 'sweater', 'navy jacket', 'organic cotton', 'linen shirt', 'wool', 'swea', 'cardi', 'backpack', 'gift', 'charcoal beanie', 'MENASW'];

/** The product list with a search term (first page). */
export const productListSearch = defineReadScenario({
  name: 'product-list-search',
  summary: 'GET /api/public/products?search=…: 12 terms (words, phrases, partial words, a SKU stem)',
  paths: ({ store }) => TERMS.map((term) => `/api/public/products?merchant=${store.slug}&search=${encodeURIComponent(term)}`),
});
