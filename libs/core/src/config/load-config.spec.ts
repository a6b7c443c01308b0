import { resolve } from 'node:path';
import { ConfigError, Env, FILE_SECRETS, loadConfig, parseSize, redactUrl } from './load-config';
import { AppConfig } from './config.types';

const CWD = '/srv/app';
const GOOD_SECRET = 'Zq8vN3rT6yW1pL4sK7dF0gH2jM5cX9bV'; // 32 bytes, no placeholder marker

/** A readFile fake over an in-memory map; a missing path throws like fs does (ENOENT). */
function fakeFiles(files: Record<string, string>) {
  return (path: string): string => {
    if (!(path in files)) {
      throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
    }
    return files[path];
  };
}

function load(env: Env, files: Record<string, string> = {}): AppConfig {
  return loadConfig(env, { readFile: fakeFiles(files), cwd: CWD });
}

/** Loads `env`, expecting a ConfigError; returns it for further assertions. */
function configError(env: Env, files: Record<string, string> = {}): ConfigError {
  let caught: unknown;
  try {
    load(env, files);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  return caught as ConfigError;
}

/** Expects exactly one problem, about `variable`, listed in the message. */
function expectRejected(env: Env, variable: string, files: Record<string, string> = {}): ConfigError {
  const error = configError(env, files);
  expect(error.problems).toHaveLength(1);
  expect(error.problems[0].startsWith(`${variable}: `)).toBe(true);
  expect(error.message).toContain(`  - ${variable}: `);
  return error;
}

const PRODUCTION: Env = { NODE_ENV: 'production', SECRET_KEY: GOOD_SECRET };

describe('loadConfig', () => {
  describe('defaults with an empty environment', () => {
    let config: AppConfig;
    beforeAll(() => {
      config = load({});
    });

    it('runs in development on port 3000', () => {
      expect(config.nodeEnv).toBe('development');
      expect(config.port).toBe(3000);
    });

    it('serves metrics on port 9464', () => {
      expect(config.metrics).toEqual({ port: 9464 });
    });

    it('resolves the data directory against cwd', () => {
      expect(config.paths.dataDir).toBe('/srv/app/data');
    });

    it('puts inbox, archive, failed, processing and extracts under the data directory', () => {
      expect(config.paths).toEqual({
        dataDir: '/srv/app/data',
        inboxDir: '/srv/app/data/inbox',
        archiveDir: '/srv/app/data/archive',
        failedDir: '/srv/app/data/failed',
        processingDir: '/srv/app/data/processing',
        extractsDir: '/srv/app/data/extracts',
      });
    });

    it('logs at info to stdout only', () => {
      expect(config.log).toEqual({ level: 'info', file: undefined });
    });

    it('uses embedded SQLite files under the data directory for both databases', () => {
      expect(config.finance).toEqual({ kind: 'sqlite', url: '/srv/app/data/finance.sqlite', embedded: true });
      expect(config.settlement).toEqual({ kind: 'sqlite', url: '/srv/app/data/settlement.sqlite', embedded: true });
    });

    it('has no Redis and runs the worker inside the api', () => {
      expect(config.redis).toBeUndefined();
      expect(config.worker).toEqual({ inApi: true, concurrency: 2 });
    });

    it('issues access tokens for 30 minutes', () => {
      expect(config.auth.accessTokenExpireMinutes).toBe(30);
    });

    it('scans the settlement inbox hourly', () => {
      expect(config.settlementIngest).toEqual({ scanCron: '0 * * * *', profilesFile: undefined });
    });

    it('keeps extracts for 168 hours', () => {
      expect(config.extracts.ttlHours).toBe(168);
    });

    it('caches settlement query answers for 30 seconds', () => {
      expect(config.settlementQuery).toEqual({ cacheTtlSeconds: 30 });
    });

    it('uses the default admin, HTTP limits and migration settings', () => {
      expect(config.admin).toEqual({
        username: 'admin',
        password: undefined,
        email: 'admin@example.com',
        fullName: 'Administrator',
      });
      expect(config.http).toEqual({ corsOrigins: [], bodyLimitBytes: 1024 ** 2, uploadLimitBytes: 512 * 1024 ** 2 });
      expect(config.migrateOnStart).toBe(true);
    });
  });

  describe('paths', () => {
    it('resolves a relative DATA_DIR against cwd and keeps an absolute one', () => {
      expect(load({ DATA_DIR: 'var/payments' }).paths.dataDir).toBe('/srv/app/var/payments');
      expect(load({ DATA_DIR: '/data' }).paths.archiveDir).toBe('/data/archive');
    });

    it('takes SETTLEMENT_INBOX_DIR, EXTRACTS_DIR, LOG_FILE and SETTLEMENT_PROFILES relative to cwd', () => {
      const config = load({
        SETTLEMENT_INBOX_DIR: 'drop',
        EXTRACTS_DIR: '/exports',
        LOG_FILE: 'logs/app.log',
        SETTLEMENT_PROFILES: 'profiles.json',
      });
      expect(config.paths.inboxDir).toBe('/srv/app/drop');
      expect(config.paths.extractsDir).toBe('/exports');
      expect(config.log.file).toBe('/srv/app/logs/app.log');
      expect(config.settlementIngest.profilesFile).toBe('/srv/app/profiles.json');
    });
  });

  describe('database URLs', () => {
    it('reads postgres://', () => {
      expect(load({ DATABASE_URL: 'postgres://finance@db:5432/finance' }).finance).toEqual({
        kind: 'postgres',
        url: 'postgres://finance@db:5432/finance',
        embedded: false,
      });
    });

    it('reads postgresql:// as postgres', () => {
      expect(load({ DATABASE_URL: 'postgresql://finance@db:5432/finance' }).finance).toEqual({
        kind: 'postgres',
        url: 'postgres://finance@db:5432/finance',
        embedded: false,
      });
    });

    it('reads mysql://', () => {
      expect(load({ SETTLEMENT_DATABASE_URL: 'mysql://settlement@db:3306/settlement' }).settlement).toEqual({
        kind: 'mysql',
        url: 'mysql://settlement@db:3306/settlement',
        embedded: false,
      });
    });

    it('reads mariadb:// as mysql', () => {
      expect(load({ SETTLEMENT_DATABASE_URL: 'mariadb://settlement@db:3306/settlement' }).settlement).toEqual({
        kind: 'mysql',
        url: 'mysql://settlement@db:3306/settlement',
        embedded: false,
      });
    });

    it('reads mysql+aiomysql:// as plain mysql', () => {
      expect(load({ SETTLEMENT_DATABASE_URL: 'mysql+aiomysql://settlement:pw@db:3306/settlement' }).settlement).toEqual({
        kind: 'mysql',
        url: 'mysql://settlement:pw@db:3306/settlement',
        embedded: false,
      });
    });

    it('reads sqlite:relative as a file path resolved against the process directory', () => {
      // The sqlite path is resolved with path.resolve(), i.e. against process.cwd(), not options.cwd.
      expect(loadConfig({ DATABASE_URL: 'sqlite:db/finance.sqlite' }).finance).toEqual({
        kind: 'sqlite',
        url: resolve(process.cwd(), 'db/finance.sqlite'),
        embedded: false,
      });
    });

    it('reads SQLAlchemy forms: sqlite:////absolute and sqlite:///relative', () => {
      expect(load({ DATABASE_URL: 'sqlite:////var/lib/finance.sqlite' }).finance.url).toBe('/var/lib/finance.sqlite');
      expect(loadConfig({ DATABASE_URL: 'sqlite:///finance.db' }, { cwd: '/srv/app' }).finance.url).toBe('/srv/app/finance.db');
    });

    it('reads sqlite::memory: as an in-memory database', () => {
      expect(load({ SETTLEMENT_DATABASE_URL: 'sqlite::memory:' }).settlement).toEqual({
        kind: 'sqlite',
        url: ':memory:',
        embedded: false,
      });
    });

    it('rejects sqlite: without a path', () => {
      expectRejected({ DATABASE_URL: 'sqlite:' }, 'DATABASE_URL');
    });

    it('rejects an unsupported scheme, naming the variable', () => {
      const error = expectRejected({ SETTLEMENT_DATABASE_URL: 'ftp://x' }, 'SETTLEMENT_DATABASE_URL');
      expect(error.problems[0]).toContain('"ftp://x"');
    });

    it('rejects a URL without a database name', () => {
      expectRejected({ DATABASE_URL: 'postgres://finance@db:5432' }, 'DATABASE_URL');
      expectRejected({ DATABASE_URL: 'postgres://finance@db:5432/' }, 'DATABASE_URL');
    });

    it('rejects a URL that does not parse', () => {
      expectRejected({ DATABASE_URL: 'postgres://finance@db:port/finance' }, 'DATABASE_URL');
    });

    it('joins DATABASE_PASSWORD into the URL, URL-encoded', () => {
      const config = load({ DATABASE_URL: 'postgres://finance@db:5432/finance', DATABASE_PASSWORD: 'p@ss/w:rd' });
      expect(config.finance.url).toBe('postgres://finance:p%40ss%2Fw%3Ard@db:5432/finance');
      expect(decodeURIComponent(new URL(config.finance.url).password)).toBe('p@ss/w:rd');
    });

    it('lets DATABASE_PASSWORD replace a password already in the URL', () => {
      const config = load({ DATABASE_URL: 'postgres://finance:old@db/finance', DATABASE_PASSWORD: 'new' });
      expect(config.finance.url).toBe('postgres://finance:new@db/finance');
    });

    it('joins SETTLEMENT_DATABASE_PASSWORD into the settlement URL only', () => {
      const config = load({
        DATABASE_URL: 'postgres://finance@db/finance',
        SETTLEMENT_DATABASE_URL: 'mysql://settlement@db/settlement',
        SETTLEMENT_DATABASE_PASSWORD: 's3cret',
      });
      expect(config.settlement.url).toBe('mysql://settlement:s3cret@db/settlement');
      expect(config.finance.url).toBe('postgres://finance@db/finance');
    });
  });

  describe('legacy finance database variables', () => {
    it('compose a postgres URL from DATABASE_ENDPOINT, _PORT, _USERNAME, _PASSWORD and _NAME', () => {
      const config = load({
        DATABASE_ENDPOINT: 'db.internal',
        DATABASE_PORT: '5433',
        DATABASE_USERNAME: 'fin',
        DATABASE_PASSWORD: 'pa ss',
        DATABASE_NAME: 'ledger',
      });
      expect(config.finance).toEqual({
        kind: 'postgres',
        url: 'postgres://fin:pa%20ss@db.internal:5433/ledger',
        embedded: false,
      });
    });

    it('default to port 5432, user postgres and database finance', () => {
      expect(load({ DATABASE_ENDPOINT: 'db.internal' }).finance.url).toBe('postgres://postgres@db.internal:5432/finance');
    });

    it('are ignored when DATABASE_URL is set', () => {
      const config = load({ DATABASE_URL: 'mysql://a@b/c', DATABASE_ENDPOINT: 'db.internal', DATABASE_PORT: 'x' });
      expect(config.finance.url).toBe('mysql://a@b/c');
    });

    it('reject a DATABASE_PORT that is not a number', () => {
      const error = expectRejected({ DATABASE_ENDPOINT: 'db.internal', DATABASE_PORT: '54x2' }, 'DATABASE_PORT');
      expect(error.problems[0]).toContain('"54x2"');
    });
  });

  describe('Redis', () => {
    it('reads REDIS_URL', () => {
      expect(load({ REDIS_URL: 'redis://cache:6379/0' }).redis).toEqual({ url: 'redis://cache:6379/0', prefix: 'payments' });
    });

    it('reads REDIS_PREFIX and refuses one with spaces or colons', () => {
      expect(load({ REDIS_URL: 'redis://cache:6379/0', REDIS_PREFIX: 'staging-1' }).redis?.prefix).toBe('staging-1');
      expectRejected({ REDIS_URL: 'redis://cache:6379/0', REDIS_PREFIX: 'a b:c' }, 'REDIS_PREFIX');
    });

    it('keeps the rediss:// scheme', () => {
      expect(load({ REDIS_URL: 'rediss://cache:6380' }).redis).toEqual({ url: 'rediss://cache:6380', prefix: 'payments' });
    });

    it('reads REDIS_SERVER with a scheme', () => {
      expect(load({ REDIS_SERVER: 'redis://cache:6380/1' }).redis).toEqual({ url: 'redis://cache:6380/1', prefix: 'payments' });
    });

    it('reads REDIS_SERVER without a scheme as redis://', () => {
      expect(load({ REDIS_SERVER: 'cache:6380' }).redis).toEqual({ url: 'redis://cache:6380', prefix: 'payments' });
    });

    it('prefers REDIS_URL over REDIS_SERVER', () => {
      expect(load({ REDIS_URL: 'redis://a:1', REDIS_SERVER: 'redis://b:2' }).redis).toEqual({ url: 'redis://a:1', prefix: 'payments' });
    });

    it('composes REDIS_HOST and REDIS_PORT', () => {
      expect(load({ REDIS_HOST: 'cache', REDIS_PORT: '6390' }).redis).toEqual({ url: 'redis://cache:6390', prefix: 'payments' });
    });

    it('defaults REDIS_PORT to 6379', () => {
      expect(load({ REDIS_HOST: 'cache' }).redis).toEqual({ url: 'redis://cache:6379', prefix: 'payments' });
    });

    it('joins REDIS_PASSWORD into the URL, URL-encoded', () => {
      expect(load({ REDIS_URL: 'redis://cache:6379/0', REDIS_PASSWORD: 'p@ss/word' }).redis).toEqual({
        url: 'redis://:p%40ss%2Fword@cache:6379/0',
        prefix: 'payments',
      });
    });

    it('rejects a REDIS_PORT that is not a number, naming REDIS_HOST/REDIS_PORT', () => {
      expectRejected({ REDIS_HOST: 'cache', REDIS_PORT: 'abc' }, 'REDIS_HOST/REDIS_PORT');
    });

    it('rejects an invalid REDIS_URL', () => {
      expectRejected({ REDIS_URL: 'redis://cache:port' }, 'REDIS_URL');
    });
  });

  describe('secrets from X_FILE', () => {
    const targets: Record<(typeof FILE_SECRETS)[number], { env: Env; read: (c: AppConfig) => string | undefined }> = {
      SECRET_KEY: { env: {}, read: (c) => c.auth.secretKey },
      ADMIN_PASSWORD: { env: {}, read: (c) => c.admin.password },
      DATABASE_PASSWORD: {
        env: { DATABASE_URL: 'postgres://finance@db/finance' },
        read: (c) => decodeURIComponent(new URL(c.finance.url).password),
      },
      SETTLEMENT_DATABASE_PASSWORD: {
        env: { SETTLEMENT_DATABASE_URL: 'mysql://settlement@db/settlement' },
        read: (c) => decodeURIComponent(new URL(c.settlement.url).password),
      },
      REDIS_PASSWORD: {
        env: { REDIS_URL: 'redis://cache:6379' },
        read: (c) => decodeURIComponent(new URL(c.redis!.url).password),
      },
      WEBHOOK_SECRET: { env: { WEBHOOK_URLS: 'https://hooks.example.com/in' }, read: (c) => c.webhooks.secret },
    };

    it('covers every file secret', () => {
      expect(Object.keys(targets).sort()).toEqual([...FILE_SECRETS].sort());
    });

    it.each(FILE_SECRETS.map((name) => [name]))('reads %s from its _FILE, trimming the trailing newline', (name) => {
      const value = `file-${name.toLowerCase()}-Xy7@Q`;
      const config = load({ ...targets[name].env, [`${name}_FILE`]: '/run/secrets/s' }, { '/run/secrets/s': `${value}\n` });
      expect(targets[name].read(config)).toBe(value);
    });

    it('trims a trailing CRLF too, but only one line ending', () => {
      const config = load({ ADMIN_PASSWORD_FILE: '/s' }, { '/s': 'long-enough\r\n' });
      expect(config.admin.password).toBe('long-enough');
    });

    it('does not count a key from SECRET_KEY_FILE as generated', () => {
      const config = load({ SECRET_KEY_FILE: '/s' }, { '/s': `${GOOD_SECRET}\n` });
      expect(config.auth).toMatchObject({ secretKey: GOOD_SECRET, secretKeyGenerated: false });
    });

    it.each(FILE_SECRETS.map((name) => [name]))('rejects %s set together with its _FILE', (name) => {
      expectRejected({ [name]: 'direct-value', [`${name}_FILE`]: '/s' }, name, { '/s': 'file-value' });
    });

    it('rejects an unreadable file, naming the _FILE variable', () => {
      const error = expectRejected({ DATABASE_PASSWORD_FILE: '/run/secrets/missing' }, 'DATABASE_PASSWORD_FILE');
      expect(error.problems[0]).toContain('/run/secrets/missing');
      expect(error.problems[0]).toContain('ENOENT');
    });

    it('rejects an empty file', () => {
      const error = expectRejected({ SECRET_KEY_FILE: '/run/secrets/key' }, 'SECRET_KEY_FILE', { '/run/secrets/key': '\n' });
      expect(error.problems[0]).toContain('empty');
    });
  });

  describe('NODE_ENV=production', () => {
    it('accepts a good production environment', () => {
      const config = load({
        ...PRODUCTION,
        DATABASE_URL: 'postgres://finance@db/finance',
        DATABASE_PASSWORD: 'a-real-password',
        REDIS_URL: 'redis://cache:6379',
        ADMIN_PASSWORD: 'a-real-admin-password',
      });
      expect(config.nodeEnv).toBe('production');
      expect(config.auth).toEqual({ secretKey: GOOD_SECRET, secretKeyGenerated: false, accessTokenExpireMinutes: 30 });
    });

    it('refuses a missing SECRET_KEY', () => {
      const error = expectRejected({ NODE_ENV: 'production' }, 'SECRET_KEY');
      expect(error.problems[0]).toContain('required');
    });

    it('refuses a SECRET_KEY shorter than 32 bytes', () => {
      const error = expectRejected({ NODE_ENV: 'production', SECRET_KEY: GOOD_SECRET.slice(0, 31) }, 'SECRET_KEY');
      expect(error.problems[0]).toContain('32 bytes');
    });

    it('counts SECRET_KEY length in bytes, not characters', () => {
      // 16 characters, 32 bytes in UTF-8.
      expect(load({ NODE_ENV: 'production', SECRET_KEY: 'é'.repeat(16) }).auth.secretKey).toBe('é'.repeat(16));
    });

    it('refuses any value containing the change-me placeholder', () => {
      const error = expectRejected({ ...PRODUCTION, ADMIN_EMAIL: 'change-me@example.com' }, 'ADMIN_EMAIL');
      expect(error.problems[0]).toContain('placeholder');
    });

    it('refuses a placeholder secret that came from a _FILE', () => {
      expectRejected({ NODE_ENV: 'production', SECRET_KEY_FILE: '/s' }, 'SECRET_KEY', {
        '/s': 'change-me-to-a-random-string-of-at-least-32-bytes\n',
      });
    });

    it('allows the placeholder outside production', () => {
      expect(load({ ADMIN_PASSWORD: 'change-me-admin-password' }).admin.password).toBe('change-me-admin-password');
    });
  });

  describe('SECRET_KEY outside production', () => {
    it('stands in a random key when it is missing', () => {
      const { auth } = load({});
      expect(auth.secretKeyGenerated).toBe(true);
      expect(Buffer.byteLength(auth.secretKey)).toBeGreaterThanOrEqual(32);
    });

    it('generates a different key on every load', () => {
      expect(load({}).auth.secretKey).not.toBe(load({}).auth.secretKey);
    });

    it('uses a short SECRET_KEY as given', () => {
      expect(load({ SECRET_KEY: 'short' }).auth).toMatchObject({ secretKey: 'short', secretKeyGenerated: false });
    });
  });

  describe('scalar validation', () => {
    it('reads PORT', () => {
      expect(load({ PORT: '8080' }).port).toBe(8080);
    });

    it.each(['abc', '65536', '-1', '80.5'])('rejects PORT=%s', (value) => {
      expectRejected({ PORT: value }, 'PORT');
    });

    it('reads METRICS_PORT, 0 turning metrics off', () => {
      expect(load({ METRICS_PORT: '9100' }).metrics.port).toBe(9100);
      expect(load({ METRICS_PORT: '0' }).metrics.port).toBe(0);
    });

    it.each(['abc', '65536', '-1'])('rejects METRICS_PORT=%s', (value) => {
      expectRejected({ METRICS_PORT: value }, 'METRICS_PORT');
    });

    it('refuses METRICS_PORT equal to PORT: metrics never share the public port', () => {
      const error = expectRejected({ PORT: '8080', METRICS_PORT: '8080' }, 'METRICS_PORT');
      expect(error.problems[0]).toContain('PORT (8080)');
      expect(load({ PORT: '0', METRICS_PORT: '0' }).metrics.port).toBe(0);
    });

    it('reads LOG_LEVEL', () => {
      expect(load({ LOG_LEVEL: 'debug' }).log.level).toBe('debug');
    });

    it('rejects an unknown LOG_LEVEL', () => {
      const error = expectRejected({ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL');
      expect(error.problems[0]).toContain('"verbose"');
    });

    it('rejects an unknown NODE_ENV', () => {
      expectRejected({ NODE_ENV: 'staging' }, 'NODE_ENV');
    });

    it('reads ACCESS_TOKEN_EXPIRE_MINUTES', () => {
      expect(load({ ACCESS_TOKEN_EXPIRE_MINUTES: '15' }).auth.accessTokenExpireMinutes).toBe(15);
    });

    it.each(['0', 'abc', '10081'])('rejects ACCESS_TOKEN_EXPIRE_MINUTES=%s', (value) => {
      expectRejected({ ACCESS_TOKEN_EXPIRE_MINUTES: value }, 'ACCESS_TOKEN_EXPIRE_MINUTES');
    });

    it.each([
      ['false', false],
      ['0', false],
      ['NO', false],
      ['True', true],
      ['1', true],
      ['yes', true],
    ])('reads RUN_MIGRATIONS=%s as %s', (value, expected) => {
      expect(load({ RUN_MIGRATIONS: value }).migrateOnStart).toBe(expected);
    });

    it('rejects RUN_MIGRATIONS=maybe', () => {
      expectRejected({ RUN_MIGRATIONS: 'maybe' }, 'RUN_MIGRATIONS');
    });

    it('reads HTTP_BODY_LIMIT and SETTLEMENT_UPLOAD_LIMIT as sizes', () => {
      expect(load({ HTTP_BODY_LIMIT: '512kb', SETTLEMENT_UPLOAD_LIMIT: '2gb' }).http).toMatchObject({
        bodyLimitBytes: 512 * 1024,
        uploadLimitBytes: 2 * 1024 ** 3,
      });
    });

    it('rejects HTTP_BODY_LIMIT=lots', () => {
      expectRejected({ HTTP_BODY_LIMIT: 'lots' }, 'HTTP_BODY_LIMIT');
    });

    it('reads CORS_ORIGINS as a trimmed, comma-separated list', () => {
      expect(load({ CORS_ORIGINS: 'https://app.example.com, http://localhost:4200,' }).http.corsOrigins).toEqual([
        'https://app.example.com',
        'http://localhost:4200',
      ]);
    });

    it('rejects a CORS origin that is not an origin', () => {
      const error = expectRejected({ CORS_ORIGINS: 'https://ok.example.com,not-an-origin' }, 'CORS_ORIGINS');
      expect(error.problems[0]).toContain('"not-an-origin"');
    });

    it('reads a 6-field SETTLEMENT_SCAN_CRON', () => {
      expect(load({ SETTLEMENT_SCAN_CRON: '0 */15 * * * *' }).settlementIngest.scanCron).toBe('0 */15 * * * *');
    });

    it('reads SETTLEMENT_CACHE_TTL_SECONDS, 0 turning the cache off', () => {
      expect(load({ SETTLEMENT_CACHE_TTL_SECONDS: '0' }).settlementQuery.cacheTtlSeconds).toBe(0);
      expect(load({ SETTLEMENT_CACHE_TTL_SECONDS: '300' }).settlementQuery.cacheTtlSeconds).toBe(300);
    });

    it('rejects SETTLEMENT_CACHE_TTL_SECONDS=-1', () => {
      expectRejected({ SETTLEMENT_CACHE_TTL_SECONDS: '-1' }, 'SETTLEMENT_CACHE_TTL_SECONDS');
    });

    it('rejects SETTLEMENT_SCAN_CRON=every hour', () => {
      expectRejected({ SETTLEMENT_SCAN_CRON: 'every hour' }, 'SETTLEMENT_SCAN_CRON');
    });

    it('rejects an ADMIN_PASSWORD shorter than 8 characters', () => {
      expectRejected({ ADMIN_PASSWORD: 'seven77' }, 'ADMIN_PASSWORD');
    });

    it('accepts an ADMIN_PASSWORD of 8 characters', () => {
      expect(load({ ADMIN_PASSWORD: 'eight888' }).admin.password).toBe('eight888');
    });
  });

  describe('worker placement', () => {
    it('rejects WORKER_IN_API=false without Redis', () => {
      expectRejected({ WORKER_IN_API: 'false' }, 'WORKER_IN_API');
    });

    it('defaults worker.inApi to false when Redis is configured', () => {
      expect(load({ REDIS_URL: 'redis://cache:6379' }).worker.inApi).toBe(false);
    });

    it('honours WORKER_IN_API=true with Redis', () => {
      expect(load({ REDIS_URL: 'redis://cache:6379', WORKER_IN_API: 'true' }).worker.inApi).toBe(true);
    });
  });

  describe('environment handling', () => {
    it('counts empty and blank values as unset', () => {
      const config = load({ PORT: '', LOG_LEVEL: '   ', DATABASE_URL: '', SECRET_KEY: '', WORKER_IN_API: '' });
      expect(config.port).toBe(3000);
      expect(config.log.level).toBe('info');
      expect(config.finance.embedded).toBe(true);
      expect(config.auth.secretKeyGenerated).toBe(true);
      expect(config.worker.inApi).toBe(true);
    });

    it('trims surrounding whitespace from values', () => {
      expect(load({ PORT: ' 8080 ' }).port).toBe(8080);
    });

    it('reports every bad variable at once', () => {
      const error = configError({
        PORT: 'abc',
        LOG_LEVEL: 'loud',
        RUN_MIGRATIONS: 'maybe',
        CORS_ORIGINS: 'nope',
        SETTLEMENT_DATABASE_URL: 'ftp://x',
      });
      expect(error.problems).toHaveLength(5);
      for (const name of ['PORT', 'LOG_LEVEL', 'RUN_MIGRATIONS', 'CORS_ORIGINS', 'SETTLEMENT_DATABASE_URL']) {
        expect(error.message).toContain(`  - ${name}: `);
      }
    });

    it('ignores unknown variables, even placeholders in production', () => {
      const known = { ...PRODUCTION, PORT: '8080' };
      expect(load({ ...known, SOMETHING_ELSE: 'change-me', PATH: '/usr/bin' })).toEqual(load(known));
    });
  });

  describe('webhooks', () => {
    it('are off by default', () => {
      expect(load({}).webhooks).toEqual({ urls: [] });
    });

    it('reads comma-separated http(s) URLs with the secret that signs them', () => {
      const config = load({ WEBHOOK_URLS: ' https://hooks.example.com/in , http://erp.internal:8080/hooks ', WEBHOOK_SECRET: 'whsec' });
      expect(config.webhooks).toEqual({ urls: ['https://hooks.example.com/in', 'http://erp.internal:8080/hooks'], secret: 'whsec' });
    });

    it.each(['hooks.example.com/in', 'ftp://hooks.example.com/in', 'https://', 'mailto:ops@example.com'])('rejects %s as a URL', (url) => {
      const error = expectRejected({ WEBHOOK_URLS: url, WEBHOOK_SECRET: 'whsec' }, 'WEBHOOK_URLS');
      expect(error.problems[0]).toContain('http(s) URL');
    });

    it('rejects a URL listed twice', () => {
      expectRejected({ WEBHOOK_URLS: 'https://a.example.com/x,https://a.example.com/x', WEBHOOK_SECRET: 'whsec' }, 'WEBHOOK_URLS');
    });

    it('needs WEBHOOK_SECRET once there is a URL', () => {
      expectRejected({ WEBHOOK_URLS: 'https://hooks.example.com/in' }, 'WEBHOOK_SECRET');
    });

    it('needs 32 bytes of secret in production, and never prints it', () => {
      const error = expectRejected({ ...PRODUCTION, WEBHOOK_URLS: 'https://hooks.example.com/in', WEBHOOK_SECRET: 'short-secret-hunter2' }, 'WEBHOOK_SECRET');
      expect(error.message).not.toContain('hunter2');
      expect(load({ ...PRODUCTION, WEBHOOK_URLS: 'https://hooks.example.com/in', WEBHOOK_SECRET: GOOD_SECRET }).webhooks.secret).toBe(GOOD_SECRET);
    });

    it('hides the password of a bad URL in the message', () => {
      const error = expectRejected({ WEBHOOK_URLS: 'ftp://hook:hunter2@hooks.example.com/in', WEBHOOK_SECRET: 'whsec' }, 'WEBHOOK_URLS');
      expect(error.message).not.toContain('hunter2');
    });
  });

  describe('password secrecy in messages', () => {
    it('never prints the password of a rejected database URL', () => {
      const error = expectRejected({ DATABASE_URL: 'ftp://finance:hunter2@db/finance' }, 'DATABASE_URL');
      expect(error.message).not.toContain('hunter2');
      expect(error.message).toContain('ftp://finance:***@db/finance');
    });

    it('never prints a password that was joined into a URL lacking a database', () => {
      const error = expectRejected({ DATABASE_URL: 'postgres://finance@db', DATABASE_PASSWORD: 'hunter2' }, 'DATABASE_URL');
      expect(error.message).not.toContain('hunter2');
    });
  });
});

describe('ConfigError', () => {
  it('lists every problem, one per line, and keeps them in problems', () => {
    const error = new ConfigError(['A: bad', 'B: worse']);
    expect(error.message).toBe('Invalid configuration:\n  - A: bad\n  - B: worse');
    expect(error.problems).toEqual(['A: bad', 'B: worse']);
    expect(error.name).toBe('ConfigError');
    expect(error).toBeInstanceOf(Error);
  });
});

describe('parseSize', () => {
  it.each([
    ['1048576', 1048576],
    ['0', 0],
    ['100b', 100],
    ['512kb', 512 * 1024],
    ['1mb', 1024 ** 2],
    ['2gb', 2 * 1024 ** 3],
    ['10 MB', 10 * 1024 ** 2],
    [' 3Kb ', 3 * 1024],
  ])('reads %p as %p bytes', (value, bytes) => {
    expect(parseSize(value)).toBe(bytes);
  });

  it.each(['lots', '', '1.5mb', '-1', '1tb', 'mb'])('rejects %p', (value) => {
    expect(parseSize(value)).toBeUndefined();
  });
});

describe('redactUrl', () => {
  it('hides the password', () => {
    expect(redactUrl('postgres://finance:hunter2@db:5432/finance')).toBe('postgres://finance:***@db:5432/finance');
  });

  it('hides a password given without a user', () => {
    expect(redactUrl('redis://:hunter2@cache:6379')).toBe('redis://:***@cache:6379');
  });

  it('hides a password in a malformed URL and one holding a raw @', () => {
    expect(redactUrl('postgres:/finance:hunter2@db/finance')).toBe('postgres:***@db/finance');
    expect(redactUrl('finance:hunter2@db:5432/finance')).toBe('finance:***@db:5432/finance');
    expect(redactUrl('ftp://finance:p@ss@db/finance')).toBe('ftp://finance:***@db/finance');
  });

  it('leaves a URL without a password unchanged', () => {
    expect(redactUrl('postgres://finance@db:5432/finance')).toBe('postgres://finance@db:5432/finance');
    expect(redactUrl('postgres://db:5432/finance')).toBe('postgres://db:5432/finance');
  });
});

describe('loadConfig with an env file', () => {
  const withFile = (env: Env, text: string | undefined) =>
    loadConfig(env, { readFile: fakeFiles(text === undefined ? {} : { '/srv/app/.env': text }), cwd: CWD, envFile: '.env' });

  it('reads the file, resolved against cwd, with quotes, export and comments as dotenv has them', () => {
    const config = withFile({}, '# local settings\nexport PORT=8080\nSETTLEMENT_SCAN_CRON=\'*/5 * * * *\' # every 5 minutes\nLOG_LEVEL="debug"\n');
    expect(config.port).toBe(8080);
    expect(config.settlementIngest.scanCron).toBe('*/5 * * * *');
    expect(config.log.level).toBe('debug');
    expect(config.envFile).toEqual({ path: '/srv/app/.env', applied: ['LOG_LEVEL', 'PORT', 'SETTLEMENT_SCAN_CRON'], ignored: [] });
  });

  it('lets the environment win, an empty value included (empty means "the default")', () => {
    const config = withFile({ PORT: '9090', LOG_LEVEL: '' }, 'PORT=8080\nLOG_LEVEL=debug\nDATA_DIR=/var/payments\n');
    expect(config.port).toBe(9090);
    expect(config.log.level).toBe('info');
    expect(config.paths.dataDir).toBe('/var/payments');
    expect(config.envFile?.applied).toEqual(['DATA_DIR']);
  });

  it('names what it ignored: names the product does not read', () => {
    expect(withFile({}, 'PROT=8080\nCOMPOSE_PROJECT_NAME=payments\n').envFile).toEqual({
      path: '/srv/app/.env',
      applied: [],
      ignored: ['COMPOSE_PROJECT_NAME', 'PROT'],
    });
  });

  it('validates what it read like the environment, naming the variable', () => {
    let caught: unknown;
    try {
      withFile({}, 'PORT=eighty\n');
    } catch (error) {
      caught = error;
    }
    expect((caught as ConfigError).problems).toEqual(['PORT: must be a whole number from 0 to 65535 (got "eighty")']);
  });

  it('is optional: without the file the config is that of the environment alone', () => {
    const config = withFile({ PORT: '8080' }, undefined);
    expect(config.port).toBe(8080);
    expect(config.envFile).toBeUndefined();
  });

  it('refuses to start when the file exists but cannot be read', () => {
    const readFile = () => {
      throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
    };
    expect(() => loadConfig({}, { readFile, cwd: CWD, envFile: '.env' })).toThrow('.env: cannot read /srv/app/.env (EACCES)');
  });

  it('refuses a placeholder from .env.example in production, read from the file like from the environment', () => {
    let caught: unknown;
    try {
      withFile({ NODE_ENV: 'production', SECRET_KEY: GOOD_SECRET }, 'ADMIN_PASSWORD=change-me-admin-password\n');
    } catch (error) {
      caught = error;
    }
    expect((caught as ConfigError).message).toContain('ADMIN_PASSWORD: still holds the placeholder');
  });
});
