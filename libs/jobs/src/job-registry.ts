import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { JobOutcome } from '@app/metrics';
import { JOB_HANDLER, JobContext, MESSAGE_HANDLER } from './job-handler';
import { JOBS, JobName, MESSAGE_JOBS, MessageJobName } from './jobs.constants';

export type Handler = (context: JobContext) => Promise<Record<string, unknown>>;
export type MessageHandlerFn = (data: Record<string, unknown>) => Promise<JobOutcome | void>;

/**
 * Finds the @JobHandler and @MessageHandler methods of every provider. Each job name must have
 * exactly one handler: a missing or duplicated one stops the boot instead of failing jobs at run time.
 */
@Injectable()
export class JobRegistry implements OnModuleInit {
  private readonly handlers = new Map<JobName, Handler>();
  private readonly messageHandlers = new Map<MessageJobName, MessageHandlerFn>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance);
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const name = this.reflector.get<JobName | undefined>(JOB_HANDLER, prototype[method]);
        const message = this.reflector.get<MessageJobName | undefined>(MESSAGE_HANDLER, prototype[method]);
        if (name) claim(this.handlers, name, (prototype[method] as Handler).bind(instance));
        if (message) claim(this.messageHandlers, message, (prototype[method] as MessageHandlerFn).bind(instance));
      }
    }
    const missing = [
      ...Object.values(JOBS).filter((name) => !this.handlers.has(name)),
      ...Object.values(MESSAGE_JOBS).filter((name) => !this.messageHandlers.has(name)),
    ];
    if (missing.length > 0) throw new Error(`No handler for job(s): ${missing.join(', ')}`);
  }

  get(name: JobName): Handler {
    const handler = this.handlers.get(name);
    if (!handler) throw new Error(`No handler for job "${name}"`);
    return handler;
  }

  getMessage(name: MessageJobName): MessageHandlerFn {
    const handler = this.messageHandlers.get(name);
    if (!handler) throw new Error(`No handler for job "${name}"`);
    return handler;
  }
}

function claim<K extends string, H>(handlers: Map<K, H>, name: K, handler: H): void {
  if (handlers.has(name)) throw new Error(`Job "${name}" has two handlers; each job needs exactly one`);
  handlers.set(name, handler);
}
