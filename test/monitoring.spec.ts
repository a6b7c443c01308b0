import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { loadConfig } from '@app/core';
import { Metrics } from '@app/metrics';

const root = join(__dirname, '..');
const yaml = <T>(path: string) => load(readFileSync(join(root, path), 'utf8')) as T;

interface Compose {
  services: Record<string, { environment?: Record<string, string> & { '<<'?: Record<string, string> } }>;
}
interface PrometheusConfig {
  rule_files: string[];
  scrape_configs: Array<{ job_name: string; metrics_path?: string; dns_sd_configs: Array<{ names: string[]; type: string; port: number }> }>;
}
interface Rules {
  groups: Array<{ rules: Array<{ alert: string; expr: string; labels?: Record<string, string>; annotations?: Record<string, string> }> }>;
}

/** Every series name the product exports, histograms with their _bucket, _sum and _count. */
async function exportedSeries(): Promise<Set<string>> {
  const text = await new Metrics().registry.metrics();
  const names = new Set<string>();
  for (const line of text.split('\n').filter((l) => l.startsWith('# TYPE '))) {
    const [, , name, type] = line.split(' ');
    names.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}

describe('deploy/prometheus (compose profile "metrics")', () => {
  const config = yaml<PrometheusConfig>('deploy/prometheus/prometheus.yml');
  const compose = yaml<Compose>('docker-compose.yml');
  const envOf = (service: string) => {
    const { '<<': base, ...own } = compose.services[service].environment ?? {};
    return { ...base, ...own } as Record<string, string>;
  };

  it.each(['api', 'worker'])('scrapes every %s replica at /metrics on the METRICS_PORT its compose environment sets', (service) => {
    const jobs = config.scrape_configs.filter((job) => job.dns_sd_configs.some((sd) => sd.names.includes(service)));
    expect(jobs).toHaveLength(1);
    expect(jobs[0].metrics_path ?? '/metrics').toBe('/metrics');
    const port = loadConfig(envOf(service), { readFile: () => 'a-real-production-value-0123456789-abcdef' }).metrics.port;
    expect(jobs[0].dns_sd_configs).toEqual([expect.objectContaining({ names: [service], type: 'A', port })]);
  });

  it('evaluates the starter alerts: 5xx rate, queue backlog, ingest failures', () => {
    expect(config.rule_files).toEqual(['alerts.yml']);
    const rules = yaml<Rules>('deploy/prometheus/alerts.yml').groups.flatMap((group) => group.rules);
    expect(rules.map((rule) => rule.alert)).toEqual(['PaymentsApi5xxRate', 'PaymentsQueueBacklog', 'PaymentsSettlementIngestFailures']);
    for (const rule of rules) {
      expect(rule.labels?.severity).toMatch(/^(page|ticket)$/);
      expect(rule.annotations?.summary).toEqual(expect.any(String));
    }
  });

  it('alerts only on series the product exports, so a renamed metric cannot silence an alert', async () => {
    const exported = await exportedSeries();
    const rules = yaml<Rules>('deploy/prometheus/alerts.yml').groups.flatMap((group) => group.rules);
    for (const rule of rules) {
      const used = rule.expr.match(/\b(?:payments_[a-z_]+|http_[a-z_]+)\b/g) ?? [];
      expect(used.length).toBeGreaterThan(0);
      expect({ alert: rule.alert, unknown: used.filter((name) => !exported.has(name)) }).toEqual({ alert: rule.alert, unknown: [] });
      // `job` is the target's label in Prometheus; the product's own is job_name.
      expect(rule.expr).not.toMatch(/[{,]\s*job\s*=/);
    }
  });
});
