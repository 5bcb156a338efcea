export * from './worker-heartbeat';
