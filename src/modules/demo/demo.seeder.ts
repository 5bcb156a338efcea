import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RequestContext } from '@app/common';
import { ProductsService } from '../catalog/products.service';
import { Product } from '../catalog/entities/product.entity';
import { CheckoutSettingsService } from '../checkout/checkout-settings.service';
import { AuthService } from '../identity/auth.service';
import { User } from '../identity/entities/user.entity';
import { MerchantsService } from '../merchants/merchants.service';

export const DEMO_PASSWORD = 'demo-password-2026';
export const DEMO_ACCOUNTS = {
  admin: 'admin@demo.local',
  merchant: 'merchant@demo.local',
  customer: 'customer@demo.local',
} as const;

const SYSTEM: RequestContext = { principal: null, requestId: 'demo-seed', ip: 'cli' };

/**
 * Demo data for a fresh development install (`npm start` runs it): one account per role and an
 * ACTIVE store. Idempotent; later modules add their demo rows here (products, orders…).
 */
@Injectable()
export class DemoSeeder {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly auth: AuthService,
    private readonly merchants: MerchantsService,
    private readonly products: ProductsService,
    private readonly checkoutSettings: CheckoutSettingsService,
  ) {}

  async seed(): Promise<string[]> {
    const lines: string[] = [];
    const users = this.dataSource.getRepository(User);

    if (!(await users.existsBy({ email: DEMO_ACCOUNTS.admin }))) await this.auth.createOrPromoteAdmin(DEMO_ACCOUNTS.admin, DEMO_PASSWORD);
    lines.push(`admin     ${DEMO_ACCOUNTS.admin} / ${DEMO_PASSWORD}`);

    let merchantUser = await users.findOneBy({ email: DEMO_ACCOUNTS.merchant });
    if (!merchantUser) {
      merchantUser = (await this.auth.registerMerchant(SYSTEM, { email: DEMO_ACCOUNTS.merchant, password: DEMO_PASSWORD, businessName: 'Demo Outfitters' })).user;
    }
    const store = await this.merchants.findByOwner(merchantUser.id);
    if (store && store.status === 'PENDING') await this.merchants.changeStatus(SYSTEM, store.id, 'approve', 'demo data');
    lines.push(`merchant  ${DEMO_ACCOUNTS.merchant} / ${DEMO_PASSWORD}  (store "${store?.name}", slug ${store?.slug}, id ${store?.id})`);
    if (store && !(await this.dataSource.getRepository(Product).existsBy({ merchantId: store.id }))) {
      // Something to buy: active products with stock, a flat shipping rate and a tax rate, so the
      // checkout → test payment page → order flow works right after `npm start`.
      const owner: RequestContext = { ...SYSTEM, principal: { kind: 'user', userId: merchantUser.id, role: 'merchant', merchantId: store.id, scopes: ['read', 'write'] } };
      await this.products.create(owner, store.id, {
        name: 'Trail T-shirt',
        price: '25.00',
        status: 'active',
        variants: ['S', 'M', 'L'].map((size) => ({ attributes: { size }, sku: `DEMO-TEE-${size}`, stock: 20 })),
      });
      await this.products.create(owner, store.id, { name: 'Canvas Tote', price: '18.00', status: 'active', sku: 'DEMO-TOTE', stock_quantity: 50 });
      await this.products.create(owner, store.id, { name: 'Wool Beanie', price: '22.00', status: 'active', sku: 'DEMO-BEANIE', stock_quantity: 5, low_stock_threshold: 3 });
      await this.checkoutSettings.update(owner, store.id, {
        flat_shipping_rates: [{ currency: 'USD', amount: '5.00' }],
        free_shipping_thresholds: [{ currency: 'USD', amount: '75.00' }],
        tax_rates: [{ country_code: 'US', rate: '8.25' }],
      });
    }

    if (!(await users.existsBy({ email: DEMO_ACCOUNTS.customer }))) {
      await this.auth.registerCustomer(SYSTEM, { email: DEMO_ACCOUNTS.customer, password: DEMO_PASSWORD, name: 'Demo Customer' });
    }
    lines.push(`customer  ${DEMO_ACCOUNTS.customer} / ${DEMO_PASSWORD}`);
    return lines;
  }
}
