import { Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type { Server } from 'node:http';
import { collectDefaultMetrics } from 'prom-client';
import { AppConfigService } from '@app/core';
import { observeGarbageCollection } from './gc-metrics';
import { registerHttpMetrics } from './http-metrics.hook';
import { Metrics } from './metrics';
import { MetricsModule } from './metrics.module';
import { startMetricsServer, stopMetricsServer } from './metrics-server';

/**
 * Serves the catalogue on METRICS_PORT (0: nothing at all, not even the request hook): the request
 * hook on the app's HTTP server when there is one, the process defaults (event-loop lag, heap, GC,
 * CPU, memory, handles), and the listener.
 */
@Injectable()
export class MetricsExporter implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private readonly port: number;
  private server?: Server;
  private stopGcObserver?: () => void;

  constructor(
    private readonly metrics: Metrics,
    config: AppConfigService,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
  ) {
    this.port = config.get('metrics').port;
  }

  /** During init, before Fastify is ready, so the hook sees every route (the worker has no HTTP server). */
  onModuleInit(): void {
    if (this.port === 0) return;
    const fastify = this.adapterHost?.httpAdapter?.getInstance<FastifyInstance>();
    if (fastify) registerHttpMetrics(fastify, this.metrics.httpRequests);
  }

  /** A port already taken stops the boot, as PORT would: a replica that cannot be scraped is not silently unseen. */
  async onApplicationBootstrap(): Promise<void> {
    if (this.port === 0) return;
    collectDefaultMetrics({ register: this.metrics.registry });
    this.stopGcObserver = observeGarbageCollection(this.metrics.registry);
    this.server = await startMetricsServer(this.metrics.registry, this.port);
    this.logger.log(`Prometheus metrics at http://0.0.0.0:${this.port}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopGcObserver?.();
    if (this.server) await stopMetricsServer(this.server);
  }
}

@Module({ imports: [MetricsModule], providers: [MetricsExporter] })
export class MetricsExporterModule {}
