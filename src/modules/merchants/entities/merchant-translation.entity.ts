import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '@app/common';

@Entity('merchant_translations')
@Index('uq_merchant_translations_lang', ['merchantId', 'languageCode'], { unique: true })
export class MerchantTranslation extends BaseEntity {
  @Column({ type: 'uuid' })
  merchantId: string;

  @Column({ type: 'varchar', length: 16 })
  languageCode: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;
}
