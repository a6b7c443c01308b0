export * from './boot';
export * from './heartbeat';
