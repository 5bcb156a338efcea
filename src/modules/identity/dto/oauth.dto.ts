import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, MaxLength } from 'class-validator';

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
export const GRANT_TYPES = ['password', 'refresh_token', DEVICE_CODE_GRANT] as const;

/** RFC 6749 token request; form-encoded (JSON accepted too). */
export class OAuthTokenRequestDto {
  @ApiProperty({ enum: GRANT_TYPES }) @IsString() @IsIn(GRANT_TYPES, { message: 'unsupported grant_type' })
  grant_type: (typeof GRANT_TYPES)[number];

  @ApiPropertyOptional({ description: 'password grant: the email' }) @IsOptional() @IsString() @MaxLength(320)
  username?: string;

  @ApiPropertyOptional({ description: 'password grant' }) @IsOptional() @IsString() @MaxLength(128)
  password?: string;

  @ApiPropertyOptional({ description: 'refresh_token grant' }) @IsOptional() @IsString() @MaxLength(200)
  refresh_token?: string;

  @ApiPropertyOptional({ description: 'device_code grant' }) @IsOptional() @IsString() @MaxLength(200)
  device_code?: string;

  @ApiPropertyOptional({ example: 'bi-cli' }) @IsOptional() @IsString() @Length(1, 100)
  client_id?: string;

  @ApiPropertyOptional({ example: 'read write' }) @IsOptional() @IsString() @MaxLength(100)
  scope?: string;
}

export class DeviceAuthorizeRequestDto {
  @ApiProperty({ example: 'bi-cli' }) @IsString() @Length(1, 100)
  client_id: string;

  @ApiPropertyOptional({ example: 'read write' }) @IsOptional() @IsString() @MaxLength(100)
  scope?: string;
}

export class DeviceAuthorizationDto {
  @ApiProperty() device_code: string;
  @ApiProperty({ example: 'WDJB-MJHT' }) user_code: string;
  @ApiProperty({ example: 'https://api.example.com/device' }) verification_uri: string;
  @ApiProperty() verification_uri_complete: string;
  @ApiProperty({ example: 600 }) expires_in: number;
  @ApiProperty({ example: 5 }) interval: number;
}

export class OAuthRevokeRequestDto {
  @ApiProperty({ description: 'A refresh token or an access token' }) @IsString() @Length(1, 8192)
  token: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100)
  client_id?: string;

  @ApiPropertyOptional({ enum: ['access_token', 'refresh_token'] }) @IsOptional() @IsString() @MaxLength(20)
  token_type_hint?: string;
}

export class OAuthErrorDto {
  @ApiProperty({ example: 'authorization_pending' }) error: string;
  @ApiProperty() error_description: string;
  @ApiProperty({ enum: [false] }) success: false;
}
