import type { Server } from 'node:http';
import { Counter, Registry } from 'prom-client';
import { startMetricsServer, stopMetricsServer } from './metrics-server';

const portOf = (server: Server) => (server.address() as { port: number }).port;

describe('startMetricsServer', () => {
  it('answers GET /metrics in the Prometheus text format, and 404 to anything else', async () => {
    const registry = new Registry();
    new Counter({ name: 'things_total', help: 'things', registers: [registry] }).inc(3);
    const server = await startMetricsServer(registry, 0, '127.0.0.1');
    const port = portOf(server);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(await res.text()).toContain('things_total 3');
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST' })).status).toBe(404);
    } finally {
      await stopMetricsServer(server);
    }
  });

  it('refuses a port in use with a message naming METRICS_PORT and the way out', async () => {
    const first = await startMetricsServer(new Registry(), 0, '127.0.0.1');
    const port = portOf(first);
    try {
      await expect(startMetricsServer(new Registry(), port, '127.0.0.1')).rejects.toThrow(
        `METRICS_PORT ${port} is in use: set METRICS_PORT to a free port, or to 0 to turn metrics off`,
      );
    } finally {
      await stopMetricsServer(first);
    }
  });
});
