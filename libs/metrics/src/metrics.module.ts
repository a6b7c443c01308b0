import { Module } from '@nestjs/common';
import { Metrics } from './metrics';

/**
 * The catalogue of series, one per app: a feature lib imports this module to record (Nest makes one
 * instance however many import it). Serving them is MetricsExporterModule's, which only the api and
 * the worker compose; the CLI records into a registry nobody reads.
 */
@Module({ providers: [Metrics], exports: [Metrics] })
export class MetricsModule {}
