export * from './base.entity';
export * from './snake-naming.strategy';
export * from './create-database';
export * from './data-source-options';
export * from './bulk-write';
export * from './after-commit';
export * from './prepared-query';
export * from './pipelined-transaction';
