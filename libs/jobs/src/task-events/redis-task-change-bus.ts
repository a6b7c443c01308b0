import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfigService, REDIS } from '@app/core';
import { TaskChange, TaskChangeBus } from './task-change-bus';

/**
 * Task change notices over Redis pub/sub, on one channel per deployment (REDIS_PREFIX): a notice is
 * a task id, a few a second per running job, so one channel every api reads costs less than a
 * SUBSCRIBE per watched task. Publishing goes through the shared connection; the subscriber has a
 * connection of its own (a subscribed connection can do nothing else), opened by the first watcher,
 * so workers, which only publish, never open it.
 */
@Injectable()
export class RedisTaskChangeBus implements TaskChangeBus, OnApplicationShutdown {
  private readonly logger = new Logger(RedisTaskChangeBus.name);
  private readonly channel: string;
  private readonly listeners = new Set<(change: TaskChange) => void>();
  private subscriber?: Redis;
  private publishFailing = false;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfigService,
  ) {
    this.channel = `${config.get('redis')!.prefix}:task-changes`;
  }

  publish(taskId: string): void {
    this.redis.publish(this.channel, taskId).then(
      () => (this.publishFailing = false),
      (error: Error) => {
        if (!this.publishFailing) this.logger.warn(`Task change notices not sent (streams fall back to reading): ${error.message}`);
        this.publishFailing = true;
      },
    );
  }

  subscribe(listener: (change: TaskChange) => void): () => void {
    this.listeners.add(listener);
    this.subscriber ??= this.openSubscriber();
    return () => this.listeners.delete(listener);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  private openSubscriber(): Redis {
    // Unlike the shared connection, this one waits for Redis rather than failing fast: its only
    // command is SUBSCRIBE, which ioredis repeats by itself after every reconnect.
    const subscriber = new Redis(this.config.get('redis')!.url, {
      connectionName: 'payments-task-changes',
      maxRetriesPerRequest: null,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    let connectedBefore = false;
    subscriber.on('error', () => undefined); // the shared connection already reports an outage
    subscriber.on('ready', () => {
      // Notices published while this connection was away are lost: every watcher reads again.
      if (connectedBefore) this.emit('resync');
      connectedBefore = true;
    });
    subscriber.on('message', (channel: string, taskId: string) => {
      if (channel === this.channel) this.emit({ taskId });
    });
    subscriber.subscribe(this.channel).catch((error: Error) => this.logger.warn(`Cannot subscribe to task changes: ${error.message}`));
    return subscriber;
  }

  private emit(change: TaskChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
