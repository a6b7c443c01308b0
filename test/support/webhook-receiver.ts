import { IncomingHttpHeaders, Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The status this receiver answered. */
  answered: number;
  at: number;
}

export interface WebhookReceiver {
  url: (path: string) => string;
  received: ReceivedWebhook[];
  /** Resolves once `predicate` holds for what was received (polling), or rejects after `timeoutMs`. */
  waitFor(predicate: (received: ReceivedWebhook[]) => boolean, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

/**
 * A webhook receiver on the loopback address (nothing else is reachable from a test). `answer`
 * picks the status for each request from what came before it.
 */
export async function startWebhookReceiver(
  answer: (request: Omit<ReceivedWebhook, 'answered'>, before: ReceivedWebhook[]) => number,
): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const request = { path: req.url ?? '/', headers: req.headers, body, at: Date.now() };
      const status = answer(request, [...received]);
      received.push({ ...request, answered: status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'not now');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    received,
    async waitFor(predicate, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(received)) {
        if (Date.now() > deadline)
          throw new Error(
            `webhook receiver: still waiting after ${timeoutMs} ms; received ${JSON.stringify(received.map((r) => [r.path, r.answered, r.headers['webhook-id']]))}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return received;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // The senders keep their connections alive; close() alone would wait for them.
        server.closeAllConnections();
      }),
  };
}
