import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, Ctx, CurrentPrincipal, Principal, Public, RequestContext, StrictRateLimit } from '@app/common';
import { MerchantDto } from '../merchants/dto/merchant.dto';
import { AuthService } from './auth.service';
import {
  LoginDto,
  LogoutDto,
  MerchantRegistrationDto,
  RefreshDto,
  RegisterDto,
  RegisterMerchantDto,
  TokenPairDto,
  UserDto,
  VerifyTokenDto,
  VerifyTokenResultDto,
} from './dto/auth.dto';

@ApiTags('auth')
@Controller('v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  @Public()
  @StrictRateLimit()
  @ApiOperation({ summary: 'Register a customer account' })
  @ApiCreatedResponse({ type: UserDto })
  async register(@Ctx() ctx: RequestContext, @Body() body: RegisterDto): Promise<UserDto> {
    return UserDto.from(await this.auth.registerCustomer(ctx, body));
  }

  @Post('register/merchant')
  @Public()
  @StrictRateLimit()
  @ApiOperation({ summary: 'Register a merchant account and its store (PENDING until an admin approves it)' })
  @ApiCreatedResponse({ type: MerchantRegistrationDto })
  async registerMerchant(@Ctx() ctx: RequestContext, @Body() body: RegisterMerchantDto): Promise<MerchantRegistrationDto> {
    const { user, merchant } = await this.auth.registerMerchant(ctx, { email: body.email, password: body.password, businessName: body.business_name, name: body.name });
    return { user: UserDto.from(user, merchant.id), merchant: MerchantDto.from(merchant) };
  }

  @Post('login')
  @Public()
  @StrictRateLimit()
  @HttpCode(200)
  @ApiOkResponse({ type: TokenPairDto })
  login(@Body() body: LoginDto): Promise<TokenPairDto> {
    return this.auth.login(body.email, body.password);
  }

  @Post('refresh')
  @Public()
  @StrictRateLimit()
  @HttpCode(200)
  @ApiOperation({ summary: 'Rotate: the refresh token works once; reusing it revokes its whole family' })
  @ApiOkResponse({ type: TokenPairDto })
  refresh(@Body() body: RefreshDto): Promise<TokenPairDto> {
    return this.auth.refresh(body.refresh_token);
  }

  @Post('logout')
  @Auth()
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke the refresh token family (if given) and the access token used' })
  async logout(@CurrentPrincipal() principal: Principal, @Body() body: LogoutDto): Promise<void> {
    await this.auth.logout(principal, body.refresh_token);
  }

  @Get('me')
  @Auth()
  @ApiOkResponse({ type: UserDto })
  async me(@CurrentPrincipal() principal: Principal): Promise<UserDto> {
    const { user, merchantId } = await this.auth.me(principal);
    return UserDto.from(user, merchantId);
  }

  @Post('verify')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Service-to-service token check (seed 004): always 200, `valid` says the verdict' })
  @ApiOkResponse({ type: VerifyTokenResultDto })
  verify(@Body() body: VerifyTokenDto): Promise<VerifyTokenResultDto> {
    return this.auth.verify(body.token, body.required_scope);
  }
}

@ApiTags('auth')
@Controller('v1/users')
export class UsersController {
  constructor(private readonly auth: AuthService) {}

  @Get('me')
  @Auth()
  @ApiOkResponse({ type: UserDto })
  async me(@CurrentPrincipal() principal: Principal): Promise<UserDto> {
    const { user, merchantId } = await this.auth.me(principal);
    return UserDto.from(user, merchantId);
  }
}
