export * from './outbox-event.entity';
export * from './outbox.service';
export * from './outbox-relay.service';
export * from './outbox-prune.handler';
export * from './processed-event.entity';
