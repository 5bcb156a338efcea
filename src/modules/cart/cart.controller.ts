import { applyDecorators, Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { Public } from '@app/common';
import { MAX_CART_LINES, MAX_LINE_QUANTITY } from './cart-lines';
import { CartOwner, CurrentCartOwner } from './cart-owner';
import { CartService } from './cart.service';
import { AddCartItemDto, CartDto, UpdateCartItemDto } from './dto/cart.dto';

/** Every cart route: whose cart it is, and the 400 when that cannot be told. */
const CartRoute = (summary: string) =>
  applyDecorators(
    ApiOperation({
      summary,
      description:
        'Public. The cart of the signed-in user when a valid `Authorization: Bearer <JWT>` is sent (kept across sessions), ' +
        'otherwise the guest cart of the `X-Session-ID` header (expires CART_TTL_SECONDS after its last change). ' +
        'With both, the guest cart is first merged into the user\'s (see `warnings`). Prices and availability are read anew on every request.',
    }),
    ApiHeader({ name: 'X-Session-ID', required: false, description: 'Guest cart key: 16 to 128 characters of A-Z, a-z, 0-9, "_" and "-"' }),
    ApiOkResponse({ type: CartDto }),
    ApiBadRequestResponse({ description: 'ERR_CART_SESSION_REQUIRED: no X-Session-ID and no signed-in user; ERR_CART_SESSION_INVALID: malformed X-Session-ID' }),
  );

/** The shopping cart (contract: Cart and checkout). Checkout itself lives in the orders module. */
@ApiTags('cart')
@Controller('cart')
@Public()
export class CartController {
  constructor(private readonly cart: CartService) {}

  @Get()
  @CartRoute('The cart with current prices and availability; items that cannot be bought as they are are flagged, never dropped')
  view(@CurrentCartOwner() owner: CartOwner): Promise<CartDto> {
    return this.cart.view(owner);
  }

  @Post('items')
  @HttpCode(200)
  @CartRoute('Add a product (variant_id required when it has several variants); the same variant again sums the quantities')
  @ApiNotFoundResponse({ description: 'Unknown product or variant, or one the storefront does not show (deleted, unpublished, inactive store or variant, another store than merchant_id)' })
  @ApiConflictResponse({
    description: 'ERR_CART_MERCHANT_MISMATCH: the cart holds another store\'s products; ERR_OUT_OF_STOCK: more than available in total; ERR_CART_CURRENCY_MISMATCH: no price in the cart\'s currency',
  })
  @ApiUnprocessableEntityResponse({ description: `ERR_VALIDATION (incl. variant_id missing for a product with several variants); ERR_CART_LINE_LIMIT: more than ${MAX_LINE_QUANTITY} units of a variant; ERR_CART_FULL: more than ${MAX_CART_LINES} items` })
  add(@CurrentCartOwner() owner: CartOwner, @Body() body: AddCartItemDto): Promise<CartDto> {
    return this.cart.addItem(owner, { productId: body.product_id, variantId: body.variant_id, quantity: body.quantity, merchantId: body.merchant_id });
  }

  @Patch('items/:id')
  @CartRoute('Set an item\'s quantity (0 removes it); :id is its variant id, or its product id when the product has one item in the cart')
  @ApiNotFoundResponse({ description: 'No such item in this cart' })
  @ApiConflictResponse({ description: 'ERR_OUT_OF_STOCK: more than available; ERR_CART_ITEMS_UNAVAILABLE: raising an item that can no longer be bought' })
  @ApiUnprocessableEntityResponse({ description: 'ERR_VALIDATION, also when a product id names several items; ERR_CART_LINE_LIMIT' })
  update(@CurrentCartOwner() owner: CartOwner, @Param('id') id: string, @Body() body: UpdateCartItemDto): Promise<CartDto> {
    return this.cart.setQuantity(owner, id, body.quantity);
  }

  @Delete('items/:id')
  @CartRoute('Remove an item: :id is its variant id, or a product id (all of that product\'s items)')
  @ApiNotFoundResponse({ description: 'No such item in this cart' })
  remove(@CurrentCartOwner() owner: CartOwner, @Param('id') id: string): Promise<CartDto> {
    return this.cart.removeItem(owner, id);
  }

  @Delete()
  @CartRoute('Empty the cart; answers the empty cart')
  clear(@CurrentCartOwner() owner: CartOwner): Promise<CartDto> {
    return this.cart.empty(owner);
  }
}
