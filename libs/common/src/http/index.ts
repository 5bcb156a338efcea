export * from './pagination';
export * from './rate-limit';
export * from './request-id';
export * from './openapi';
export * from './redis-throttler.storage';
export * from './conditional';
export * from './html-page';
