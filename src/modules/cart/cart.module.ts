import { Module } from '@nestjs/common';
import { CartController } from './cart.controller';
import { CartService } from './cart.service';
import { GuestCartRepository, UserCartRepository } from './cart-stores';

/**
 * Shopping carts: guests' in Redis (X-Session-ID), users' in PostgreSQL, merged at sign-in. Exports
 * CartService for checkout (checkoutLines, clear); cartOwnerOf / @CurrentCartOwner() build the
 * CartOwner from a request.
 */
@Module({
  controllers: [CartController],
  providers: [CartService, GuestCartRepository, UserCartRepository],
  exports: [CartService],
})
export class CartModule {}
