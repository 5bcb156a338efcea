export * from './merchant-scoped.repository';
