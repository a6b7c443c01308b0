export * from './configure-http';
export * from './validation';
export * from './request-id.middleware';
export * from './api-errors.decorator';
export * from './validators';
