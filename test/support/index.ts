export * from './test-app';
export * from './databases';
export * from './services';
export * from './factories';
export * from './money';
export * from './processes';
export * from './concurrency';
export * from './sse';
