import { Module } from '@nestjs/common';
import { AdminMerchantsController, MerchantProfileController, PublicStoresController } from './merchants.controller';
import { MerchantsService } from './merchants.service';

@Module({
  controllers: [MerchantProfileController, PublicStoresController, AdminMerchantsController],
  providers: [MerchantsService],
  exports: [MerchantsService],
})
export class MerchantsModule {}
