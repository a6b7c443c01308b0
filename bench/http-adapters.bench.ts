/**
 * §Performance asks a cached GET /api/transactions for ≥ 0.5 × the requests/s of a bare Fastify
 * JSON route, and the query issue says: if the Express adapter cannot reach it, measure the Fastify
 * adapter and choose by the figures. This measures what each adapter can reach at best, in the same
 * run, on the same machine, 50 connections:
 *  - anchor: the bare Fastify JSON route of the settlement-query benchmark
 *  - Nest on Express and Nest on Fastify: one controller answering a constant 10-record page (a cache
 *    hit at no cost) behind a global guard that verifies an HS256 bearer token, as every
 *    authenticated route must (bench/nest-ceiling.ts). No database, no Redis, no log, no middleware: a ceiling.
 *
 *   npm run bench -- http-adapters [--duration 10] [--repeat 3] [--connections 50]
 */
import { Adapter, ceilingToken, runNestCeiling } from './nest-ceiling';
import { Load, Server, freePort, load, runBareFastify, start } from './http-load';
import { machine, median, table } from './support';

const arg = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
};

async function main(): Promise<void> {
  const child = process.argv.indexOf('--server');
  if (child !== -1) {
    const [kind, port] = [process.argv[child + 1], Number(process.argv[child + 2])];
    await (kind === 'bare' ? runBareFastify(port) : runNestCeiling(kind as Adapter, port));
    return;
  }
  const seconds = arg('duration', 10);
  const repeat = arg('repeat', 3);
  const connections = arg('connections', 50);
  const headers = { authorization: `Bearer ${ceilingToken()}` };

  const servers: Record<'bare' | Adapter, Server> = {} as Record<'bare' | Adapter, Server>;
  for (const kind of ['bare', 'express', 'fastify'] as const) {
    const port = await freePort();
    servers[kind] = await start([__filename, '--server', kind, String(port)], {}, port, '/');
  }
  const runs: Record<'bare' | Adapter, Load[]> = { bare: [], express: [], fastify: [] };
  try {
    const hit = (kind: 'bare' | Adapter) => load(servers[kind].port, [kind === 'bare' ? '/' : '/api/transactions'], seconds, connections, headers);
    for (const kind of ['bare', 'express', 'fastify'] as const) await load(servers[kind].port, ['/api/transactions'], 3, connections, headers); // warm-up
    for (let i = 0; i < repeat; i++) {
      for (const kind of ['bare', 'express', 'fastify'] as const) runs[kind].push(await hit(kind));
      console.log(
        `run ${i + 1}: bare ${runs.bare[i].rps.toFixed(0)}, Nest on Express ${runs.express[i].rps.toFixed(0)}, Nest on Fastify ${runs.fastify[i].rps.toFixed(0)} req/s (${machine()})`,
      );
    }
  } finally {
    await Promise.all(Object.values(servers).map((s) => s.stop()));
  }
  const failed = [...runs.express, ...runs.fastify].reduce((sum, r) => sum + r.failed, 0);
  if (failed > 0) throw new Error(`${failed} requests failed under load`);
  const rps = (kind: 'bare' | Adapter) => median(runs[kind].map((r) => r.rps));
  const p = (kind: 'bare' | Adapter) => `${median(runs[kind].map((r) => r.p50))} / ${median(runs[kind].map((r) => r.p99))}`;
  const row = (kind: Adapter, label: string) => ({
    workload: label,
    'req/s (median)': rps(kind).toFixed(0),
    'p50 / p99 ms': p(kind),
    ratio: (rps(kind) / rps('bare')).toFixed(2),
    'room for the product (≥ 0.5 × anchor)': rps(kind) / rps('bare') >= 0.5 ? 'yes' : 'no',
  });
  console.log(
    `\n${machine()}\n${table([
      {
        workload: `bare Fastify JSON route (anchor), ${connections} connections`,
        'req/s (median)': rps('bare').toFixed(0),
        'p50 / p99 ms': p('bare'),
        ratio: '1.00',
        'room for the product (≥ 0.5 × anchor)': '-',
      },
      row('express', 'Nest on Express: bearer guard + constant 10-record page'),
      row('fastify', 'Nest on Fastify: bearer guard + constant 10-record page'),
    ])}\n`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
