export * from './extracts.module';
