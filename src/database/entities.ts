import { OutboxEvent } from '@app/common';
import { AuditLog } from '../modules/audit/entities/audit-log.entity';
import { CatalogImportRun } from '../modules/catalog/entities/catalog-import-run.entity';
import { CollectionProduct } from '../modules/catalog/entities/collection-product.entity';
import { Collection } from '../modules/catalog/entities/collection.entity';
import { ProductImage } from '../modules/catalog/entities/product-image.entity';
import { ProductPrice } from '../modules/catalog/entities/product-price.entity';
import { ProductVariant } from '../modules/catalog/entities/product-variant.entity';
import { Product } from '../modules/catalog/entities/product.entity';
import { CollectionTranslation, Language, ProductTranslation } from '../modules/catalog/entities/translation.entities';
import { ApiKey } from '../modules/identity/entities/api-key.entity';
import { DeviceAuthorization } from '../modules/identity/entities/device-authorization.entity';
import { RefreshToken } from '../modules/identity/entities/refresh-token.entity';
import { User } from '../modules/identity/entities/user.entity';
import { MerchantTranslation } from '../modules/merchants/entities/merchant-translation.entity';
import { Merchant } from '../modules/merchants/entities/merchant.entity';

/** Every entity of the service; the DataSource (app, worker, CLI, tests) is built from this list. */
export const ENTITIES = [
  OutboxEvent,
  AuditLog,
  User,
  RefreshToken,
  ApiKey,
  DeviceAuthorization,
  Merchant,
  MerchantTranslation,
  Product,
  ProductVariant,
  ProductPrice,
  ProductImage,
  Collection,
  CollectionProduct,
  ProductTranslation,
  CollectionTranslation,
  Language,
  CatalogImportRun,
];
