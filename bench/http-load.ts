/**
 * What the HTTP benchmarks share: servers started as child processes on free ports, the bare
 * Fastify JSON route they all compare against, and autocannon runs.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import autocannon from 'autocannon';

export const ROOT = join(__dirname, '..', '..');

/** Child mode: the anchor of every HTTP benchmark, a bare Fastify JSON route. */
export async function runBareFastify(port: number): Promise<void> {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false });
  app.get('/', async () => ({ hello: 'world' }));
  await app.listen({ port, host: '127.0.0.1' });
  console.log('ready');
}

export interface Server {
  child: ChildProcess;
  port: number;
  stop(): Promise<void>;
}

/** A port nothing listens on now, so a server left over from elsewhere is never measured by mistake. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url: string, child: ChildProcess, output: string[]): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${output.join('').slice(-3000)}`);
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no answer from ${url}:\n${output.join('').slice(-3000)}`);
}

/** Every server this run started: none outlives it, however it ends. */
const children: ChildProcess[] = [];
process.on('exit', () => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL')));

export async function start(args: string[], env: NodeJS.ProcessEnv, port: number, probe: string): Promise<Server> {
  const output: string[] = [];
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH, TZ: 'UTC', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  // Only the tail is kept (for errors); the product's access log is a line per request.
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 50) output.shift();
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  await waitForHttp(`http://127.0.0.1:${port}${probe}`, child, output);
  await new Promise((resolve) => setTimeout(resolve, 200));
  if (child.exitCode !== null) throw new Error(`server on port ${port} exited:\n${output.join('').slice(-3000)}`);
  return {
    child,
    port,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface Load {
  rps: number;
  p50: number;
  p99: number;
  failed: number;
}

/**
 * autocannon, 50 connections by default, cycling over `paths` (or asking `paths(0)`, `paths(1)`, …:
 * a stream where no request repeats); any non-2xx or error counts as failed.
 */
export async function load(
  port: number,
  paths: string[] | ((i: number) => string),
  seconds: number,
  connections: number,
  headers: Record<string, string> = {},
): Promise<Load> {
  let next = 0;
  const path = typeof paths === 'function' ? paths : (i: number) => paths[i % paths.length];
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: seconds,
    headers,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: path(next++) }) }],
  });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, failed: result.non2xx + result.errors + result.timeouts };
}
