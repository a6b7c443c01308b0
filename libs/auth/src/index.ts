export * from './auth.module';
export * from './access';
