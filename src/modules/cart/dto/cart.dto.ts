import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { MAX_CART_LINES, MAX_LINE_QUANTITY } from '../cart-lines';

// --- requests -------------------------------------------------------------------------------

export class AddCartItemDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  product_id: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Required when the product has several variants; defaults to its default (or only) variant' })
  @IsOptional() @IsUUID()
  variant_id?: string;

  @ApiProperty({ example: 2, minimum: 1, maximum: MAX_LINE_QUANTITY, description: `Added to what the cart already holds of the variant; the sum is checked against the stock and ${MAX_LINE_QUANTITY}` })
  @IsInt() @Min(1) @Max(MAX_LINE_QUANTITY)
  quantity: number;

  @ApiPropertyOptional({ format: 'uuid', description: 'The store the client expects the product to belong to; another store\'s product is then a 404' })
  @IsOptional() @IsUUID()
  merchant_id?: string;
}

export class UpdateCartItemDto {
  @ApiProperty({ example: 3, minimum: 0, maximum: MAX_LINE_QUANTITY, description: 'The new quantity; 0 removes the line. Raising it is checked against the stock' })
  @IsInt() @Min(0) @Max(MAX_LINE_QUANTITY)
  quantity: number;
}

// --- responses ------------------------------------------------------------------------------

export const CART_ITEM_PROBLEMS = ['product_unavailable', 'store_unavailable', 'price_unavailable', 'out_of_stock', 'insufficient_stock'] as const;
export type CartItemProblem = (typeof CART_ITEM_PROBLEMS)[number];

export class CartItemDto {
  @ApiProperty() product_id: string;
  @ApiProperty() variant_id: string;
  @ApiProperty({ nullable: true, description: 'Null only when the product no longer exists at all' }) product_name: string | null;
  @ApiProperty({ nullable: true, example: 'M / Red', description: 'The variant\'s attribute values; null for a product without variants' }) variant_title: string | null;
  @ApiProperty({ nullable: true }) sku: string | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) variant_attributes: Record<string, string>;
  @ApiProperty({ nullable: true }) image_url: string | null;
  @ApiProperty() quantity: number;
  @ApiProperty({ nullable: true, example: '29.99', description: 'Current catalog price in the cart\'s currency, read on every request; null when the product has none in it' }) unit_price: string | null;
  @ApiProperty({ nullable: true, example: '59.98' }) total: string | null;
  @ApiProperty({ nullable: true, description: 'Units that can be bought now (on_hand − reserved); null when unlimited (not tracked, or backorders allowed)' }) available_quantity: number | null;
  @ApiProperty({ description: 'Listed and at least one unit available' }) in_stock: boolean;
  @ApiProperty({ description: 'Listed, priced, and the whole quantity available: checkout can take this line as it is' }) purchasable: boolean;
  @ApiProperty({ nullable: true, enum: CART_ITEM_PROBLEMS, description: 'Why the line is not purchasable' }) unavailable_reason: CartItemProblem | null;
}

export class CartWarningDto {
  @ApiProperty({ example: 'insufficient_stock', description: `A line problem (${CART_ITEM_PROBLEMS.join(', ')}) or a sign-in merge note (merge_quantity_reduced, merge_item_dropped, merge_other_store_discarded)` })
  code: string;
  @ApiProperty() message: string;
  @ApiPropertyOptional() product_id?: string;
  @ApiPropertyOptional() variant_id?: string;
  @ApiPropertyOptional() merchant_id?: string;
}

export class CartDto {
  @ApiPropertyOptional({ description: 'Signed-in users\' carts only' }) id?: string;
  @ApiProperty({ nullable: true, description: 'The store of every item; null while the cart is empty' }) merchant_id: string | null;
  @ApiProperty({ nullable: true, example: 'USD' }) currency: string | null;
  @ApiProperty({ type: [CartItemDto], description: `In the order they were added; at most ${MAX_CART_LINES}` }) items: CartItemDto[];
  @ApiProperty({ description: 'Units over all items' }) item_count: number;
  @ApiProperty({ description: 'Number of items (lines)' }) line_count: number;
  @ApiProperty({ example: '59.98', description: 'What the purchasable items cost now ("0" for an empty cart)' }) subtotal: string;
  @ApiProperty({ description: 'Not empty, and every item purchasable' }) purchasable: boolean;
  @ApiPropertyOptional({ type: [CartWarningDto], description: 'Present when there is something to tell: items that cannot be bought as they are, what a sign-in merge changed' })
  warnings?: CartWarningDto[];
}
