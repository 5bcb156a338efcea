import { analytics } from './analytics';
import { apiStartup } from './api-startup';
import { catalogImport } from './catalog-import';
import { checkout } from './checkout';
import { checkoutRace } from './checkout-race';
import { homepage } from './homepage';
import { orderList } from './order-list';
import { productDetail } from './product-detail';
import { productList } from './product-list';
import { productListByCollection } from './product-list-by-collection';
import { productListByTag } from './product-list-by-tag';
import { productListSearch } from './product-list-search';
import { queue } from './queue';
import { Scenario } from './scenario';

/**
 * Every scenario, in the order `npm run bench` runs them. To add one, write a file exporting a
 * `Scenario` (scenario.ts; read-scenario.ts builds API-versus-floor read scenarios from a list of
 * paths) and list it here.
 */
export const SCENARIOS: readonly Scenario[] = [
  apiStartup,
  productList,
  productListByCollection,
  productListByTag,
  productListSearch,
  productDetail,
  homepage,
  orderList,
  analytics,
  checkout,
  checkoutRace,
  queue,
  catalogImport,
];

