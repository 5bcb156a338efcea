import { Controller, Headers, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConsumes, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '@app/common';
import { WebhookAckDto } from './dto/payments.dto';
import { PaymentEventsService } from './payment-events.service';
import { PAYMENT_PROVIDER, PaymentProvider } from './providers/payment-provider';

type RawBodyRequest = FastifyRequest & { rawBody?: Buffer };

/**
 * Stripe's webhook endpoint, at the contract's `/api/webhooks/stripe` and at `/webhooks/stripe`
 * (both served as they are, see UNPREFIXED_PATHS). The signature is checked over the exact bytes
 * received (registerRawWebhookBodies keeps them, unparsed) before anything reads them: a
 * tampered, unsigned or stale body is a 400 and leaves no trace. A verified event is stored
 * under its unique id with its job, and the answer is immediate; the worker applies it.
 */
@ApiTags('payments')
@Controller()
@Public()
export class WebhooksController {
  constructor(
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
    private readonly events: PaymentEventsService,
  ) {}

  @Post('api/webhooks/stripe')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stripe webhook: signature verified on the raw body, stored once, applied by the worker' })
  @ApiConsumes('application/json')
  @ApiHeader({ name: 'Stripe-Signature', required: true, description: 'Stripe\'s `t=…,v1=…` signature of the raw body' })
  @ApiOkResponse({ type: WebhookAckDto, description: 'Stored (or already stored: `duplicate: true`)' })
  @ApiBadRequestResponse({ description: 'Missing, wrong or too old signature, or not a Stripe event; nothing was stored' })
  receive(@Req() request: RawBodyRequest, @Headers('stripe-signature') signature?: string): Promise<WebhookAckDto> {
    return this.accept(request, signature);
  }

  @Post('webhooks/stripe')
  @HttpCode(200)
  @ApiOperation({ summary: 'The same endpoint outside /api (seed 000\'s path)' })
  @ApiConsumes('application/json')
  @ApiHeader({ name: 'Stripe-Signature', required: true })
  @ApiOkResponse({ type: WebhookAckDto })
  @ApiBadRequestResponse({ description: 'Missing, wrong or too old signature, or not a Stripe event; nothing was stored' })
  receiveUnprefixed(@Req() request: RawBodyRequest, @Headers('stripe-signature') signature?: string): Promise<WebhookAckDto> {
    return this.accept(request, signature);
  }

  private async accept(request: RawBodyRequest, signature: string | undefined): Promise<WebhookAckDto> {
    // No body at all is simply an unsigned one: verification refuses it like any other.
    const event = this.provider.verifyWebhook(request.rawBody ?? Buffer.alloc(0), signature);
    const { duplicate } = await this.events.record(event, 'webhook');
    return duplicate ? { received: true, duplicate: true } : { received: true };
  }
}
