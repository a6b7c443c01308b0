export * from './metrics';
export * from './metrics.module';
export * from './metrics-exporter.module';
export { UNMATCHED_ROUTE } from './http-metrics.hook';
