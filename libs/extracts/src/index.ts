export * from './extracts.module';
export * from './extracts.service';
export * from './period';
export * from './csv';
export * from './extracts-cleanup';
