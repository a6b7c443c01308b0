export * from './app-logger';
export * from './request-context';
export * from './scrub';
export * from './pretty';
