import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { isAbsolute, join, resolve } from 'node:path';
import { AppConfig, DatabaseKind, DatabaseTarget, EnvFileUse, LogLevel, NodeEnv } from './config.types';
import { CONFIG_VARIABLES, ConfigVariable } from './config.variables';

/** Any environment-like object; only the names in CONFIG_VARIABLES are read from it. */
export type Env = Record<string, string | undefined>;
type KnownEnv = Partial<Record<ConfigVariable, string>>;

/** Boot refuses to start; the message lists every bad variable, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Secrets that may come from `X_FILE` instead of `X` (Docker and Kubernetes secrets). */
export const FILE_SECRETS = ['SECRET_KEY', 'ADMIN_PASSWORD', 'DATABASE_PASSWORD', 'SETTLEMENT_DATABASE_PASSWORD', 'REDIS_PASSWORD', 'WEBHOOK_SECRET'] as const;

/** Every placeholder in .env.example contains this marker; production refuses any value that does. */
export const EXAMPLE_MARKER = 'change-me';

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];
const NODE_ENVS: NodeEnv[] = ['development', 'production', 'test'];
const MIN_SECRET_BYTES = 32;

interface LoadOptions {
  readFile?: (path: string) => string;
  cwd?: string;
  /**
   * A dotenv file to read under the environment, when it exists (boot passes `./.env`; tests pass
   * none, so a developer's own `.env` never changes what a test sees).
   */
  envFile?: string;
}

/**
 * Reads the environment into a typed, validated AppConfig. Pure apart from reading `X_FILE`
 * secrets and the env file, so every rule is unit-tested with a plain object for `env`.
 */
export function loadConfig(rawEnv: Env, options: LoadOptions = {}): AppConfig {
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const cwd = options.cwd ?? process.cwd();
  const problems: string[] = [];
  const fromFile = options.envFile === undefined ? undefined : readEnvFile(resolve(cwd, options.envFile), rawEnv, readFile, problems);
  const env = normaliseEnv(fromFile ? { ...fromFile.values, ...definedOnly(rawEnv) } : rawEnv);
  const resolvedSecrets: Record<string, string | undefined> = {};

  const secret = (name: (typeof FILE_SECRETS)[number]): string | undefined => {
    const direct = env[name];
    const file = env[`${name}_FILE`];
    if (direct !== undefined && file !== undefined) {
      problems.push(`${name}: set either ${name} or ${name}_FILE, not both`);
      return undefined;
    }
    if (file === undefined) return (resolvedSecrets[name] = direct);
    try {
      const value = readFile(file).replace(/\r?\n$/, '');
      if (value === '') problems.push(`${name}_FILE: the file ${file} is empty`);
      return (resolvedSecrets[name] = value || undefined);
    } catch (error) {
      problems.push(`${name}_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      return undefined;
    }
  };

  const oneOf = <T extends string>(name: ConfigVariable, allowed: readonly T[], fallback: T): T => {
    const value = env[name];
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    problems.push(`${name}: must be one of ${allowed.join(', ')} (got "${value}")`);
    return fallback;
  };

  const int = (name: ConfigVariable, fallback: number, min: number, max: number): number => {
    const value = env[name];
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      problems.push(`${name}: must be a whole number from ${min} to ${max} (got "${value}")`);
      return fallback;
    }
    return Number(value);
  };

  const bool = (name: ConfigVariable, fallback: boolean): boolean => {
    const value = env[name]?.toLowerCase();
    if (value === undefined) return fallback;
    if (['true', '1', 'yes'].includes(value)) return true;
    if (['false', '0', 'no'].includes(value)) return false;
    problems.push(`${name}: must be true or false (got "${env[name]}")`);
    return fallback;
  };

  const size = (name: ConfigVariable, fallback: string): number => {
    const value = env[name] ?? fallback;
    const bytes = parseSize(value);
    if (bytes === undefined) {
      problems.push(`${name}: must be a size such as 1048576, 512kb, 1mb or 2gb (got "${value}")`);
      return parseSize(fallback)!;
    }
    return bytes;
  };

  const dir = (value: string) => (isAbsolute(value) ? value : resolve(cwd, value));

  const nodeEnv = oneOf('NODE_ENV', NODE_ENVS, 'development');
  const production = nodeEnv === 'production';
  const dataDir = dir(env.DATA_DIR ?? './data');

  const finance = databaseTarget(
    'DATABASE_URL',
    env.DATABASE_URL ?? legacyFinanceUrl(env, problems),
    secret('DATABASE_PASSWORD'),
    join(dataDir, 'finance.sqlite'),
    problems,
    cwd,
  );
  const settlement = databaseTarget(
    'SETTLEMENT_DATABASE_URL',
    env.SETTLEMENT_DATABASE_URL,
    secret('SETTLEMENT_DATABASE_PASSWORD'),
    join(dataDir, 'settlement.sqlite'),
    problems,
    cwd,
  );
  const redis = redisTarget(env, secret('REDIS_PASSWORD'), problems);

  let secretKey = secret('SECRET_KEY');
  let secretKeyGenerated = false;
  if (secretKey === undefined) {
    if (production) problems.push('SECRET_KEY: required when NODE_ENV=production');
    secretKey = randomBytes(48).toString('base64url');
    secretKeyGenerated = true;
  } else if (production && Buffer.byteLength(secretKey) < MIN_SECRET_BYTES) {
    problems.push(`SECRET_KEY: must be at least ${MIN_SECRET_BYTES} bytes when NODE_ENV=production`);
  }

  const adminPassword = secret('ADMIN_PASSWORD');
  if (adminPassword !== undefined && adminPassword.length < 8) {
    problems.push('ADMIN_PASSWORD: must be at least 8 characters');
  }

  const inApiDefault = redis === undefined;
  const workerInApi = bool('WORKER_IN_API', inApiDefault);
  if (!workerInApi && redis === undefined) {
    problems.push('WORKER_IN_API: false needs REDIS_URL, since without Redis jobs can only run inside the api');
  }

  const scanCron = env.SETTLEMENT_SCAN_CRON ?? '0 * * * *';
  if (!isCronExpression(scanCron)) {
    problems.push(`SETTLEMENT_SCAN_CRON: must be a cron expression of 5 or 6 fields (got "${scanCron}")`);
  }

  const corsOrigins = (env.CORS_ORIGINS ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of corsOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      problems.push(`CORS_ORIGINS: "${origin}" is not an origin like https://app.example.com`);
    }
  }

  const webhooks = webhookSettings(env, secret('WEBHOOK_SECRET'), production, problems);

  const port = int('PORT', 3000, 0, 65535);
  const metricsPort = int('METRICS_PORT', 9464, 0, 65535);
  if (metricsPort !== 0 && metricsPort === port) {
    problems.push(`METRICS_PORT: must differ from PORT (${port}): metrics are never served on the public port; 0 turns them off`);
  }

  if (production) {
    const audited = { ...env, ...resolvedSecrets };
    for (const [name, value] of Object.entries(audited)) {
      if (value?.includes(EXAMPLE_MARKER)) {
        problems.push(`${name}: still holds the placeholder from .env.example; set a real value`);
      }
    }
  }

  const config: AppConfig = {
    nodeEnv,
    port,
    metrics: { port: metricsPort },
    paths: {
      dataDir,
      inboxDir: dir(env.SETTLEMENT_INBOX_DIR ?? join(dataDir, 'inbox')),
      archiveDir: join(dataDir, 'archive'),
      failedDir: join(dataDir, 'failed'),
      processingDir: join(dataDir, 'processing'),
      extractsDir: dir(env.EXTRACTS_DIR ?? join(dataDir, 'extracts')),
    },
    log: { level: oneOf('LOG_LEVEL', LOG_LEVELS, 'info'), file: env.LOG_FILE ? dir(env.LOG_FILE) : undefined },
    finance,
    settlement,
    migrateOnStart: bool('RUN_MIGRATIONS', true),
    redis,
    auth: {
      secretKey,
      secretKeyGenerated,
      accessTokenExpireMinutes: int('ACCESS_TOKEN_EXPIRE_MINUTES', 30, 1, 7 * 24 * 60),
    },
    admin: {
      username: env.ADMIN_USERNAME ?? 'admin',
      password: adminPassword,
      email: env.ADMIN_EMAIL ?? 'admin@example.com',
      fullName: env.ADMIN_FULL_NAME ?? 'Administrator',
    },
    http: {
      corsOrigins,
      bodyLimitBytes: size('HTTP_BODY_LIMIT', '1mb'),
      uploadLimitBytes: size('SETTLEMENT_UPLOAD_LIMIT', '512mb'),
    },
    worker: { inApi: workerInApi, concurrency: int('WORKER_CONCURRENCY', 2, 1, 64) },
    settlementIngest: {
      scanCron,
      profilesFile: env.SETTLEMENT_PROFILES ? dir(env.SETTLEMENT_PROFILES) : undefined,
    },
    extracts: { ttlHours: int('EXTRACT_TTL_HOURS', 168, 1, 24 * 365) },
    audit: { retentionDays: int('AUDIT_RETENTION_DAYS', 400, 1, 36_500) },
    settlementQuery: { cacheTtlSeconds: int('SETTLEMENT_CACHE_TTL_SECONDS', 30, 0, 24 * 60 * 60) },
    webhooks,
    ...(fromFile ? { envFile: fromFile.use } : {}),
  };

  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * WEBHOOK_URLS (comma separated http(s) URLs) and the WEBHOOK_SECRET that signs what is sent to
 * them. Messages name the variable and the URL (its password hidden), never the secret.
 */
function webhookSettings(env: KnownEnv, secret: string | undefined, production: boolean, problems: string[]): AppConfig['webhooks'] {
  const urls = (env.WEBHOOK_URLS ?? '')
    .split(',')
    .map((url) => url.trim())
    .filter(Boolean);
  for (const url of urls) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || !parsed.hostname) {
      problems.push(`WEBHOOK_URLS: "${redactUrl(url)}" is not an http(s) URL like https://hooks.example.com/payments`);
    }
  }
  if (new Set(urls).size !== urls.length) problems.push('WEBHOOK_URLS: lists a URL twice');
  if (urls.length > 0 && secret === undefined) problems.push('WEBHOOK_SECRET: required when WEBHOOK_URLS is set (it signs every delivery)');
  if (secret !== undefined && production && Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
    problems.push(`WEBHOOK_SECRET: must be at least ${MIN_SECRET_BYTES} bytes when NODE_ENV=production`);
  }
  return { urls, ...(secret === undefined ? {} : { secret }) };
}

/**
 * The variables of a dotenv file (Node's own parser: the format of @nestjs/config and dotenv, quotes,
 * `export`, comments), or undefined when there is no such file. A variable the environment sets,
 * even to an empty value, is the environment's: the file only fills in what is not set.
 */
function readEnvFile(path: string, rawEnv: Env, readFile: (path: string) => string, problems: string[]): { values: Env; use: EnvFileUse } | undefined {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') problems.push(`.env: cannot read ${path} (${code ?? 'error'})`);
    return undefined;
  }
  const parsed = parseEnv(text);
  const known = new Set<string>(CONFIG_VARIABLES);
  const values: Env = {};
  const applied: string[] = [];
  const ignored: string[] = [];
  for (const [name, value] of Object.entries(parsed)) {
    if (!known.has(name)) ignored.push(name);
    else if (rawEnv[name] === undefined) {
      values[name] = value;
      applied.push(name);
    }
  }
  // parseEnv keeps no order; sorted, the boot line reads the same on every start.
  return { values, use: { path, applied: applied.sort(), ignored: ignored.sort() } };
}

function definedOnly(env: Env): Env {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined));
}

/** Empty values count as unset, so `FOO=` in a compose file means "use the default". */
function normaliseEnv(env: Env): KnownEnv {
  const out: KnownEnv = {};
  for (const name of CONFIG_VARIABLES) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') out[name] = value.trim();
  }
  return out;
}

/** The finance-app variables: DATABASE_ENDPOINT, _PORT, _USERNAME, _PASSWORD, _NAME. */
function legacyFinanceUrl(env: KnownEnv, problems: string[]): string | undefined {
  if (env.DATABASE_ENDPOINT === undefined) return undefined;
  const port = env.DATABASE_PORT ?? '5432';
  if (!/^\d+$/.test(port)) {
    problems.push(`DATABASE_PORT: must be a port number (got "${port}")`);
    return undefined;
  }
  const user = encodeURIComponent(env.DATABASE_USERNAME ?? 'postgres');
  const name = encodeURIComponent(env.DATABASE_NAME ?? 'finance');
  // The password joins later from DATABASE_PASSWORD(_FILE), like for DATABASE_URL.
  return `postgres://${user}@${env.DATABASE_ENDPOINT}:${port}/${name}`;
}

const SCHEMES: Record<string, DatabaseKind> = {
  postgres: 'postgres',
  postgresql: 'postgres',
  mysql: 'mysql',
  mariadb: 'mysql',
};

export function databaseTarget(
  name: string,
  rawUrl: string | undefined,
  password: string | undefined,
  embeddedPath: string,
  problems: string[],
  cwd = process.cwd(),
): DatabaseTarget {
  if (rawUrl === undefined) return { kind: 'sqlite', url: embeddedPath, embedded: true };

  if (/^sqlite:/i.test(rawUrl)) {
    // sqlite:relative.db and sqlite::memory:, or SQLAlchemy's sqlite:///relative.db and sqlite:////absolute.db
    const path = rawUrl.replace(/^sqlite:(\/\/\/)?/i, '');
    if (path === '') problems.push(`${name}: sqlite: needs a file path, e.g. sqlite:./data/finance.sqlite`);
    return { kind: 'sqlite', url: path === ':memory:' ? path : resolve(cwd, path), embedded: false };
  }

  const match = /^([a-z][a-z0-9]*)(\+[a-z0-9]+)?:\/\//i.exec(rawUrl);
  const kind = match ? SCHEMES[match[1].toLowerCase()] : undefined;
  if (!match || !kind) {
    problems.push(`${name}: must start with postgres://, mysql://, mariadb:// or sqlite: (got "${redactUrl(rawUrl)}")`);
    return { kind: 'sqlite', url: embeddedPath, embedded: true };
  }

  let url: URL;
  try {
    // `mysql+aiomysql://` and the like are read as their plain scheme.
    url = new URL(`${kind}://${rawUrl.slice(match[0].length)}`);
  } catch {
    problems.push(`${name}: is not a valid URL`);
    return { kind, url: '', embedded: false };
  }
  if (!url.hostname) problems.push(`${name}: has no host`);
  if (url.pathname.replace(/^\//, '') === '') problems.push(`${name}: names no database (add /<name> to the URL)`);
  if (password !== undefined) url.password = encodeURIComponent(password);
  return { kind, url: url.toString(), embedded: false };
}

function redisTarget(env: KnownEnv, password: string | undefined, problems: string[]) {
  let raw = env.REDIS_URL ?? env.REDIS_SERVER;
  const source = env.REDIS_URL ? 'REDIS_URL' : 'REDIS_SERVER';
  if (raw === undefined && env.REDIS_HOST !== undefined) raw = `redis://${env.REDIS_HOST}:${env.REDIS_PORT ?? '6379'}`;
  if (raw === undefined) return undefined;
  if (!/^rediss?:\/\//i.test(raw)) raw = `redis://${raw}`;
  try {
    const url = new URL(raw);
    if (!url.hostname) throw new Error('no host');
    if (url.port && !/^\d+$/.test(url.port)) throw new Error('bad port');
    if (password !== undefined) url.password = encodeURIComponent(password);
    const prefix = env.REDIS_PREFIX ?? 'payments';
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(prefix)) {
      problems.push(`REDIS_PREFIX: must be 1–64 of letters, digits, "_", "." and "-" (got "${prefix}")`);
    }
    return { url: url.toString(), prefix };
  } catch {
    problems.push(`${env.REDIS_URL || env.REDIS_SERVER ? source : 'REDIS_HOST/REDIS_PORT'}: is not a valid redis:// URL`);
    return undefined;
  }
}

/**
 * A URL fit for a message: whatever stands between the user's ':' and the last '@' becomes `***`,
 * so a malformed URL or a password holding a raw '@' is hidden whole.
 */
export function redactUrl(raw: string): string {
  const at = raw.lastIndexOf('@');
  if (at === -1) return raw;
  const schemeEnd = raw.indexOf('://');
  const colon = raw.indexOf(':', schemeEnd === -1 ? 0 : schemeEnd + 3);
  return colon === -1 || colon > at ? raw : `${raw.slice(0, colon + 1)}***${raw.slice(at)}`;
}

export function parseSize(value: string): number | undefined {
  const match = /^(\d+)\s*(b|kb|mb|gb)?$/i.exec(value.trim());
  if (!match) return undefined;
  const unit = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[(match[2] ?? 'b').toLowerCase() as 'b'];
  return Number(match[1]) * unit;
}

function isCronExpression(value: string): boolean {
  const fields = value.trim().split(/\s+/);
  return (fields.length === 5 || fields.length === 6) && fields.every((f) => /^[\d*/,\-A-Za-z?LW#]+$/.test(f));
}
