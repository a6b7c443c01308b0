import { AppConfig } from './config.types';

/**
 * The one typed view of configuration. Built once from the environment by AppConfigModule;
 * nothing else in the codebase reads process.env.
 */
export class AppConfigService {
  constructor(private readonly config: AppConfig) {}

  get<K extends keyof AppConfig>(key: K): AppConfig[K] {
    return this.config[key];
  }

  get isProduction(): boolean {
    return this.config.nodeEnv === 'production';
  }

  /** The parts of embedded mode in use, for the boot log and the README's promise. */
  embeddedParts(): string[] {
    const parts: string[] = [];
    if (this.config.finance.embedded) parts.push(`finance database: SQLite ${this.config.finance.url}`);
    if (this.config.settlement.embedded) parts.push(`settlement database: SQLite ${this.config.settlement.url}`);
    if (!this.config.redis) parts.push('queue: in-process driver', 'cache: in-memory');
    if (this.config.worker.inApi) parts.push('worker: inside the api process');
    return parts;
  }
}
