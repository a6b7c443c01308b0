export * from './roles';
export * from './decorators';
export * from './access.guard';
