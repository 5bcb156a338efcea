import { Controller, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { APP_CONFIG, AppConfig, Auth, CurrentPrincipal, ForbiddenError, merchantScopeOf, NotFoundError, Principal, Public } from '@app/common';
import { PaymentStatusDto, PaymentStatusQueryDto } from './dto/payments.dto';
import { PaymentEventsService } from './payment-events.service';
import { PaymentsService } from './payments.service';
import { renderTestCheckoutPage } from './providers/test-checkout-page';
import { TestPaymentProvider } from './providers/test.provider';

const TEST_CHECKOUT_BASE = '/api/payments/test-checkout';

/** Only http(s) return URLs are followed; anything else goes back to the checkout page, which shows the outcome. */
const safeRedirect = (url: string, fallback: string) => (/^https?:\/\//i.test(url) ? url : fallback);

const originOf = (url: string): string | null => {
  try {
    return /^https?:\/\//i.test(url) ? new URL(url).origin : null;
  } catch {
    return null;
  }
};

/**
 * The page's own CSP. Browsers apply `form-action` to where a form submission is redirected too,
 * so the app-wide `form-action 'self'` would stop Pay's redirect to the shop: the shop's return
 * URLs' origins are allowed here, and nothing else (no script, no frames).
 */
function checkoutPageCsp(returnUrls: string[]): string {
  const origins = [...new Set(returnUrls.map(originOf).filter((o): o is string => o !== null))];
  return [`default-src 'none'`, `style-src 'unsafe-inline'`, `form-action 'self' ${origins.join(' ')}`.trim(), `frame-ancestors 'none'`, `base-uri 'none'`].join('; ');
}

@ApiTags('payments')
@Controller('payments')
export class PaymentsController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly payments: PaymentsService,
    private readonly events: PaymentEventsService,
    private readonly testProvider: TestPaymentProvider,
  ) {}

  @Get('status/:order_id')
  @Auth('merchant', 'admin', 'customer')
  @ApiOperation({ summary: 'How the payment of an order stands: its merchant (or an admin), or the customer who placed it' })
  @ApiOkResponse({ type: PaymentStatusDto })
  @ApiNotFoundResponse({ description: 'No such order, or not one the caller may see' })
  status(@CurrentPrincipal() p: Principal, @Param('order_id') orderId: string, @Query() query: PaymentStatusQueryDto): Promise<PaymentStatusDto> {
    if (p.role === 'customer') {
      if (!p.userId) throw new ForbiddenError('Orders belong to a local user account');
      return this.payments.status({ customerUserId: p.userId }, orderId);
    }
    return this.payments.status({ merchantId: merchantScopeOf(p, query.merchant_id) }, orderId);
  }

  // --- the test provider's checkout page (PAYMENT_PROVIDER=test only) ---------------------------

  @Get('test-checkout/:session_id')
  @Public()
  @ApiOperation({ summary: 'Test provider: the checkout page of a session, with Pay and Fail buttons (404 unless the test provider is active)' })
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'An HTML page' })
  @ApiNotFoundResponse({ description: 'Unknown session, or the test provider is not the active one' })
  async page(@Param('session_id') sessionId: string, @Res() reply: FastifyReply): Promise<void> {
    this.assertTestProvider();
    const checkout = await this.testProvider.getCheckout(sessionId);
    void reply
      .status(200)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-security-policy', checkoutPageCsp([checkout.successUrl, checkout.cancelUrl]))
      .send(renderTestCheckoutPage(checkout, TEST_CHECKOUT_BASE));
  }

  @Post('test-checkout/:session_id/pay')
  @Public()
  @HttpCode(303)
  @ApiOperation({ summary: 'Test provider: pay the session (as Stripe\'s checkout.session.completed would), then go to the success URL' })
  @ApiResponse({ status: 303, description: 'To the order\'s success URL; the payment is applied by the worker like a webhook' })
  @ApiNotFoundResponse({ description: 'Unknown session, or the test provider is not the active one' })
  @ApiConflictResponse({ description: 'The session already failed or expired' })
  pay(@Param('session_id') sessionId: string, @Res() reply: FastifyReply): Promise<void> {
    return this.settle(sessionId, 'pay', reply);
  }

  @Post('test-checkout/:session_id/fail')
  @Public()
  @HttpCode(303)
  @ApiOperation({ summary: 'Test provider: decline the payment (payment_intent.payment_failed), then go to the cancel URL' })
  @ApiResponse({ status: 303, description: 'To the order\'s cancel URL' })
  @ApiNotFoundResponse({ description: 'Unknown session, or the test provider is not the active one' })
  @ApiConflictResponse({ description: 'The session was already paid or expired' })
  fail(@Param('session_id') sessionId: string, @Res() reply: FastifyReply): Promise<void> {
    return this.settle(sessionId, 'fail', reply);
  }

  /**
   * The buttons produce the event Stripe's webhook would carry and hand it to the same store-and-
   * process path (event row + job). Clicking twice yields the same event id: stored once.
   */
  private async settle(sessionId: string, action: 'pay' | 'fail', reply: FastifyReply): Promise<void> {
    this.assertTestProvider();
    const event = action === 'pay' ? await this.testProvider.complete(sessionId) : await this.testProvider.fail(sessionId);
    await this.events.record(event, 'test_checkout', 'test');
    const checkout = await this.testProvider.getCheckout(sessionId);
    const page = `${TEST_CHECKOUT_BASE}/${encodeURIComponent(checkout.sessionId)}`;
    void reply.header('cache-control', 'no-store').redirect(safeRedirect(action === 'pay' ? checkout.successUrl : checkout.cancelUrl, page), 303);
  }

  private assertTestProvider(): void {
    if (this.config.payments.provider !== 'test') throw new NotFoundError('Test checkout');
  }
}
