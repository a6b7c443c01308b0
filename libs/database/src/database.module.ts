import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfigService } from '@app/core';
import type { DataSourceOptions } from 'typeorm';
import { DataSourceName, FINANCE_DB, SETTLEMENT_DB } from './database.constants';
import { dataSourceOptions } from './data-source-options';
import { openDataSource } from './open-data-source';

const open = (options?: DataSourceOptions) => openDataSource(options as DataSourceOptions & { name: DataSourceName });

/** Opens both data sources and, unless RUN_MIGRATIONS=false, migrates them before the app serves. */
@Module({})
export class DatabaseModule {
  static forRoot(): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          name: FINANCE_DB,
          inject: [AppConfigService],
          useFactory: async (config: AppConfigService) => ({
            ...(await dataSourceOptions(FINANCE_DB, config.get('finance'), config.get('migrateOnStart'))),
            autoLoadEntities: true,
            retryAttempts: 3,
            retryDelay: 1000,
          }),
          dataSourceFactory: open,
        }),
        TypeOrmModule.forRootAsync({
          name: SETTLEMENT_DB,
          inject: [AppConfigService],
          useFactory: async (config: AppConfigService) => ({
            ...(await dataSourceOptions(SETTLEMENT_DB, config.get('settlement'), config.get('migrateOnStart'))),
            autoLoadEntities: true,
            retryAttempts: 3,
            retryDelay: 1000,
          }),
          dataSourceFactory: open,
        }),
      ],
    };
  }
}
