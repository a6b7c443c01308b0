export * from './config.types';
export * from './config.variables';
export * from './load-config';
export * from './app-config.service';
export * from './app-config.module';
