import { Body, Controller, Header, HttpCode, Post, UseFilters } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public, Scope, StrictRateLimit } from '@app/common';
import { AuthService } from './auth.service';
import { DeviceFlowService } from './device-flow.service';
import { TokenPairDto } from './dto/auth.dto';
import { DEVICE_CODE_GRANT, DeviceAuthorizationDto, DeviceAuthorizeRequestDto, OAuthErrorDto, OAuthRevokeRequestDto, OAuthTokenRequestDto } from './dto/oauth.dto';
import { OAuthError, OAuthErrorFilter } from './oauth-error';
import { TokenService } from './token.service';
import { TokenVerifier } from './token-verifier.service';

function required(value: string | undefined, name: string): string {
  if (!value) throw new OAuthError('invalid_request', `${name} is required for this grant`);
  return value;
}

/** OAuth 2.0 for command-line tools and other clients; errors follow RFC 6749/8628, not the envelope. */
@ApiTags('oauth')
@Controller('v1/oauth')
@Public()
@UseFilters(OAuthErrorFilter)
export class OAuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly deviceFlow: DeviceFlowService,
    private readonly tokens: TokenService,
    private readonly verifier: TokenVerifier,
  ) {}

  @Post('token')
  @HttpCode(200)
  @StrictRateLimit()
  @Header('Cache-Control', 'no-store')
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiOperation({ summary: 'Token endpoint: password, refresh_token and device_code grants' })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiBadRequestResponse({ type: OAuthErrorDto, description: 'RFC 6749 error: invalid_grant, authorization_pending, slow_down, expired_token, access_denied…' })
  async token(@Body() body: OAuthTokenRequestDto): Promise<TokenPairDto> {
    switch (body.grant_type) {
      case 'password': {
        const scopes = body.scope ? (body.scope.split(/\s+/).filter(Boolean) as Scope[]) : undefined;
        if (scopes?.some((s) => s !== 'read' && s !== 'write')) throw new OAuthError('invalid_scope', 'Unknown scope');
        try {
          return await this.auth.login(required(body.username, 'username'), required(body.password, 'password'), { scopes, clientId: body.client_id ?? null });
        } catch (err) {
          if (err instanceof OAuthError) throw err;
          throw new OAuthError('invalid_grant', 'Invalid username or password');
        }
      }
      case 'refresh_token':
        return this.auth.refresh(required(body.refresh_token, 'refresh_token'));
      case DEVICE_CODE_GRANT:
        return this.deviceFlow.poll(required(body.device_code, 'device_code'), required(body.client_id, 'client_id'));
    }
  }

  @Post('device/authorize')
  @HttpCode(200)
  @StrictRateLimit()
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiOperation({ summary: 'RFC 8628 device authorization: returns the codes and where the user approves' })
  @ApiOkResponse({ type: DeviceAuthorizationDto })
  authorize(@Body() body: DeviceAuthorizeRequestDto): Promise<DeviceAuthorizationDto> {
    return this.deviceFlow.authorize(body.client_id, body.scope);
  }

  @Post('revoke')
  @HttpCode(200)
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiOperation({ summary: 'RFC 7009: revoke a refresh token (its family) or an access token; unknown tokens also answer 200' })
  @ApiOkResponse({ description: 'Revoked, or nothing to revoke' })
  async revoke(@Body() body: OAuthRevokeRequestDto): Promise<Record<string, never>> {
    if (body.token.startsWith('rt_')) {
      await this.tokens.revokeFamilyOf(body.token);
    } else {
      const verified = await this.verifier.verify(body.token).catch(() => null);
      if (verified && !verified.external) await this.tokens.denyAccessToken(verified.claims.jti, verified.claims.exp);
    }
    return {};
  }
}
