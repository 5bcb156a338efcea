import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Matches } from 'class-validator';
import { CONNECTED_ACCOUNT_ID, PERCENTAGE } from '../merchant-payouts';

const numberToString = ({ value }: { value: unknown }) => (typeof value === 'number' && Number.isFinite(value) ? String(value) : value);

export class UpdateMerchantPayoutsDto {
  @ApiPropertyOptional({ nullable: true, example: 'acct_1PbXyZ2eZvKYlo2C', description: 'The store\'s connected Stripe account; null disconnects it (sales are then kept by the platform, no transfers)' })
  @IsOptional() @IsString() @Matches(CONNECTED_ACCOUNT_ID, { message: 'connected_account_id must be a Stripe account id (acct_…)' })
  connected_account_id?: string | null;
}

export class AdminUpdateMerchantPayoutsDto extends UpdateMerchantPayoutsDto {
  @ApiPropertyOptional({
    nullable: true,
    oneOf: [{ type: 'string', example: '12.50' }, { type: 'number', example: 12.5 }],
    description: 'The store\'s platform fee in percent (0–100, two decimals); null = the default (PLATFORM_FEE_PERCENTAGE)',
  })
  @IsOptional() @Transform(numberToString) @IsString({ message: 'platform_fee_percentage must be a number or a decimal string' })
  @Matches(PERCENTAGE, { message: 'platform_fee_percentage must be 0–100 with at most two decimals' })
  platform_fee_percentage?: string | null;
}

export class MerchantPayoutsDto {
  @ApiProperty({ format: 'uuid' }) merchant_id: string;
  @ApiProperty({ nullable: true, example: 'acct_1PbXyZ2eZvKYlo2C' }) connected_account_id: string | null;
  @ApiProperty({ description: 'True when sales are transferred to the connected account' }) payouts_enabled: boolean;
  @ApiProperty({ example: '10.00', description: 'The fee that applies: the store\'s own, else the default' }) platform_fee_percentage: string;
  @ApiProperty({ nullable: true, example: null, description: 'The store\'s own fee, set by an admin' }) platform_fee_percentage_override: string | null;
  @ApiProperty({ example: '10.00' }) default_platform_fee_percentage: string;
  @ApiProperty({ example: 7, description: 'Days a paid order\'s money is held before its transfer' }) transfer_delay_days: number;
}
