import { SetMetadata } from '@nestjs/common';
import type { JobDefinition } from './jobs';

export const ON_JOB = Symbol('ON_JOB');

/**
 * Marks a provider method as the handler of a job. The handler receives the payload and the BullMQ
 * job; it must be idempotent, because a job can run more than once (retries, re-relayed outbox rows).
 */
export const OnJob = (definition: JobDefinition): MethodDecorator => SetMetadata(ON_JOB, definition);
