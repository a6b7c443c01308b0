import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '@app/core';

const root = join(__dirname, '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

function parseEnvFile(text: string): { entries: Record<string, string>; commented: Set<string> } {
  const entries: Record<string, string> = {};
  const commented = new Set<string>();
  let previousWasComment = false;
  for (const line of text.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (match) {
      entries[match[1]] = match[2];
      // A variable is documented by the comment line(s) of its block.
      if (previousWasComment || commented.size > 0) commented.add(match[1]);
    }
    if (line.startsWith('#')) previousWasComment = true;
    else if (line.trim() === '') previousWasComment = false;
  }
  return { entries, commented };
}

describe('.env.example', () => {
  const { entries } = parseEnvFile(read('.env.example'));

  it('lists exactly the variables the config reads', () => {
    expect(Object.keys(entries).sort()).toEqual([...CONFIG_VARIABLES].sort());
  });

  it('gives each variable a comment in the block above it', () => {
    const lines = read('.env.example').split('\n');
    for (const name of CONFIG_VARIABLES) {
      const index = lines.findIndex((line) => line.startsWith(`${name}=`));
      const block = lines.slice(0, index).reverse();
      const blockStart = block.findIndex((line) => line.trim() === '');
      const above = block.slice(0, blockStart === -1 ? undefined : blockStart);
      expect({ name, documented: above.some((line) => line.startsWith('#')) }).toEqual({ name, documented: true });
    }
  });

  it('is accepted as it is outside production', () => {
    expect(() => loadConfig(entries)).not.toThrow();
  });

  it('is refused by production for every placeholder it holds', () => {
    let error: unknown;
    try {
      loadConfig({ ...entries, NODE_ENV: 'production' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const placeholders = Object.entries(entries).filter(([, value]) => value.includes('change-me'));
    expect(placeholders.length).toBeGreaterThanOrEqual(4);
    for (const [name] of placeholders) expect((error as ConfigError).message).toContain(name);
  });
});

describe('docker-compose.yml', () => {
  const compose = load(read('docker-compose.yml')) as {
    services: Record<string, { environment?: Record<string, string>; secrets?: string[]; healthcheck?: unknown; networks?: string[] }>;
    secrets: Record<string, { file: string }>;
  };
  const apps = ['api', 'worker'] as const;
  // Compose applies YAML merge keys (`<<: *app-env`); js-yaml leaves them as a key.
  for (const service of Object.values(compose.services)) {
    const { '<<': base, ...own } = (service.environment ?? {}) as Record<string, unknown>;
    service.environment = { ...(base as Record<string, string>), ...(own as Record<string, string>) };
  }

  it('runs postgres, mysql, redis, api and worker, each with a health check except the worker image', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'mysql', 'postgres', 'redis', 'worker']);
    for (const name of ['postgres', 'mysql', 'redis']) expect(compose.services[name].healthcheck).toBeDefined();
    for (const service of Object.values(compose.services)) expect(service.networks).toEqual(['payments']);
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
