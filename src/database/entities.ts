import { OutboxEvent } from '@app/common';
import { AuditLog } from '../modules/audit/entities/audit-log.entity';
import { ApiKey } from '../modules/identity/entities/api-key.entity';
import { DeviceAuthorization } from '../modules/identity/entities/device-authorization.entity';
import { RefreshToken } from '../modules/identity/entities/refresh-token.entity';
import { User } from '../modules/identity/entities/user.entity';
import { MerchantTranslation } from '../modules/merchants/entities/merchant-translation.entity';
import { Merchant } from '../modules/merchants/entities/merchant.entity';

/** Every entity of the service; the DataSource (app, worker, CLI, tests) is built from this list. */
export const ENTITIES = [OutboxEvent, AuditLog, User, RefreshToken, ApiKey, DeviceAuthorization, Merchant, MerchantTranslation];
