import { Client } from 'pg';
import { createConnection } from 'mysql2/promise';
import Redis from 'ioredis';

/** The real servers the integration tier runs against; override with TEST_*_URL. */
export const SERVICES = {
  postgres: process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  mysql: process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/mysql',
  redis: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15',
};

/** Names every server that does not answer within a few seconds. */
export async function unreachableServices(): Promise<string[]> {
  const down: string[] = [];
  const pg = new Client({ connectionString: SERVICES.postgres, connectionTimeoutMillis: 3000 });
  await pg
    .connect()
    .then(() => pg.query('SELECT 1'))
    .catch((error: Error) => down.push(`PostgreSQL at ${SERVICES.postgres} (${error.message})`))
    .finally(() => pg.end().catch(() => undefined));
  await createConnection({ uri: SERVICES.mysql, connectTimeout: 3000 })
    .then((connection) => connection.end())
    .catch((error: Error) => down.push(`MariaDB/MySQL at ${SERVICES.mysql} (${error.message})`));
  const redis = new Redis(SERVICES.redis, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  await redis
    .connect()
    .then(() => redis.ping())
    .catch((error: Error) => down.push(`Redis at ${SERVICES.redis} (${error.message})`))
    .finally(() => redis.disconnect());
  return down;
}
