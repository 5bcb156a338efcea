export * from './queues';
export * from './bullmq';
export * from './jobs';
export * from './on-job.decorator';
export * from './job-handlers';
export * from './queue-registry.service';
export * from './job-runner.service';
