import { PerformanceEntry, PerformanceObserver, constants } from 'node:perf_hooks';
import { Histogram, Registry } from 'prom-client';

export const GC_METRIC = 'nodejs_gc_duration_seconds';

/** prom-client's buckets for the same series, so dashboards made for it read this one alike. */
const GC_BUCKETS = [0.001, 0.01, 0.1, 1, 2, 5];

const KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};
// Node 22+: young-generation mark-sweep (V8's minor MS), reported apart from scavenges.
const MINOR_MARK_SWEEP = (constants as Record<string, number>).NODE_PERFORMANCE_GC_MINOR_MARK_SWEEP;
if (MINOR_MARK_SWEEP !== undefined) KINDS[MINOR_MARK_SWEEP] = 'minor_mark_sweep';

/** One observation per collection of the batch a PerformanceObserver delivers. */
export function recordCollections(histogram: Histogram<'kind'>, entries: readonly PerformanceEntry[]): void {
  for (const entry of entries) {
    // A gc entry's `detail` is { kind, flags } (Node's perf_hooks), untyped on PerformanceEntry.
    const detail = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail;
    const kind = KINDS[detail?.kind ?? -1] ?? 'other';
    histogram.observe({ kind }, entry.duration / 1000);
  }
}

/**
 * `nodejs_gc_duration_seconds` by kind, counting every collection. prom-client 15's own version of
 * this default metric records only the first entry of each batch the observer delivers (seen here:
 * 1 of 25 collections), so it replaces that one in the registry. Returns the way to stop observing.
 */
export function observeGarbageCollection(registry: Registry): () => void {
  registry.removeSingleMetric(GC_METRIC);
  const histogram = new Histogram({
    name: GC_METRIC,
    help: 'Garbage collection duration by kind: major, minor, minor_mark_sweep, incremental or weakcb',
    labelNames: ['kind'] as const,
    buckets: GC_BUCKETS,
    registers: [registry],
  });
  const observer = new PerformanceObserver((list) => recordCollections(histogram, list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  return () => observer.disconnect();
}
