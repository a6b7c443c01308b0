import { Server, createServer } from 'node:http';
import type { Registry } from 'prom-client';

/**
 * The metrics listener: `GET /metrics` in Prometheus' text format, on its own port, apart from the
 * public HTTP server (it is never routed through the api's Service or Ingress). Anything else is 404.
 */
export async function startMetricsServer(registry: Registry, port: number, host = '0.0.0.0'): Promise<Server> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found: metrics are at GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'Content-Type': registry.contentType }).end(request.method === 'HEAD' ? undefined : text),
      (error: Error) => response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`metrics unavailable: ${error.message}\n`),
    );
  });
  // A scrape is one short request; nothing should hold a connection (or a shutdown) for long.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const why = error.code === 'EADDRINUSE' ? 'is in use' : `cannot be opened (${error.code ?? error.message})`;
      reject(new Error(`METRICS_PORT ${port} ${why}: set METRICS_PORT to a free port, or to 0 to turn metrics off`, { cause: error }));
    });
    server.listen(port, host, () => resolve());
  });
  return server;
}

export async function stopMetricsServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
