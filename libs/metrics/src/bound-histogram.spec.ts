import { Histogram, Registry } from 'prom-client';
import { BoundHistogram } from './bound-histogram';

const BUCKETS = [0.005, 0.01, 0.05, 0.1];
const VALUES = [0.001, 0.005, 0.0051, 0.02, 0.05, 0.3, 7];

describe('BoundHistogram', () => {
  it("writes exactly what prom-client's Histogram writes for the same observations", async () => {
    const ours = new Registry();
    const bound = new BoundHistogram<'route' | 'status'>('latency_seconds', 'help text', ['route', 'status'], BUCKETS);
    ours.registerMetric(bound.asMetric());
    const theirs = new Registry();
    const reference = new Histogram({ name: 'latency_seconds', help: 'help text', labelNames: ['route', 'status'], buckets: BUCKETS, registers: [theirs] });

    const ok = bound.bind({ route: '/a/:id', status: '200' });
    const missing = bound.bind({ route: '/a/:id', status: '404' });
    for (const value of VALUES) {
      ok.observe(value);
      reference.observe({ route: '/a/:id', status: '200' }, value);
    }
    missing.observe(0.002);
    reference.observe({ route: '/a/:id', status: '404' }, 0.002);

    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.metrics()).toContain('latency_seconds_bucket{le="0.005",route="/a/:id",status="200"} 2');
  });

  it('binds one series per label values, whichever object holds them', () => {
    const bound = new BoundHistogram<'a'>('x', 'x', ['a'], BUCKETS);
    expect(bound.bind({ a: '1' })).toBe(bound.bind({ a: '1' }));
    expect(bound.bind({ a: '1' })).not.toBe(bound.bind({ a: '2' }));
  });

  it('reset() zeroes every series and keeps bound ones working', async () => {
    const registry = new Registry();
    const bound = new BoundHistogram<'a'>('x_seconds', 'x', ['a'], BUCKETS);
    registry.registerMetric(bound.asMetric());
    const series = bound.bind({ a: '1' });
    series.observe(0.02);
    registry.resetMetrics();
    series.observe(0.2);
    const text = await registry.metrics();
    expect(text).toContain('x_seconds_count{a="1"} 1');
    expect(text).toContain('x_seconds_sum{a="1"} 0.2');
    expect(text).toContain('x_seconds_bucket{le="0.1",a="1"} 0');
  });
});
