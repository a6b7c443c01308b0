import Fastify, { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { BoundHistogram } from './bound-histogram';
import { UNMATCHED_ROUTE, registerHttpMetrics } from './http-metrics.hook';
import { HTTP_DURATION_BUCKETS, HttpLabel } from './metrics';

describe('registerHttpMetrics', () => {
  let fastify: FastifyInstance;
  let registry: Registry;
  let base: string;
  // Over a real socket: Fastify's inject() loads an ES-module dependency Jest cannot require.
  const send = (path: string, method = 'GET') => fetch(`${base}${path}`, { method }).then((res) => res.text());

  beforeEach(async () => {
    fastify = Fastify();
    registry = new Registry();
    const histogram = new BoundHistogram<HttpLabel>('http_request_duration_seconds', 'h', ['method', 'route', 'status'], HTTP_DURATION_BUCKETS);
    registry.registerMetric(histogram.asMetric());
    fastify.get('/task-status/:task_id', async () => ({ ok: true }));
    fastify.post('/create-user', async (_request, reply) => reply.code(201).send({}));
    // Registered before the hook, as Nest's routes are: the hook still covers them.
    registerHttpMetrics(fastify, histogram);
    await fastify.register(
      async (scope) => {
        scope.get('/static/*', async () => 'file');
      },
      { prefix: '/admin/queues' },
    );
    base = await fastify.listen({ port: 0, host: '127.0.0.1' });
  });
  afterEach(() => fastify.close());

  const counts = async () =>
    Object.fromEntries(
      (await registry.metrics())
        .split('\n')
        .filter((line) => line.startsWith('http_request_duration_seconds_count'))
        .map((line) => [line.slice(line.indexOf('{'), line.lastIndexOf(' ')), Number(line.slice(line.lastIndexOf(' ') + 1))]),
    );

  it('labels requests with the route template, never the URL, its ids or its query', async () => {
    await send('/task-status/3f1c2a9e-8d7b-4c6a-9e5f-1a2b3c4d5e6f?x=1');
    await send('/task-status/another-id');
    await send('/create-user', 'POST');
    await send('/admin/queues/static/js/main.js');
    expect(await counts()).toEqual({
      '{method="GET",route="/task-status/:task_id",status="200"}': 2,
      '{method="POST",route="/create-user",status="201"}': 1,
      '{method="GET",route="/admin/queues/static/*",status="200"}': 1,
    });
    const text = await registry.metrics();
    expect(text).not.toContain('3f1c2a9e');
    expect(text).not.toContain('x=1');
  });

  it('puts every request no route matched under one label, however many paths are probed', async () => {
    for (let i = 0; i < 50; i++) await send(`/probe-${i}/wp-login.php`);
    await send('/task-status/1', 'PROPFIND');
    expect(await counts()).toEqual({
      [`{method="GET",route="${UNMATCHED_ROUTE}",status="404"}`]: 50,
      [`{method="OTHER",route="${UNMATCHED_ROUTE}",status="404"}`]: 1,
    });
  });

  it('observes the time Fastify measured, in seconds', async () => {
    await send('/task-status/1');
    const sum = (await registry.metrics()).split('\n').find((line) => line.startsWith('http_request_duration_seconds_sum'))!;
    const seconds = Number(sum.split(' ').pop());
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThan(1);
  });
});
