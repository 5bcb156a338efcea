import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { ROLES, SCOPES } from '@app/common';
import { MerchantDto } from '../../merchants/dto/merchant.dto';
import { User } from '../entities/user.entity';

const normalizeEmail = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value);

export class RegisterDto {
  @ApiProperty({ example: 'ada@example.com' }) @Transform(normalizeEmail) @IsEmail() @MaxLength(320)
  email: string;

  @ApiProperty({ minLength: 10, description: 'At least 10 characters with letters and digits' }) @IsString() @MaxLength(128)
  password: string;

  @ApiProperty({ example: 'Ada Lovelace' }) @IsString() @Length(1, 200)
  name: string;

  @ApiPropertyOptional({ enum: ['customer'], description: 'Only customers register here; merchants use /register/merchant' })
  @IsOptional() @IsIn(['customer'], { message: 'role must be customer (merchants register at /auth/register/merchant; admins are created by the CLI)' })
  role?: 'customer';
}

export class RegisterMerchantDto {
  @ApiProperty({ example: 'owner@acme.example' }) @Transform(normalizeEmail) @IsEmail() @MaxLength(320)
  email: string;

  @ApiProperty({ minLength: 10 }) @IsString() @MaxLength(128)
  password: string;

  @ApiProperty({ example: 'Acme Outdoor' }) @IsString() @Length(1, 200)
  business_name: string;

  @ApiPropertyOptional({ example: 'Ada Lovelace' }) @IsOptional() @IsString() @Length(1, 200)
  name?: string;
}

export class LoginDto {
  @ApiProperty() @Transform(normalizeEmail) @IsEmail() @MaxLength(320)
  email: string;

  @ApiProperty() @IsString() @Length(1, 128)
  password: string;
}

export class RefreshDto {
  @ApiProperty() @IsString() @Length(1, 200)
  refresh_token: string;
}

export class LogoutDto {
  @ApiPropertyOptional({ description: 'Revokes this refresh token\'s whole family; the access token used is revoked too' })
  @IsOptional() @IsString() @Length(1, 200)
  refresh_token?: string;
}

export class TokenPairDto {
  @ApiProperty() access_token: string;
  @ApiProperty() refresh_token: string;
  @ApiProperty({ enum: ['bearer'] }) token_type: 'bearer';
  @ApiProperty({ description: 'Access token lifetime in seconds' }) expires_in: number;
  @ApiPropertyOptional({ example: 'read write' }) scope?: string;
}

export class UserDto {
  @ApiProperty() id: string;
  @ApiProperty() email: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ROLES }) role: string;
  @ApiProperty() is_active: boolean;
  @ApiPropertyOptional({ nullable: true, description: 'Merchants: their store' }) merchant_id?: string | null;
  @ApiProperty() created_at: string;

  static from(user: User, merchantId?: string | null): UserDto {
    return {
      id: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      is_active: user.isActive,
      ...(user.role === 'merchant' ? { merchant_id: merchantId ?? null } : {}),
      created_at: user.createdAt.toISOString(),
    };
  }
}

export class MerchantRegistrationDto {
  @ApiProperty({ type: UserDto }) user: UserDto;
  @ApiProperty({ type: MerchantDto }) merchant: MerchantDto;
}

export class VerifyTokenDto {
  @ApiProperty() @IsString() @Length(1, 8192)
  token: string;

  @ApiPropertyOptional({ enum: SCOPES, nullable: true }) @IsOptional() @IsString() @MaxLength(50)
  required_scope?: string | null;
}

export class VerifyTokenResultDto {
  @ApiProperty() valid: boolean;
  @ApiPropertyOptional({ nullable: true }) user_id?: string | null;
  @ApiPropertyOptional({ nullable: true, enum: ROLES }) role?: string | null;
  @ApiPropertyOptional({ type: [String] }) scopes?: string[];
  @ApiPropertyOptional() delegated?: boolean;
  @ApiProperty({ nullable: true, example: null, description: '"Token expired", "Invalid token", "Token blacklisted", or "Insufficient scope"' })
  error: string | null;
}
