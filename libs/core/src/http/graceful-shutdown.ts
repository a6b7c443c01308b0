import type { LoggerService } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Server } from 'node:http';
import { Server as NetServer } from 'node:net';

/**
 * How long the api may take to drain once signalled, within the platforms' grace periods (compose
 * 30 s; Kubernetes 45 s, of which preStop takes 10 s). Past it the process exits non-zero.
 */
export const SHUTDOWN_GRACE_MS = 25_000;

/** How long open keep-alive connections get to send their next request (answered, then closed). */
const KEEP_ALIVE_DRAIN_MS = 2_000;

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

const drainListeners = new Set<() => void>();

/**
 * Called when this process starts draining, before it waits for the requests in flight: what keeps
 * a response open on purpose (an event stream) ends it then, so the client reconnects to another
 * replica at once instead of holding the drain until the grace period runs out.
 */
export function onDrainStart(listener: () => void): () => void {
  drainListeners.add(listener);
  return () => drainListeners.delete(listener);
}

/**
 * §Operations graceful shutdown, in the order that keeps every received request answered:
 * 1. the listener closes (new connections are refused, so never half-received) and open event
 *    streams end (onDrainStart; their clients reconnect elsewhere), but open keep-alive
 *    connections stay: their next request is answered with `Connection: close`, so each client
 *    closes its own connection after an answer instead of the server resetting one the client may
 *    be writing a request into (`return503OnClosing` is off, so nothing is refused with 503);
 * 2. after KEEP_ALIVE_DRAIN_MS, or once none is left, idle connections are closed and the
 *    requests in flight finish; then Fastify closes;
 * 3. only then does Nest close the queues, databases and Redis those requests needed. Nest's own
 *    shutdown hooks would close them first, failing the requests in flight.
 */
export function closeOnSignals(app: NestFastifyApplication, logger: LoggerService, graceMs = SHUTDOWN_GRACE_MS): void {
  let closing = false;
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (_request, reply, done) => {
    if (closing) reply.header('connection', 'close');
    done();
  });
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    const started = Date.now();
    logger.log(`${signal}: taking no new connections, answering the requests already received`, 'Shutdown');
    for (const listener of drainListeners) listener();
    const deadline = setTimeout(() => {
      logger.error(`Still draining after ${graceMs} ms: exiting`, undefined, 'Shutdown');
      process.exit(1);
    }, graceMs);
    try {
      await drain(app.getHttpServer() as Server);
      await app.getHttpAdapter().close();
      await app.close();
      logger.log(`Closed in ${Date.now() - started} ms`, 'Shutdown');
      process.exitCode = 0;
    } catch (error) {
      logger.error({ err: error }, 'Shutdown failed', 'Shutdown');
      process.exitCode = 1;
    } finally {
      clearTimeout(deadline);
    }
  };
  const onSignal = (signal: NodeJS.Signals) => void shutdown(signal);
  SIGNALS.forEach((s) => process.on(s, onSignal));
  // However the app closes (a signal, a test's app.close()), it stops listening for signals.
  fastify.addHook('onClose', (_instance, done) => {
    SIGNALS.forEach((s) => process.removeListener(s, onSignal));
    done();
  });
}

/**
 * Steps 1 and 2: refuses new connections (net.Server's close: http.Server's would also drop idle
 * keep-alive connections at once), gives busy ones their `Connection: close` answer, then closes
 * the idle rest and waits for the requests in flight (the grace timer bounds it).
 */
async function drain(server: Server): Promise<void> {
  if (!server.listening) return;
  NetServer.prototype.close.call(server);
  await connectionsGone(server, Date.now() + KEEP_ALIVE_DRAIN_MS);
  server.closeIdleConnections();
  await connectionsGone(server, Number.POSITIVE_INFINITY);
}

async function connectionsGone(server: Server, deadline: number): Promise<void> {
  while (Date.now() < deadline && (await openConnections(server)) > 0) await new Promise((resolve) => setTimeout(resolve, 20));
}

function openConnections(server: Server): Promise<number> {
  return new Promise((resolve) => server.getConnections((error, count) => resolve(error ? 0 : count)));
}
