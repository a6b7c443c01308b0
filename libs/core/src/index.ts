export * from './config';
export * from './errors';
export * from './logging';
export * from './http';
export * from './security';
export * from './redis';
export * from './bootstrap';
export * from './money';
