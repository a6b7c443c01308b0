/**
 * What the §Reliability drills share: their own scratch databases, the built api and worker as
 * child processes, a TCP proxy that can cut a database off, and a small load generator that keeps
 * every answer (status, Retry-After, second). Traffic only goes to 127.0.0.1.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Server, Socket, createConnection as connectTcp, createServer } from 'node:net';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';

export const ROOT = join(__dirname, '..', '..');
export const API_ENTRY = join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js');
export const WORKER_ENTRY = join(ROOT, 'dist', 'apps', 'worker', 'src', 'main.js');
export const MYSQL = process.env.DRILL_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/';
export const POSTGRES = process.env.DRILL_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const ADMIN_PASSWORD = 'drill-admin-password';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const log = (message: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);

export function arg(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}

export function requireBuild(): void {
  for (const entry of [API_ENTRY, WORKER_ENTRY]) if (!existsSync(entry)) throw new Error(`${entry} is missing: run "npm run build" first`);
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(200);
  }
}

function withDatabase(server: string, name: string): string {
  const u = new URL(server);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A PostgreSQL database `<name>_finance` and a MariaDB database `<name>`, both empty. */
export async function freshDatabases(name: string): Promise<{ finance: string; settlement: string }> {
  await dropDatabases(name);
  const mysql = await createConnection({ uri: MYSQL });
  await mysql.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await mysql.end();
  const pg = new Client({ connectionString: POSTGRES });
  await pg.connect();
  await pg.query(`CREATE DATABASE ${name}_finance`);
  await pg.end();
  return { finance: withDatabase(POSTGRES, `${name}_finance`), settlement: withDatabase(MYSQL, name) };
}

export async function dropDatabases(name: string): Promise<void> {
  const mysql = await createConnection({ uri: MYSQL });
  await mysql.query(`DROP DATABASE IF EXISTS ${name}`);
  await mysql.end();
  const pg = new Client({ connectionString: POSTGRES });
  await pg.connect();
  await pg.query(`DROP DATABASE IF EXISTS ${name}_finance WITH (FORCE)`);
  await pg.end();
}

/** The same URL on another port (through a proxy). */
export function viaPort(url: string, port: number): string {
  const u = new URL(url);
  u.port = String(port);
  return u.toString();
}

export interface AppProcess {
  child: ChildProcess;
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** The built api or worker with exactly `env` (plus PATH and TZ). */
export function startApp(entry: string, env: Record<string, string>): AppProcess {
  const child = spawn(process.execPath, [entry], { cwd: ROOT, env: { PATH: process.env.PATH, TZ: 'UTC', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout!.on('data', (c: Buffer) => output.push(c.toString()));
  child.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  // However the drill ends, nothing it started outlives it.
  process.on('exit', () => child.exitCode === null && child.kill('SIGKILL'));
  return { child, output, exited };
}

export async function stop(app: AppProcess | undefined): Promise<void> {
  if (!app || app.child.exitCode !== null || app.child.signalCode !== null) return;
  app.child.kill('SIGTERM');
  await app.exited;
}

/** The environment every drill's api and worker share: services mode, production, quiet logs. */
export function servicesEnv(
  databases: { finance: string; settlement: string },
  redisPrefix: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    NODE_ENV: 'production',
    DATABASE_URL: databases.finance,
    SETTLEMENT_DATABASE_URL: databases.settlement,
    REDIS_URL: process.env.DRILL_REDIS_URL ?? 'redis://127.0.0.1:6379/0',
    REDIS_PREFIX: redisPrefix,
    SECRET_KEY: 'drill-secret-key-of-at-least-32-bytes-long',
    ADMIN_PASSWORD,
    LOG_LEVEL: 'warn',
    METRICS_PORT: '0',
    ...extra,
  };
}

export async function login(base: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${base}/api/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(`login as ${username}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/**
 * A TCP proxy in front of a database: `cut()` resets every open connection and refuses new ones,
 * as a database host that went away does; `restore()` accepts again.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  async start(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connectTcp(this.target);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => this.server!.once('error', reject).listen(this.port, '127.0.0.1', resolve));
  }

  async cut(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server!.close(() => resolve()));
    for (const socket of this.sockets) socket.resetAndDestroy();
    await closed;
  }

  restore(): Promise<void> {
    return this.start();
  }
}

export interface Answer {
  /** Milliseconds since the load started. */
  at: number;
  kind: string;
  /** 0: no HTTP answer (see `error`). */
  status: number;
  retryAfter: string | null;
  error?: string;
}

/**
 * `connections` loops, each sending the next request of `next` as soon as the last answered, until
 * `until()` says stop. Every answer is kept; network errors keep their code (ECONNREFUSED: never
 * received).
 */
export async function loadLoops(
  base: string,
  connections: number,
  next: (loop: number, i: number) => { kind: string; path: string; init?: RequestInit },
  until: () => boolean,
  onAnswer: (loop: number, answer: Answer) => void = () => undefined,
): Promise<Answer[]> {
  const answers: Answer[] = [];
  const started = Date.now();
  await Promise.all(
    Array.from({ length: connections }, async (_, loop) => {
      for (let i = 0; !until(); i += 1) {
        const { kind, path, init } = next(loop, i);
        const at = Date.now() - started;
        try {
          const res = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(30_000) });
          await res.arrayBuffer();
          answers.push({ at, kind, status: res.status, retryAfter: res.headers.get('retry-after') });
        } catch (error) {
          const cause = (error as { cause?: { code?: string } }).cause;
          answers.push({ at, kind, status: 0, retryAfter: null, error: cause?.code ?? (error as Error).name });
          if (cause?.code === 'ECONNREFUSED') await sleep(20);
        }
        onAnswer(loop, answers[answers.length - 1]);
      }
    }),
  );
  return answers;
}

/** Answers per second: `second: {status or error: count}`. */
export function perSecond(answers: Answer[]): Map<number, Record<string, number>> {
  const table = new Map<number, Record<string, number>>();
  for (const a of answers) {
    const second = Math.floor(a.at / 1000);
    const row = table.get(second) ?? {};
    const key = a.status === 0 ? (a.error ?? 'error') : String(a.status);
    row[key] = (row[key] ?? 0) + 1;
    table.set(second, row);
  }
  return new Map([...table].sort((a, b) => a[0] - b[0]));
}

export function printPerSecond(title: string, answers: Answer[]): void {
  console.log(`\n${title} (second: answers)`);
  for (const [second, row] of perSecond(answers)) {
    console.log(
      `  ${String(second).padStart(3)}: ${Object.entries(row)
        .map(([k, n]) => `${k}×${n}`)
        .join(' ')}`,
    );
  }
}
