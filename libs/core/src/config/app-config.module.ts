import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfigService } from './app-config.service';

/** Makes the already-validated config injectable everywhere. main.ts and tests build it first. */
@Global()
@Module({})
export class AppConfigModule {
  static forRoot(config: AppConfigService): DynamicModule {
    return {
      module: AppConfigModule,
      providers: [{ provide: AppConfigService, useValue: config }],
      exports: [AppConfigService],
    };
  }
}
