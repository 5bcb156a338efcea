import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  Validate,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { isCurrencyCode, PaginationQueryDto } from '@app/common';
import { Merchant, MERCHANT_STATUSES, MerchantStatus } from '../entities/merchant.entity';

@ValidatorConstraint({ name: 'currency' })
class IsCurrency implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return Array.isArray(value) ? value.every((v) => isCurrencyCode(v)) : isCurrencyCode(value);
  }
  defaultMessage(): string {
    return 'must be ISO 4217 currency codes such as USD';
  }
}

const upper = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim().toUpperCase() : Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v.trim().toUpperCase() : v)) : value;
const LOCALE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

/** The store profile fields a merchant sets (POST = first-time setup, PUT = any subset). */
export class MerchantProfileDto {
  @ApiProperty({ example: 'Acme Outdoor' }) @IsString() @Length(1, 200)
  name: string;

  @ApiPropertyOptional({ example: 'acme-outdoor', description: 'URL handle; letters, digits and dashes' })
  @IsOptional() @IsString() @Matches(/^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$/, { message: 'slug must be lower-case letters, digits and inner dashes' })
  slug?: string;

  @ApiPropertyOptional() @IsOptional() @IsEmail() @MaxLength(320)
  email?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(5000)
  description?: string | null;

  @ApiPropertyOptional() @IsOptional() @IsUrl({ protocols: ['http', 'https'], require_protocol: true }) @MaxLength(2048)
  logo_url?: string | null;

  @ApiPropertyOptional() @IsOptional() @IsUUID()
  logo_media_id?: string | null;

  @ApiPropertyOptional({ example: 'USD' }) @IsOptional() @Transform(upper) @Validate(IsCurrency)
  default_currency?: string;

  @ApiPropertyOptional({ example: ['USD', 'EUR'], type: [String] }) @IsOptional() @Transform(upper) @ArrayMaxSize(20) @Validate(IsCurrency)
  supported_currencies?: string[];

  @ApiPropertyOptional({ example: 'en' }) @IsOptional() @IsString() @Matches(LOCALE)
  default_locale?: string;

  @ApiPropertyOptional({ example: ['en', 'fr'], type: [String] }) @IsOptional() @ArrayMaxSize(20) @IsString({ each: true }) @Matches(LOCALE, { each: true })
  supported_locales?: string[];

  @ApiPropertyOptional({ example: '#1a73e8' }) @IsOptional() @Matches(/^#[0-9a-fA-F]{6}$/, { message: 'primary_color must be #rrggbb' })
  primary_color?: string | null;

  @ApiPropertyOptional({ example: 'US' }) @IsOptional() @Transform(upper) @Matches(/^[A-Z]{2}$/, { message: 'must be an ISO 3166 alpha-2 code' })
  origin_country_alpha2?: string | null;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) origin_city?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(20) origin_postal_code?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) origin_line_1?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) origin_line_2?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) origin_state?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) contact_name?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(50) contact_phone?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsEmail() @MaxLength(320) contact_email?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) company_name?: string | null;
}

export class UpdateMerchantProfileDto extends PartialType(MerchantProfileDto) {}

export class MerchantDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty() slug: string;
  @ApiProperty() email: string;
  @ApiProperty({ nullable: true }) description: string | null;
  @ApiProperty({ nullable: true }) logo_url: string | null;
  @ApiProperty({ nullable: true }) logo_media_id: string | null;
  @ApiProperty() default_currency: string;
  @ApiProperty({ type: [String] }) supported_currencies: string[];
  @ApiProperty() default_locale: string;
  @ApiProperty({ type: [String] }) supported_locales: string[];
  @ApiProperty({ nullable: true }) primary_color: string | null;
  @ApiProperty({ enum: MERCHANT_STATUSES }) status: MerchantStatus;
  @ApiProperty({ nullable: true }) status_reason: string | null;
  @ApiProperty({ nullable: true }) origin_country_alpha2: string | null;
  @ApiProperty({ nullable: true }) origin_city: string | null;
  @ApiProperty({ nullable: true }) origin_postal_code: string | null;
  @ApiProperty({ nullable: true }) origin_line_1: string | null;
  @ApiProperty({ nullable: true }) origin_line_2: string | null;
  @ApiProperty({ nullable: true }) origin_state: string | null;
  @ApiProperty({ nullable: true }) contact_name: string | null;
  @ApiProperty({ nullable: true }) contact_phone: string | null;
  @ApiProperty({ nullable: true }) contact_email: string | null;
  @ApiProperty({ nullable: true }) company_name: string | null;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;

  static from(m: Merchant): MerchantDto {
    return {
      id: m.id,
      name: m.name,
      slug: m.slug,
      email: m.email,
      description: m.description,
      logo_url: m.logoUrl,
      logo_media_id: m.logoMediaId,
      default_currency: m.defaultCurrency,
      supported_currencies: m.supportedCurrencies,
      default_locale: m.defaultLocale,
      supported_locales: m.supportedLocales,
      primary_color: m.primaryColor,
      status: m.status,
      status_reason: m.statusReason,
      origin_country_alpha2: m.originCountryAlpha2,
      origin_city: m.originCity,
      origin_postal_code: m.originPostalCode,
      origin_line_1: m.originLine_1,
      origin_line_2: m.originLine_2,
      origin_state: m.originState,
      contact_name: m.contactName,
      contact_phone: m.contactPhone,
      contact_email: m.contactEmail,
      company_name: m.companyName,
      created_at: m.createdAt.toISOString(),
      updated_at: m.updatedAt.toISOString(),
    };
  }
}

/** What storefronts see of an ACTIVE store. */
export class PublicStoreDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty() slug: string;
  @ApiProperty({ nullable: true }) description: string | null;
  @ApiProperty({ nullable: true }) logo_url: string | null;
  @ApiProperty() default_currency: string;
  @ApiProperty({ type: [String] }) supported_currencies: string[];
  @ApiProperty() default_locale: string;
  @ApiProperty({ type: [String] }) supported_locales: string[];
  @ApiProperty({ nullable: true }) primary_color: string | null;
  @ApiProperty({ description: 'Language of name/description' }) locale: string;
}

export class MerchantTranslationBodyDto {
  @ApiPropertyOptional({ description: 'Required on POST; taken from the path on PUT', example: 'fr' })
  @IsOptional() @IsString() @Matches(LOCALE)
  language_code?: string;

  @ApiProperty() @IsString() @Length(1, 200)
  name: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(5000)
  description?: string | null;
}

export class MerchantTranslationDto {
  @ApiProperty() language_code: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true }) description: string | null;
  @ApiProperty() updated_at: string;
}

export class AdminMerchantQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: MERCHANT_STATUSES }) @IsOptional() @Transform(upper) @IsIn(MERCHANT_STATUSES)
  status?: MerchantStatus;

  @ApiPropertyOptional({ description: 'Matches name, slug or email' }) @IsOptional() @IsString() @MaxLength(100)
  search?: string;
}

export class MerchantStatusChangeDto {
  @ApiPropertyOptional({ example: 'Missing company documents' }) @IsOptional() @IsString() @MaxLength(1000)
  reason?: string;
}

export class MerchantPageDto {
  @ApiProperty({ type: [MerchantDto] }) items: MerchantDto[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() per_page: number;
  @ApiProperty() has_next: boolean;
}
