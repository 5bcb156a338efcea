import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { MerchantsModule } from '../merchants/merchants.module';
import { AccessTokenDenyList } from './access-token-deny-list.service';
import { ApiKeyService } from './api-key.service';
import { ApiKeysController } from './api-keys.controller';
import { AuthController, UsersController } from './auth.controller';
import { AuthService } from './auth.service';
import { AuthenticationGuard } from './authentication.guard';
import { DeviceController } from './device.controller';
import { DeviceFlowService } from './device-flow.service';
import { JwtStrategy } from './jwt.strategy';
import { LoginThrottle } from './login-throttle.service';
import { OAuthController } from './oauth.controller';
import { PasswordService } from './password.service';
import { TokenService } from './token.service';
import { TokenVerifier } from './token-verifier.service';

/** Accounts, tokens, OAuth/device flow, API keys, and the global authentication guard. */
@Module({
  imports: [PassportModule, MerchantsModule],
  controllers: [AuthController, UsersController, OAuthController, DeviceController, ApiKeysController],
  providers: [
    PasswordService,
    TokenVerifier,
    AccessTokenDenyList,
    TokenService,
    LoginThrottle,
    JwtStrategy,
    ApiKeyService,
    AuthService,
    DeviceFlowService,
    { provide: APP_GUARD, useClass: AuthenticationGuard },
  ],
  exports: [AuthService],
})
export class IdentityModule {}
