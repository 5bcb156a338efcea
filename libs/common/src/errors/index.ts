export * from './app-exception';
export * from './to-error-response';
export * from './error-envelope.filter';
export * from './validation';
