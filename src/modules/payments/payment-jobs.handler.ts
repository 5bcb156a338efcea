import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { Jobs, OnJob, PayloadOf, unrecoverableJobError } from '@app/common';
import { PaymentEventRejectedError, PaymentEventsService, ProcessResult } from './payment-events.service';
import { PaymentVerificationService, VerificationResult } from './payment-verification.service';

const isFinalAttempt = (job: Job) => job.attemptsMade + 1 >= (job.opts.attempts ?? 1);

/**
 * The payments module's worker jobs: applying stored provider events, and payment verification
 * (the delayed per-order check and the repeatable sweep the worker schedules).
 */
@Injectable()
export class PaymentJobsHandler {
  private readonly logger = new Logger(PaymentJobsHandler.name);

  constructor(
    private readonly events: PaymentEventsService,
    private readonly verification: PaymentVerificationService,
  ) {}

  /**
   * One stored event. The job id is the outbox row's, so a redelivery of the same webhook never
   * gets here twice; the event row's status is what makes a repeated job a no-op. An event whose
   * order is not committed yet throws, and BullMQ retries it with backoff.
   */
  @OnJob(Jobs.PaymentEvent)
  async event(payload: PayloadOf<typeof Jobs.PaymentEvent>, job: Job): Promise<ProcessResult> {
    try {
      const result = await this.events.process(payload.event_id, { finalAttempt: isFinalAttempt(job) });
      if (!result.alreadyDone) this.logger.log({ event_id: payload.event_id, status: result.status, outcome: result.outcome }, 'Payment event applied');
      return result;
    } catch (err) {
      if (err instanceof PaymentEventRejectedError) throw unrecoverableJobError(err.message);
      throw err;
    }
  }

  /** After checkout, and again with backoff while the order waits (see PaymentVerificationService). */
  @OnJob(Jobs.PaymentVerify)
  verify(payload: PayloadOf<typeof Jobs.PaymentVerify>): Promise<VerificationResult> {
    return this.verification.verify(payload, { reschedule: true });
  }

  /** Repeatable (every PAYMENT_VERIFY_SWEEP_SECONDS, scheduled by the worker). */
  @OnJob(Jobs.PaymentVerifySweep)
  async sweep(payload: PayloadOf<typeof Jobs.PaymentVerifySweep>): Promise<{ checked: number; failed: number }> {
    const result = await this.verification.sweep(payload?.limit ?? 100);
    if (result.checked || result.failed) this.logger.log(result, 'Swept unverified payments');
    return result;
  }
}
