import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { load } from 'js-yaml';
import { CONFIG_VARIABLES, loadConfig } from '@app/core';

const root = join(__dirname, '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

// .env.example is checked against the config schema beside it: libs/core/src/config/env-example.spec.ts

describe('docker-compose.yml', () => {
  const compose = load(read('docker-compose.yml')) as {
    services: Record<
      string,
      {
        environment?: Record<string, string>;
        secrets?: string[];
        healthcheck?: unknown;
        networks?: string[];
        profiles?: string[];
        ports?: string[];
        volumes?: string[];
      }
    >;
    secrets: Record<string, { file: string }>;
  };
  const apps = ['api', 'worker'] as const;
  // Compose applies YAML merge keys (`<<: *app-env`); js-yaml leaves them as a key.
  for (const service of Object.values(compose.services)) {
    const { '<<': base, ...own } = (service.environment ?? {}) as Record<string, unknown>;
    service.environment = { ...(base as Record<string, string>), ...(own as Record<string, string>) };
  }

  it('runs postgres, mysql, redis, api and worker, each with a health check except the worker image', () => {
    const always = Object.keys(compose.services).filter((name) => compose.services[name].profiles === undefined);
    expect(always.sort()).toEqual(['api', 'mysql', 'postgres', 'redis', 'worker']);
    for (const name of ['postgres', 'mysql', 'redis']) expect(compose.services[name].healthcheck).toBeDefined();
    for (const service of Object.values(compose.services)) expect(service.networks).toEqual(['payments']);
  });

  it('adds Prometheus only under the "metrics" profile, with the scrape config and alerts of deploy/prometheus', () => {
    const prometheus = compose.services.prometheus;
    expect(prometheus.profiles).toEqual(['metrics']);
    expect(prometheus.healthcheck).toBeDefined();
    expect(prometheus.volumes).toContain('./deploy/prometheus:/etc/prometheus:ro');
    for (const file of ['prometheus.yml', 'alerts.yml']) expect(existsSync(join(root, 'deploy/prometheus', file))).toBe(true);
  });

  it('publishes no metrics port: Prometheus scrapes them on the compose network', () => {
    for (const name of apps) {
      const port = String(loadConfig({ METRICS_PORT: compose.services[name].environment?.METRICS_PORT }).metrics.port);
      expect((compose.services[name].ports ?? []).filter((mapping) => mapping.endsWith(`:${port}`))).toEqual([]);
    }
  });

  it.each(apps)('%s sets only variables the config accepts', (name) => {
    const environment = compose.services[name].environment ?? {};
    const unknown = Object.keys(environment).filter((key) => !(CONFIG_VARIABLES as readonly string[]).includes(key));
    expect(unknown).toEqual([]);
  });

  it.each(apps)('%s environment boots in production once its secret files exist', (name) => {
    const dir = mkdtempSync(join(tmpdir(), 'compose-secrets-'));
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(compose.services[name].environment ?? {})) {
      const secret = /^\/run\/secrets\/(.+)$/.exec(String(value));
      if (secret) {
        const file = join(dir, secret[1]);
        writeFileSync(file, `a-real-production-value-for-${secret[1]}-0123456789\n`);
        env[key] = file;
      } else {
        env[key] = String(value);
      }
    }
    const config = loadConfig(env);
    expect(config.nodeEnv).toBe('production');
    expect(config.finance.kind).toBe('postgres');
    expect(config.settlement.kind).toBe('mysql');
    expect(config.redis?.url).toBe('redis://redis:6379/0');
    expect(config.worker.inApi).toBe(false);
    expect(config.finance.url).toContain(':a-real-production-value-for-finance_db_password');
  });

  it('mounts every secret the apps name and declares each one', () => {
    for (const name of apps) {
      const service = compose.services[name];
      const named = Object.values(service.environment ?? {})
        .map((value) => /^\/run\/secrets\/(.+)$/.exec(String(value))?.[1])
        .filter(Boolean);
      for (const secret of named) {
        expect(service.secrets).toContain(secret);
        expect(compose.secrets[secret!]).toBeDefined();
      }
    }
  });
});

describe('Dockerfiles', () => {
  it.each(['api', 'worker'])('%s: multi-stage, non-root, production deps, an entry point that the build emits', (name) => {
    const text = read(`docker/${name}.Dockerfile`);
    expect(text.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(text).toMatch(/^USER node$/m);
    expect(text).toContain('npm prune --omit=dev');
    const entry = /CMD \["node", (?:"--[a-z-]+=\d+", )*"dist\/(apps\/[a-z]+\/src\/main)\.js"\]/.exec(text)?.[1];
    expect(entry).toBe(`apps/${name}/src/main`);
    expect(existsSync(join(root, `${entry}.ts`))).toBe(true);
    for (const [, key] of text.matchAll(/ENV ((?:[A-Z_]+=\S+ ?)+)/g)) {
      for (const pair of key.trim().split(' ')) {
        expect([...CONFIG_VARIABLES, 'TZ']).toContain(pair.split('=')[0]);
      }
    }
  });
});

describe('README and docs/ stand alone', () => {
  const documents = [
    'README.md',
    ...readdirSync(join(root, 'docs'))
      .filter((name) => name.endsWith('.md'))
      .map((name) => `docs/${name}`),
  ];

  it.each(documents)('%s names no path outside the repository', (path) => {
    expect(read(path)).not.toMatch(/\.\.\/shared|(?:^|[\s(`'"])\.\.\/(?!docs\/)/m);
  });

  it.each(documents)('%s links only to files that exist', (path) => {
    const targets = [...read(path).matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((match) => match[1]).filter((target) => !/^[a-z]+:/.test(target));
    for (const target of targets) expect([target, existsSync(join(root, dirname(path), target))]).toEqual([target, true]);
  });

  it('the README keeps its two commands first, and points to the contract and what it replaces', () => {
    const readme = read('README.md');
    expect(readme.split('\n').slice(2, 6).join('\n')).toMatch(/^npm ci && npm start .*\nnpm test /m);
    expect(readme).toContain('](docs/contract.md)');
    expect(readme).toContain('](docs/replaces.md)');
    expect(readme).toMatch(/^## Replaces$/m);
    expect(readme).toContain('admin:reset-password');
  });
});
