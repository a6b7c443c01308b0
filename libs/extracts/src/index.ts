export * from './extracts.module';
export * from './extracts.service';
export { ExtractsProcessor } from './extracts.processor';
export * from './period';
export * from './csv';
export * from './extracts-cleanup';
