import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { JOB_HANDLER, JobContext } from './job-handler';
import { JOBS, JobName } from './jobs.constants';

export type Handler = (context: JobContext) => Promise<Record<string, unknown>>;

/**
 * Finds the @JobHandler methods of every provider. Each job name must have exactly one handler:
 * a missing or duplicated one stops the boot instead of failing jobs at run time.
 */
@Injectable()
export class JobRegistry implements OnModuleInit {
  private readonly handlers = new Map<JobName, Handler>();

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
        if (!name) continue;
        if (this.handlers.has(name)) throw new Error(`Job "${name}" has two handlers; each job needs exactly one`);
        this.handlers.set(name, (prototype[method] as Handler).bind(instance));
      }
    }
    const missing = Object.values(JOBS).filter((name) => !this.handlers.has(name));
    if (missing.length > 0) throw new Error(`No handler for job(s): ${missing.join(', ')}`);
  }

  get(name: JobName): Handler {
    const handler = this.handlers.get(name);
    if (!handler) throw new Error(`No handler for job "${name}"`);
    return handler;
  }
}
