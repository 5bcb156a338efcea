import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '@app/common';

@Entity('product_translations')
@Index('uq_product_translations', ['productId', 'languageCode'], { unique: true })
export class ProductTranslation extends BaseEntity {
  @Column({ type: 'uuid' })
  merchantId: string;

  @Column({ type: 'uuid' })
  productId: string;

  @Column({ type: 'varchar', length: 16 })
  languageCode: string;

  @Column({ type: 'varchar', length: 300 })
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'varchar', length: 300, nullable: true })
  metaTitle: string | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  metaDescription: string | null;

  /** Labels of attribute names and values: `{ "color": { "label": "Couleur", "values": { "red": "rouge" } } }`. */
  @Column({ type: 'jsonb', nullable: true })
  variantAttributesTranslations: Record<string, unknown> | null;
}

@Entity('collection_translations')
@Index('uq_collection_translations', ['collectionId', 'languageCode'], { unique: true })
export class CollectionTranslation extends BaseEntity {
  @Column({ type: 'uuid' })
  merchantId: string;

  @Column({ type: 'uuid' })
  collectionId: string;

  @Column({ type: 'varchar', length: 16 })
  languageCode: string;

  @Column({ type: 'varchar', length: 300 })
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'varchar', length: 300, nullable: true })
  metaTitle: string | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  metaDescription: string | null;
}

/** Languages the platform offers for translations (`GET /api/languages`); seeded by a migration. */
@Entity('languages')
@Index('uq_languages_code', ['code'], { unique: true })
export class Language extends BaseEntity {
  @Column({ type: 'varchar', length: 16 })
  code: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 100 })
  nativeName: string;

  @Column({ type: 'boolean', default: true })
  isActive: boolean;
}
