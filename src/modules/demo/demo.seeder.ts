import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RequestContext } from '@app/common';
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
    lines.push(`merchant  ${DEMO_ACCOUNTS.merchant} / ${DEMO_PASSWORD}  (store "${store?.name}", slug ${store?.slug})`);

    if (!(await users.existsBy({ email: DEMO_ACCOUNTS.customer }))) {
      await this.auth.registerCustomer(SYSTEM, { email: DEMO_ACCOUNTS.customer, password: DEMO_PASSWORD, name: 'Demo Customer' });
    }
    lines.push(`customer  ${DEMO_ACCOUNTS.customer} / ${DEMO_PASSWORD}`);
    return lines;
  }
}
