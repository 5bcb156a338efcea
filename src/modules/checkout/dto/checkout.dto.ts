import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsEmail,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

export const MAX_CHECKOUT_LINES = 100;
export const MAX_LINE_QUANTITY = 1000;

const upper = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toUpperCase() : value);
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const URL_OPTIONS = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };

export class CheckoutLineDto {
  @ApiProperty()
  @IsUUID()
  product_id: string;

  @ApiPropertyOptional({ description: "Defaults to the product's default (or only) variant" })
  @IsOptional() @IsUUID()
  variant_id?: string;

  @ApiProperty({ minimum: 1, maximum: MAX_LINE_QUANTITY })
  @IsInt() @Min(1) @Max(MAX_LINE_QUANTITY)
  quantity: number;
}

export class AddressDto {
  @ApiProperty({ example: '1 Market St' }) @Transform(trim) @IsString() @Length(1, 200) line_1: string;
  @ApiPropertyOptional() @IsOptional() @Transform(trim) @IsString() @Length(0, 200) line_2?: string;
  @ApiProperty({ example: 'San Francisco' }) @Transform(trim) @IsString() @Length(1, 100) city: string;
  @ApiPropertyOptional({ example: 'CA' }) @IsOptional() @Transform(trim) @IsString() @Length(0, 100) state?: string;
  @ApiProperty({ example: '94105' }) @Transform(trim) @IsString() @Length(1, 20) postal_code: string;
  @ApiProperty({ example: 'US', description: 'ISO 3166-1 alpha-2' }) @Transform(upper) @Matches(/^[A-Z]{2}$/, { message: 'country_alpha2 must be two letters (ISO 3166-1 alpha-2)' }) country_alpha2: string;
  @ApiProperty({ example: 'Ada Lovelace' }) @Transform(trim) @IsString() @Length(1, 200) contact_name: string;
  @ApiPropertyOptional() @IsOptional() @Transform(trim) @IsString() @Length(3, 40) contact_phone?: string;
  @ApiPropertyOptional() @IsOptional() @IsEmail() @Length(3, 320) contact_email?: string;
}

export class CheckoutDto {
  @ApiProperty({ description: 'The store' })
  @IsUUID()
  merchant_id: string;

  @ApiPropertyOptional({ type: [CheckoutLineDto], description: 'The lines to buy; without them, the session cart (X-Session-ID or the signed-in user)' })
  @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(MAX_CHECKOUT_LINES) @ValidateNested({ each: true }) @Type(() => CheckoutLineDto)
  items?: CheckoutLineDto[];

  @ApiProperty({ example: 'ada@example.com' })
  @Transform(trim) @IsEmail() @Length(3, 320)
  email: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  @Transform(trim) @IsString() @Length(1, 200)
  name: string;

  @ApiProperty({ type: AddressDto })
  @IsObject() @ValidateNested() @Type(() => AddressDto)
  shipping_address: AddressDto;

  @ApiPropertyOptional({ description: 'A rate from the shipping calculator; the flat rate when absent' })
  @IsOptional() @IsString() @Length(1, 100)
  shipping_rate_id?: string;

  @ApiPropertyOptional({ example: 'USD', description: "One of the store's supported currencies; its default when absent" })
  @IsOptional() @Transform(upper) @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code' })
  currency?: string;

  @ApiProperty({ example: 'https://shop.example.com/thanks?order={ORDER_ID}' })
  @IsUrl(URL_OPTIONS) @Length(1, 500)
  success_url: string;

  @ApiProperty({ example: 'https://shop.example.com/cart' })
  @IsUrl(URL_OPTIONS) @Length(1, 500)
  cancel_url: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) utm_source?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) utm_medium?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) utm_campaign?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) utm_term?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) utm_content?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) gclid?: string;
}

export class CheckoutResultDto {
  @ApiProperty() order_id: string;
  @ApiProperty({ example: 'ORD-20240115-0001' }) order_number: string;
  @ApiProperty({ example: 'pending' }) status: string;
  @ApiProperty({ nullable: true, description: 'Where to send the buyer to pay' }) checkout_url: string | null;
  @ApiPropertyOptional({ nullable: true, description: 'For custom payment forms (Stripe PaymentIntents)' }) payment_intent_client_secret?: string | null;
  @ApiProperty({ description: 'Unpaid by then: the order is cancelled and the stock released' }) expires_at: string;
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty({ example: '59.98' }) subtotal: string;
  @ApiProperty({ example: '5.00' }) shipping_fee: string;
  @ApiProperty({ example: '0.00' }) tax_amount: string;
  @ApiProperty({ example: '64.98' }) amount_total: string;
  @ApiProperty({ nullable: true }) payment_provider: string | null;
}

// --- settings -------------------------------------------------------------------------------

export class CurrencyAmountDto {
  @ApiProperty({ example: 'USD' }) @Transform(upper) @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code' }) currency: string;
  @ApiProperty({ example: '5.00', oneOf: [{ type: 'string' }, { type: 'number' }] }) @IsDefined() amount: string | number;
}

export class TaxRateDto {
  @ApiProperty({ example: 'DE' }) @Transform(upper) @Matches(/^[A-Z]{2}$/, { message: 'country_code must be ISO 3166-1 alpha-2' }) country_code: string;
  @ApiProperty({ example: '19.00', description: 'Percent, up to two decimals' }) @Matches(/^\d{1,2}(\.\d{1,2})?$|^100(\.0{1,2})?$/, { message: 'rate must be a percentage from 0 to 100 with up to two decimals' }) @Transform(({ value }) => (typeof value === 'number' ? String(value) : value)) rate: string;
}

export class UpdateCheckoutSettingsDto {
  @ApiPropertyOptional({ type: [CurrencyAmountDto], description: 'Flat shipping fee per currency (a currency not listed ships free)' })
  @IsOptional() @IsArray() @ArrayMaxSize(50) @ValidateNested({ each: true }) @Type(() => CurrencyAmountDto)
  flat_shipping_rates?: CurrencyAmountDto[];

  @ApiPropertyOptional({ type: [CurrencyAmountDto], description: 'Orders with at least this subtotal ship free' })
  @IsOptional() @IsArray() @ArrayMaxSize(50) @ValidateNested({ each: true }) @Type(() => CurrencyAmountDto)
  free_shipping_thresholds?: CurrencyAmountDto[];

  @ApiPropertyOptional({ description: 'Prices already include tax (tax is extracted, not added)' })
  @IsOptional() @IsBoolean()
  prices_include_tax?: boolean;

  @ApiPropertyOptional({ example: '0.00', description: 'Percent, for countries without their own rate' })
  @IsOptional() @Transform(({ value }) => (typeof value === 'number' ? String(value) : value)) @Matches(/^\d{1,2}(\.\d{1,2})?$|^100(\.0{1,2})?$/, { message: 'default_tax_rate must be a percentage from 0 to 100 with up to two decimals' })
  default_tax_rate?: string;

  @ApiPropertyOptional({ type: [TaxRateDto] })
  @IsOptional() @IsArray() @ArrayMaxSize(250) @ValidateNested({ each: true }) @Type(() => TaxRateDto)
  tax_rates?: TaxRateDto[];

  @ApiPropertyOptional({ description: 'Tax the shipping fee too' })
  @IsOptional() @IsBoolean()
  tax_shipping?: boolean;
}

export class CheckoutSettingsDto {
  @ApiProperty() merchant_id: string;
  @ApiProperty({ type: [CurrencyAmountDto] }) flat_shipping_rates: { currency: string; amount: string }[];
  @ApiProperty({ type: [CurrencyAmountDto] }) free_shipping_thresholds: { currency: string; amount: string }[];
  @ApiProperty() prices_include_tax: boolean;
  @ApiProperty({ example: '0.00' }) default_tax_rate: string;
  @ApiProperty({ type: [TaxRateDto] }) tax_rates: { country_code: string; rate: string }[];
  @ApiProperty() tax_shipping: boolean;
}

