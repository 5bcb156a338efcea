export * from './principal';
export * from './decorators';
export * from './merchant-scope';
