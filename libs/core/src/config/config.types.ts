export type NodeEnv = 'development' | 'production' | 'test';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
export type DatabaseKind = 'postgres' | 'mysql' | 'sqlite';

/** Where one data source lives. `url` is a driver URL for servers, a file path (or `:memory:`) for SQLite. */
export interface DatabaseTarget {
  kind: DatabaseKind;
  url: string;
  /** True when no URL was configured and the embedded SQLite file is used. */
  embedded: boolean;
}

export interface RedisTarget {
  url: string;
  /** Every key this product writes (queues, cache, throttling) starts with it. */
  prefix: string;
}

export interface EnvFileUse {
  path: string;
  /** Variables taken from the file: the product's, and not already set in the environment. */
  applied: string[];
  /** Names in the file the product does not read (a typo, or another tool's variable). */
  ignored: string[];
}

export interface AppConfig {
  nodeEnv: NodeEnv;
  port: number;
  /** Prometheus metrics (`GET /metrics`) on their own listener, never the public port; 0 = off. */
  metrics: { port: number };
  paths: {
    dataDir: string;
    inboxDir: string;
    archiveDir: string;
    failedDir: string;
    /** Settlement files claimed from the inbox or uploaded, while they load. */
    processingDir: string;
    extractsDir: string;
  };
  log: { level: LogLevel; file?: string };
  finance: DatabaseTarget;
  settlement: DatabaseTarget;
  migrateOnStart: boolean;
  /** Absent: embedded mode (in-process queue, in-memory cache). */
  redis?: RedisTarget;
  auth: {
    secretKey: string;
    /** True when SECRET_KEY was absent outside production and a random key stands in for it. */
    secretKeyGenerated: boolean;
    accessTokenExpireMinutes: number;
  };
  admin: {
    username: string;
    password?: string;
    email: string;
    fullName: string;
  };
  http: {
    corsOrigins: string[];
    bodyLimitBytes: number;
    uploadLimitBytes: number;
  };
  worker: {
    /** Run queue processors and schedules inside the api process (always true without Redis). */
    inApi: boolean;
    concurrency: number;
  };
  settlementIngest: {
    scanCron: string;
    profilesFile?: string;
  };
  extracts: {
    ttlHours: number;
  };
  /** §Audit: entries older than this are cut from the chain's start (its last hash kept as the anchor). */
  audit: {
    retentionDays: number;
  };
  /** The `.env` file that was read at boot, if one was (boot logs it). */
  envFile?: EnvFileUse;
  settlementQuery: {
    /** How long a settlement query answer stays cached; 0 turns the cache off. */
    cacheTtlSeconds: number;
  };
  /** §Events: where task and settlement file events are POSTed, signed with `secret`; no URLs, no webhooks. */
  webhooks: {
    urls: string[];
    /** Present whenever `urls` is not empty (boot refuses URLs without it). */
    secret?: string;
  };
}
