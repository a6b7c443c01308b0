import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import { loadAll } from 'js-yaml';
import { IS_PUBLIC } from '@app/access';
import { CONFIG_VARIABLES, FILE_SECRETS, loadConfig } from '@app/core';
// Not exported by @app/health (its module is); the route metadata lives on the class.
import { HealthController } from '../libs/health/src/health.controller';

const root = join(__dirname, '..');
const dir = join(root, 'deploy/k8s');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/* The few Kubernetes shapes the checks below read. */
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: unknown;
}
interface Probe {
  httpGet?: { path: string; port: string | number };
  exec?: { command: string[] };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  ports?: Array<{ name: string; containerPort: number }>;
  env?: EnvVar[];
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: unknown }>;
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; runAsNonRoot?: boolean; capabilities?: { drop?: string[] } };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}
interface Volume {
  name: string;
  emptyDir?: object;
  persistentVolumeClaim?: { claimName: string };
  secret?: { secretName: string; items?: Array<{ key: string; path: string }> };
}
interface PodSpec {
  containers: Container[];
  volumes?: Volume[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type: string } };
  terminationGracePeriodSeconds?: number;
}
interface Manifest {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: {
    replicas?: number;
    template?: { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec };
    selector?: unknown;
    accessModes?: string[];
    ports?: Array<{ name?: string; targetPort: string }>;
    clusterIP?: string;
    endpoints?: Array<{ port: string; path: string }>;
  };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

const files = readdirSync(dir).filter((name) => name.endsWith('.yaml'));
const parse = (name: string) => loadAll(readFileSync(join(dir, name), 'utf8')) as Manifest[];
const kustomization = parse('kustomization.yaml')[0] as unknown as { resources: string[]; images: Array<{ name: string }>; namespace: string };
/** What `kubectl apply -k` creates; the Secret template is applied by hand. */
const manifests = kustomization.resources.flatMap(parse);
const secretTemplate = parse('secret.example.yaml')[0];
/** Applied by hand where the Prometheus Operator runs: metrics Services and a ServiceMonitor. */
const monitoring = parse('servicemonitor.example.yaml');
const byKind = (kind: string) => manifests.filter((m) => m.kind === kind);
const named = (kind: string, name: string) => {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in deploy/k8s`);
  return found;
};
const configMap = named('ConfigMap', 'payments-config');
const workloads = [...byKind('Deployment'), ...byKind('Job')];
const pods = workloads.map((w) => ({ name: w.metadata.name, spec: w.spec!.template!.spec }));
const containers = pods.flatMap((pod) => pod.spec.containers.map((container) => ({ pod, container })));
const api = named('Deployment', 'payments-api').spec!.template!.spec.containers[0];
const worker = named('Deployment', 'payments-worker').spec!.template!.spec.containers[0];
const podOf = (name: string) => pods.find((pod) => pod.name === name)!.spec;

/** The environment a container gets: its ConfigMap, then its own env (which wins, as in Kubernetes). */
function environmentOf(container: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) Object.assign(env, named('ConfigMap', source.configMapRef!.name).data);
  for (const entry of container.env ?? []) env[entry.name] = entry.value!;
  return env;
}

/** Where each mounted secret item appears in the container's filesystem: path → secret key. */
function secretFiles(spec: PodSpec, container: Container): Map<string, string> {
  const files = new Map<string, string>();
  for (const mount of container.volumeMounts ?? []) {
    const volume = spec.volumes?.find((v) => v.name === mount.name);
    if (!volume?.secret) continue;
    expect(volume.secret.secretName).toBe(secretTemplate.metadata.name);
    const items = volume.secret.items ?? Object.keys(secretTemplate.stringData!).map((key) => ({ key, path: key }));
    for (const item of items) files.set(posix.join(mount.mountPath, item.path), item.key);
  }
  return files;
}

/** GET routes of the health controller, as Nest registers them, with whether each needs no token. */
function healthRoutes(): Map<string, boolean> {
  const base = Reflect.getMetadata('path', HealthController) as string;
  const routes = new Map<string, boolean>();
  for (const key of Object.getOwnPropertyNames(HealthController.prototype)) {
    const handler = HealthController.prototype[key as keyof HealthController] as unknown as object;
    const path = Reflect.getMetadata('path', handler) as string | undefined;
    if (path === undefined || key === 'constructor') continue;
    const isPublic = Reflect.getMetadata(IS_PUBLIC, handler) ?? Reflect.getMetadata(IS_PUBLIC, HealthController) ?? false;
    routes.set(posix.join('/', base, path === '/' ? '' : path).replace(/\/$/, '') || '/', isPublic);
  }
  return routes;
}

describe('deploy/k8s', () => {
  it('kustomization lists every manifest (but the Secret template), and each one exists', () => {
    const expected = files.filter((name) => name !== 'kustomization.yaml' && !name.endsWith('.example.yaml')).sort();
    expect([...kustomization.resources].sort()).toEqual(expected);
    expect(kustomization.namespace).toBe('payments');
    expect(byKind('Namespace').map((m) => m.metadata.name)).toEqual(['payments']);
    expect(byKind('Secret')).toEqual([]);
  });

  it('uses the images docker/ builds: api (and the migration job) and worker', () => {
    expect(api.image).toBe('payments-api');
    expect(worker.image).toBe('payments-worker');
    expect(podOf('payments-migrate').containers[0].image).toBe('payments-api');
    expect(kustomization.images.map((image) => image.name).sort()).toEqual(['payments-api', 'payments-worker']);
    expect(read('docker/api.Dockerfile')).toContain('-t payments-api');
    expect(read('docker/worker.Dockerfile')).toContain('-t payments-worker');
    // The job runs the CLI the api image builds.
    const command = podOf('payments-migrate').containers[0].command!;
    expect(command.slice(0, 2)).toEqual(['node', 'dist/apps/cli/src/main.js']);
    expect(existsSync(join(root, 'apps/cli/src/main.ts'))).toBe(true);
    expect(read('apps/cli/src/commands.ts')).toContain(`'${command[2]}'`);
  });

  describe('configuration', () => {
    it('the ConfigMap holds only variables the config reads', () => {
      const unknown = Object.keys(configMap.data!).filter((key) => !(CONFIG_VARIABLES as readonly string[]).includes(key));
      expect(unknown).toEqual([]);
    });

    it.each(containers.map(({ pod, container }) => [`${pod.name}/${container.name}`, container] as const))(
      '%s sets only known variables, from the ConfigMap or plain values',
      (_name, container) => {
        const names = (container.env ?? []).map((entry) => entry.name);
        expect(names.filter((name) => !(CONFIG_VARIABLES as readonly string[]).includes(name))).toEqual([]);
        expect((container.env ?? []).filter((entry) => entry.valueFrom !== undefined)).toEqual([]);
        expect(container.envFrom).toEqual([{ configMapRef: { name: 'payments-config' } }]);
      },
    );

    it.each(containers.map(({ pod, container }) => [`${pod.name}/${container.name}`, pod.spec, container] as const))(
      '%s boots in production once real secrets are in its files',
      (_name, spec, container) => {
        const mounted = secretFiles(spec, container);
        const readFile = (path: string) => {
          if (!mounted.has(path)) throw Object.assign(new Error('not mounted'), { code: 'ENOENT' });
          return `a-real-production-value-for-${mounted.get(path)}-0123456789\n`;
        };
        const config = loadConfig(environmentOf(container), { readFile });
        expect(config.nodeEnv).toBe('production');
        expect(config.paths.dataDir).toBe('/data');
        expect([config.finance.kind, config.settlement.kind]).toEqual(['postgres', 'mysql']);
        expect(config.redis).toBeDefined();
        expect(config.migrateOnStart).toBe(false);
      },
    );

    it('the api serves HTTP and leaves jobs to the worker', () => {
      const config = loadConfig(environmentOf(api), { readFile: () => 'a-real-production-value-0123456789-abcdef' });
      expect(config.worker.inApi).toBe(false);
      expect(api.ports).toEqual([
        { name: 'http', containerPort: config.port },
        { name: 'metrics', containerPort: config.metrics.port },
      ]);
    });
  });

  describe('secrets', () => {
    const keys = Object.keys(secretTemplate.stringData!);

    it('the template holds only placeholders, which production refuses', () => {
      expect(keys.length).toBeGreaterThanOrEqual(4);
      for (const value of Object.values(secretTemplate.stringData!)) expect(value).toContain('change-me');
      const env = environmentOf(api);
      const files = secretFiles(podOf('payments-api'), api);
      expect(() => loadConfig(env, { readFile: (path) => secretTemplate.stringData![files.get(path)!] })).toThrow(/placeholder/);
    });

    it('every Secret value is read through a *_FILE variable of a secret the config knows', () => {
      const used = new Set<string>();
      for (const { pod, container } of containers) {
        const files = secretFiles(pod.spec, container);
        for (const entry of container.env ?? []) {
          if (!entry.name.endsWith('_FILE')) continue;
          expect(FILE_SECRETS).toContain(entry.name.replace(/_FILE$/, ''));
          // The file it names is mounted from a key the Secret has.
          expect({ variable: entry.name, key: files.get(entry.value!) }).toEqual({ variable: entry.name, key: expect.any(String) });
          expect(keys).toContain(files.get(entry.value!));
          used.add(files.get(entry.value!)!);
        }
        // No secret as a plain value.
        for (const name of FILE_SECRETS) expect(environmentOf(container)[name]).toBeUndefined();
      }
      expect([...used].sort()).toEqual([...keys].sort());
    });

    it('each workload mounts only the secret files it names', () => {
      for (const { pod, container } of containers) {
        const named = new Set((container.env ?? []).filter((e) => e.name.endsWith('_FILE')).map((e) => e.value));
        expect([...secretFiles(pod.spec, container).keys()].sort()).toEqual([...named].map(String).sort());
      }
    });
  });

  describe('probes', () => {
    it('the api probes public routes that exist: startup and liveness /health/live, readiness /health/ready', () => {
      const routes = healthRoutes();
      expect(api.startupProbe?.httpGet?.path).toBe('/health/live');
      expect(api.livenessProbe?.httpGet?.path).toBe('/health/live');
      expect(api.readinessProbe?.httpGet?.path).toBe('/health/ready');
      for (const probe of [api.startupProbe, api.livenessProbe, api.readinessProbe]) {
        expect({ path: probe!.httpGet!.path, public: routes.get(probe!.httpGet!.path) }).toEqual({ path: probe!.httpGet!.path, public: true });
        expect(api.ports!.map((port) => port.name)).toContain(probe!.httpGet!.port);
      }
    });

    it('the Service sends traffic to the api pods on that port', () => {
      const service = named('Service', 'payments-api');
      expect(service.spec!.selector).toEqual({ 'app.kubernetes.io/name': 'payments-api' });
      expect(named('Deployment', 'payments-api').spec!.template!.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'payments-api' });
      expect(service.spec!.ports!.map((port) => port.targetPort)).toEqual(['http']);
    });

    it('the worker probes the heartbeat file it writes, in a writable per-pod /tmp, like its image', () => {
      const main = read('apps/worker/src/main.ts');
      const file = /startHeartbeat\(join\(tmpdir\(\), '([^']+)'\)\)/.exec(main)?.[1];
      expect(file).toBe('payments-worker.heartbeat');
      for (const probe of [worker.startupProbe, worker.livenessProbe]) {
        expect(probe?.exec?.command.join(' ')).toContain(`/tmp/${file}`);
      }
      const tmp = worker.volumeMounts!.find((mount) => mount.mountPath === '/tmp')!;
      expect(podOf('payments-worker').volumes!.find((volume) => volume.name === tmp.name)?.emptyDir).toBeDefined();
      expect(worker.livenessProbe!.exec!.command[2]).toBe(/CMD \["node", "-e", "(.+)"\]/.exec(read('docker/worker.Dockerfile'))![1]);
      expect(worker.readinessProbe).toBeUndefined();
      expect(worker.ports!.map((port) => port.name)).toEqual(['metrics']);
    });
  });

  describe('metrics', () => {
    const scraped = [
      ['payments-api', api],
      ['payments-worker', worker],
    ] as const;
    const readFile = () => 'a-real-production-value-0123456789-abcdef';

    it.each(scraped)('%s names its metrics port, the one its config serves, and says so in its scrape annotations', (name, container) => {
      const config = loadConfig(environmentOf(container), { readFile });
      expect(config.metrics.port).toBeGreaterThan(0);
      expect(container.ports).toContainEqual({ name: 'metrics', containerPort: config.metrics.port });
      expect(named('Deployment', name).spec!.template!.metadata.annotations).toEqual({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(config.metrics.port),
        'prometheus.io/path': '/metrics',
      });
    });

    it('the metrics port is in no Service clients reach: the public Service sends http only', () => {
      for (const service of byKind('Service')) expect(service.spec!.ports!.map((port) => port.targetPort)).not.toContain('metrics');
    });

    it('the ServiceMonitor example finds the api and the worker pods on their metrics port, through headless Services', () => {
      const monitor = monitoring.find((m) => m.kind === 'ServiceMonitor')!;
      const wanted = (monitor.spec!.selector as { matchLabels: Record<string, string> }).matchLabels;
      const services = monitoring.filter((m) => m.kind === 'Service' && Object.entries(wanted).every(([k, v]) => m.metadata.labels?.[k] === v));
      expect(monitor.spec!.endpoints).toEqual([expect.objectContaining({ port: 'metrics', path: '/metrics' })]);
      const selected = services.map((service) => {
        expect(service.spec!.clusterIP).toBe('None');
        expect(service.spec!.ports).toEqual([expect.objectContaining({ name: 'metrics', targetPort: 'metrics' })]);
        const selector = service.spec!.selector as Record<string, string>;
        return byKind('Deployment').find((d) => Object.entries(selector).every(([k, v]) => d.spec!.template!.metadata.labels[k] === v))?.metadata.name;
      });
      expect(selected.map(String).sort()).toEqual(['payments-api', 'payments-worker']);
    });
  });

  describe('pods', () => {
    it.each(containers.map(({ pod, container }) => [`${pod.name}/${container.name}`, pod.spec, container] as const))(
      '%s runs as non-root with a read-only root filesystem, a writable /tmp and resources',
      (_name, spec, container) => {
        expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
        expect(spec.securityContext!.runAsUser).toBeGreaterThan(0);
        expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
        const tmp = container.volumeMounts!.find((mount) => mount.mountPath === '/tmp');
        expect(spec.volumes!.find((volume) => volume.name === tmp?.name)?.emptyDir).toBeDefined();
        expect(container.resources?.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
        expect(container.resources?.limits?.memory).toEqual(expect.any(String));
      },
    );

    it('the images run as the same non-root user', () => {
      for (const name of ['api', 'worker']) expect(read(`docker/${name}.Dockerfile`)).toMatch(/^USER node$/m);
      // The node user of the official Node images.
      for (const pod of pods) expect(pod.spec.securityContext!.runAsUser).toBe(1000);
    });

    it('api and worker share DATA_DIR on one ReadWriteMany volume', () => {
      const claim = named('PersistentVolumeClaim', 'payments-data');
      expect(claim.spec!.accessModes).toEqual(['ReadWriteMany']);
      for (const [name, container] of [
        ['payments-api', api],
        ['payments-worker', worker],
      ] as const) {
        const mount = container.volumeMounts!.find((m) => m.mountPath === configMap.data!.DATA_DIR);
        expect(podOf(name).volumes!.find((v) => v.name === mount?.name)?.persistentVolumeClaim?.claimName).toBe('payments-data');
      }
    });

    it('the api runs 2 replicas and drains: preStop pause, then a grace period longer than it', () => {
      const deployment = named('Deployment', 'payments-api');
      expect(deployment.spec!.replicas).toBe(2);
      const pause = Number(api.lifecycle!.preStop!.exec!.command[1]);
      expect(api.lifecycle!.preStop!.exec!.command[0]).toBe('sleep');
      expect(pause).toBeGreaterThan(0);
      expect(podOf('payments-api').terminationGracePeriodSeconds).toBeGreaterThanOrEqual(pause + 30);
    });
  });
});
