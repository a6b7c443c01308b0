import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { BullModule } from '@nestjs/bull';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfigService } from '@app/core';
import { FINANCE_DB } from '@app/database';
import { Metrics, MetricsModule } from '@app/metrics';
import { Task } from './entities/task.entity';
import { JobRegistry } from './job-registry';
import { JobRunner } from './job-runner';
import { JobsService } from './jobs.service';
import { QUEUES } from './jobs.constants';
import { MessageRunner } from './message-runner';
import { BullDriver } from './queue/bull.driver';
import { InProcessDriver } from './queue/in-process.driver';
import { QUEUE_DRIVER, QueueDriver } from './queue/queue-driver';
import { RedisTaskChangeBus } from './task-events/redis-task-change-bus';
import { InProcessTaskChangeBus, TASK_CHANGE_BUS } from './task-events/task-change-bus';
import { TaskEventStreams } from './task-events/task-event-streams';
import { TaskWatcher } from './task-events/task-watcher';
import { TaskLifecycle } from './task-lifecycle';
import { TasksController } from './tasks.controller';
import { TasksService } from './tasks.service';

export const RUN_PROCESSORS = Symbol('RUN_PROCESSORS');

@Injectable()
class ProcessorStarter implements OnApplicationBootstrap {
  constructor(
    @Inject(QUEUE_DRIVER) private readonly driver: QueueDriver,
    @Inject(RUN_PROCESSORS) private readonly runProcessors: boolean,
    private readonly config: AppConfigService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.runProcessors) await this.driver.startProcessing(this.config.get('worker').concurrency);
  }
}

/** The queue's depth in the metrics, read from whichever driver this process uses, at scrape time. */
@Injectable()
class QueueDepthReporter implements OnModuleInit {
  constructor(
    @Inject(QUEUE_DRIVER) private readonly driver: QueueDriver,
    private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    this.metrics.reportQueueDepth(() => this.driver.depth());
  }
}

/**
 * The job layer: Bull queues with Redis, the in-process driver without. Processors run where
 * `runProcessors` (the worker; the api in embedded mode or with WORKER_IN_API; never the CLI).
 * Task changes go out on Redis pub/sub with Redis (any api may stream any task), in process without.
 * Registered once per app, global for the feature libs.
 */
@Global()
@Module({})
export class JobsModule {
  static forRoot(config: AppConfigService, options: { runProcessors: boolean }): DynamicModule {
    const redis = config.get('redis');
    return {
      module: JobsModule,
      imports: [
        DiscoveryModule,
        MetricsModule,
        TypeOrmModule.forFeature([Task], FINANCE_DB),
        ...(redis
          ? [
              BullModule.forRoot({
                url: redis.url,
                prefix: `${redis.prefix}:bull`,
                settings: { lockDuration: 30_000, stalledInterval: 15_000, maxStalledCount: 5 },
              }),
              ...Object.values(QUEUES).map((name) => BullModule.registerQueue({ name })),
            ]
          : []),
      ],
      controllers: [TasksController],
      providers: [
        TasksService,
        TaskLifecycle,
        TaskWatcher,
        TaskEventStreams,
        JobRegistry,
        JobRunner,
        MessageRunner,
        JobsService,
        ProcessorStarter,
        QueueDepthReporter,
        { provide: RUN_PROCESSORS, useValue: options.runProcessors },
        redis ? BullDriver : InProcessDriver,
        { provide: QUEUE_DRIVER, useExisting: redis ? BullDriver : InProcessDriver },
        redis ? RedisTaskChangeBus : InProcessTaskChangeBus,
        { provide: TASK_CHANGE_BUS, useExisting: redis ? RedisTaskChangeBus : InProcessTaskChangeBus },
      ],
      exports: [JobsService, TasksService, TaskLifecycle, QUEUE_DRIVER, RUN_PROCESSORS],
    };
  }
}
