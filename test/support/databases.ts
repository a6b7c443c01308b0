import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createConnection } from 'mysql2/promise';
import { SERVICES } from './services';

export type ServerKind = 'postgres' | 'mysql';

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database on a real server for one test file, so suites never share state. */
export async function createScratchDatabase(kind: ServerKind): Promise<ScratchDatabase> {
  const name = `test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const server = new URL(SERVICES[kind]);
  if (kind === 'postgres') {
    await withPg(SERVICES.postgres, (client) => client.query(`CREATE DATABASE ${name}`));
  } else {
    await withMysql(SERVICES.mysql, (connection) => connection.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`));
  }
  server.pathname = `/${name}`;
  return {
    url: server.toString(),
    drop: async () => {
      if (kind === 'postgres') {
        await withPg(SERVICES.postgres, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      } else {
        await withMysql(SERVICES.mysql, (connection) => connection.query(`DROP DATABASE IF EXISTS ${name}`));
      }
    },
  };
}

async function withPg<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function withMysql<T>(url: string, fn: (connection: Awaited<ReturnType<typeof createConnection>>) => Promise<T>) {
  const connection = await createConnection({ uri: url });
  try {
    return await fn(connection);
  } finally {
    await connection.end();
  }
}
