import { Module } from '@nestjs/common';
import { CatalogVersionModule } from '../catalog/catalog-version.module';
import { AdminMerchantPayoutsController, MerchantPayoutsController } from './merchant-payouts.controller';
import { MerchantPayoutsService } from './merchant-payouts.service';
import { AdminMerchantsController, MerchantProfileController, PublicStoresController } from './merchants.controller';
import { MerchantsService } from './merchants.service';

@Module({
  imports: [CatalogVersionModule],
  controllers: [MerchantProfileController, MerchantPayoutsController, PublicStoresController, AdminMerchantsController, AdminMerchantPayoutsController],
  providers: [MerchantsService, MerchantPayoutsService],
  exports: [MerchantsService, MerchantPayoutsService],
})
export class MerchantsModule {}
