import { Injectable, Logger } from '@nestjs/common';
import { Jobs, OnJob, PayloadOf } from '@app/common';
import { RefundsService } from './refunds.service';
import { TransfersService } from './transfers.service';

/**
 * The worker's refund and payout jobs. All idempotent: a refund or transfer carries its own
 * idempotency key to the provider, and a settled one is skipped.
 */
@Injectable()
export class RefundJobsHandler {
  private readonly logger = new Logger(RefundJobsHandler.name);

  constructor(
    private readonly refunds: RefundsService,
    private readonly transfers: TransfersService,
  ) {}

  /** A pending refund: after a crash of the request that reserved it, a retryable failure, a late payment. */
  @OnJob(Jobs.RefundSend)
  async send(payload: PayloadOf<typeof Jobs.RefundSend>): Promise<{ status: string }> {
    const refund = await this.refunds.sendFromJob(payload.refund_id);
    return { status: refund.status };
  }

  /** A paid order was cancelled: refund it in full. */
  @OnJob(Jobs.RefundCancelledOrder)
  async refundCancelledOrder(payload: PayloadOf<typeof Jobs.RefundCancelledOrder>): Promise<{ refund_id: string | null; status: string | null }> {
    const refund = await this.refunds.refundCancelledOrder(payload.order_id, payload.merchant_id);
    return { refund_id: refund?.id ?? null, status: refund?.status ?? null };
  }

  /** A transfer whose holding delay ended (the job is delayed until then). */
  @OnJob(Jobs.TransferPay)
  async pay(payload: PayloadOf<typeof Jobs.TransferPay>): Promise<{ outcome: string }> {
    const { outcome } = await this.transfers.pay(payload.transfer_id, { throwRetryable: true });
    return { outcome };
  }

  /**
   * Repeatable safety net: refunds still pending after their jobs gave up, transfers due whose job
   * was lost or postponed (a refund was in flight), transfers stuck in processing.
   */
  @OnJob(Jobs.RefundsTransfersSweep)
  async sweep(payload: PayloadOf<typeof Jobs.RefundsTransfersSweep>): Promise<{ refunds: number; transfers: number }> {
    const limit = payload.limit ?? 100;
    let refunds = 0;
    let transfers = 0;
    for (const id of await this.refunds.stalePendingIds(limit)) {
      await this.refunds.sendFromJob(id).then(
        () => refunds++,
        (err: Error) => this.logger.warn({ refund_id: id, err: err.message }, 'Pending refund still not sent'),
      );
    }
    for (const id of await this.transfers.dueIds(limit)) {
      await this.transfers.pay(id).then(
        ({ outcome }) => (outcome === 'paid' ? transfers++ : undefined),
        (err: Error) => this.logger.warn({ transfer_id: id, err: err.message }, 'Due transfer not paid'),
      );
    }
    return { refunds, transfers };
  }
}
