export * from './redis';
export * from './redis.module';
export * from './store-version-counter';
