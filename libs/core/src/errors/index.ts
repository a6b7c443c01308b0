export * from './domain-errors';
export * from './http-error.filter';
export * from './dependency-errors';
