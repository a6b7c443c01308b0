export * from './configure-http';
export * from './validation';
export * from './request-id.hook';
export * from './api-errors.decorator';
export * from './validators';
export * from './text-input';
export * from './graceful-shutdown';
export * from './sse-stream';
