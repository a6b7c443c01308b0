export * from './domain-errors';
export * from './http-error.filter';
