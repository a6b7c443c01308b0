import type { PerformanceEntry } from 'node:perf_hooks';
import { constants } from 'node:perf_hooks';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { GC_METRIC, observeGarbageCollection, recordCollections } from './gc-metrics';

const entry = (kind: number, ms: number) => ({ duration: ms, detail: { kind } }) as unknown as PerformanceEntry;
const counts = async (registry: Registry) => (await registry.metrics()).split('\n').filter((line) => line.startsWith(`${GC_METRIC}_count`));

describe('GC metrics', () => {
  it('records every collection of a batch, by kind', async () => {
    const registry = new Registry();
    const histogram = new Histogram({ name: GC_METRIC, help: 'gc', labelNames: ['kind'] as const, registers: [registry] });
    recordCollections(histogram, [
      entry(constants.NODE_PERFORMANCE_GC_MINOR, 1),
      entry(constants.NODE_PERFORMANCE_GC_MINOR, 2),
      entry(constants.NODE_PERFORMANCE_GC_MAJOR, 30),
    ]);
    expect(await counts(registry)).toEqual([`${GC_METRIC}_count{kind="minor"} 2`, `${GC_METRIC}_count{kind="major"} 1`]);
  });

  it("takes the place of prom-client's default series, and sees the collections a busy process makes", async () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const stop = observeGarbageCollection(registry);
    try {
      let junk: object[] = [];
      for (let i = 0; i < 2_000_000; i++) {
        junk.push({ i, text: `row ${i}` });
        if (junk.length > 50_000) junk = [];
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      const total = (await counts(registry)).reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
      expect(total).toBeGreaterThan(1);
      expect((await registry.metrics()).match(new RegExp(`^# TYPE ${GC_METRIC} `, 'gm'))).toHaveLength(1);
    } finally {
      stop();
    }
  });
});
