import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes, randomInt } from 'node:crypto';
import { DataSource, MoreThan } from 'typeorm';
import { APP_CONFIG, AppConfig, RequestContext, Scope, SCOPES } from '@app/common';
import { AuditService } from '../audit/audit.service';
import { AuthService } from './auth.service';
import { DeviceAuthorization } from './entities/device-authorization.entity';
import { OAuthError } from './oauth-error';
import { sha256, TokenPair } from './token.service';

export const DEVICE_CODE_TTL_SECONDS = 600;
export const DEVICE_POLL_INTERVAL_SECONDS = 5;
// No vowels or look-alikes: codes never spell words and survive being read aloud (RFC 8628 §6.1).
const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';

export const formatUserCode = (code: string) => `${code.slice(0, 4)}-${code.slice(4)}`;
export const normalizeUserCode = (input: string) => input.toUpperCase().replace(/[^A-Z]/g, '');

export interface DeviceAuthorizationResponse {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

function parseScopes(scope: string | undefined): Scope[] {
  const requested = (scope ?? '').split(/\s+/).filter(Boolean);
  if (requested.length === 0) return ['read', 'write'];
  const unknown = requested.filter((s) => !SCOPES.includes(s as Scope));
  if (unknown.length) throw new OAuthError('invalid_scope', `Unknown scope: ${unknown.join(' ')}`);
  return [...new Set(requested)] as Scope[];
}

/** RFC 8628: a CLI gets a device code and polls; a signed-in user approves the user code at /device. */
@Injectable()
export class DeviceFlowService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
  ) {}

  async authorize(clientId: string, scope?: string): Promise<DeviceAuthorizationResponse> {
    const scopes = parseScopes(scope);
    const deviceCode = randomBytes(32).toString('base64url');
    const repo = this.dataSource.getRepository(DeviceAuthorization);
    let userCode = '';
    // A user code must be unambiguous among live authorizations; 20^8 makes a clash rare.
    for (let attempt = 0; attempt < 5; attempt++) {
      userCode = Array.from({ length: 8 }, () => USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)]).join('');
      if (!(await repo.exists({ where: { userCode, expiresAt: MoreThan(new Date()) } }))) break;
    }
    await repo.insert({
      deviceCodeHash: sha256(deviceCode),
      userCode,
      clientId,
      scopes,
      intervalSeconds: DEVICE_POLL_INTERVAL_SECONDS,
      expiresAt: new Date(Date.now() + DEVICE_CODE_TTL_SECONDS * 1000),
    });
    const verificationUri = `${this.config.publicBaseUrl}/device`;
    return {
      device_code: deviceCode,
      user_code: formatUserCode(userCode),
      verification_uri: verificationUri,
      verification_uri_complete: `${verificationUri}?user_code=${formatUserCode(userCode)}`,
      expires_in: DEVICE_CODE_TTL_SECONDS,
      interval: DEVICE_POLL_INTERVAL_SECONDS,
    };
  }

  /** The token endpoint's device_code grant: tokens once approved, else the RFC's polling errors. */
  async poll(deviceCode: string, clientId: string): Promise<TokenPair> {
    // Polling errors are returned, not thrown, so the poll time and interval they record commit.
    const outcome = await this.dataSource.transaction(async (manager): Promise<{ pair: TokenPair } | { error: OAuthError }> => {
      const repo = manager.getRepository(DeviceAuthorization);
      const row = await repo.findOne({ where: { deviceCodeHash: sha256(deviceCode) }, lock: { mode: 'pessimistic_write' } });
      if (!row || row.status === 'consumed') return { error: new OAuthError('invalid_grant', 'Unknown or already used device code') };
      if (row.clientId !== clientId) return { error: new OAuthError('invalid_grant', 'The device code was issued to another client') };
      if (row.expiresAt.getTime() <= Date.now()) return { error: new OAuthError('expired_token', 'The device code has expired; start again') };
      const now = new Date();
      if (row.lastPolledAt && now.getTime() - row.lastPolledAt.getTime() < row.intervalSeconds * 1000) {
        // RFC 8628 §3.5: each slow_down adds 5 seconds to the interval the client must keep.
        const interval = row.intervalSeconds + 5;
        await repo.update({ id: row.id }, { lastPolledAt: now, intervalSeconds: interval });
        return { error: new OAuthError('slow_down', `Polling too fast; wait ${interval} seconds between requests`) };
      }
      await repo.update({ id: row.id }, { lastPolledAt: now });
      if (row.status === 'pending') return { error: new OAuthError('authorization_pending', 'The user has not approved this device yet') };
      if (row.status === 'denied') return { error: new OAuthError('access_denied', 'The user denied this device') };
      await repo.update({ id: row.id }, { status: 'consumed' });
      const pair = await this.auth.issueForUser(row.userId!, { scopes: row.scopes as Scope[], clientId: row.clientId, delegated: true }, manager);
      return { pair };
    });
    if ('error' in outcome) throw outcome.error;
    return outcome.pair;
  }

  /** The /device page: the signed-in user approves or denies a pending user code. */
  async decide(ctx: RequestContext, userId: string, userCodeInput: string, approve: boolean): Promise<{ clientId: string; scopes: string[] }> {
    const userCode = normalizeUserCode(userCodeInput);
    return this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(DeviceAuthorization);
      const row = await repo.findOne({ where: { userCode, status: 'pending', expiresAt: MoreThan(new Date()) }, lock: { mode: 'pessimistic_write' } });
      if (!row) throw new OAuthError('invalid_grant', 'This code is unknown, expired or already used');
      await repo.update({ id: row.id }, { status: approve ? 'approved' : 'denied', userId });
      await this.audit.record(manager, ctx, {
        action: approve ? 'device_authorization.approve' : 'device_authorization.deny',
        entityType: 'device_authorization',
        entityId: row.id,
        before: { status: 'pending' },
        after: { status: approve ? 'approved' : 'denied', clientId: row.clientId, userId },
      });
      return { clientId: row.clientId, scopes: row.scopes };
    });
  }
}
