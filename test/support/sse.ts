import { IncomingHttpHeaders, request } from 'node:http';

export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
  /** When it arrived (ms since the stream opened), to check the pace. */
  at: number;
}

export interface SseStreamResult {
  status: number;
  headers: IncomingHttpHeaders;
  /** The whole body as text, for error answers (they are JSON). */
  body: string;
  events: SseMessage[];
  comments: string[];
  retry?: number;
  /** The server ended the stream (not the test's `until`, nor the timeout). */
  ended: boolean;
}

export interface OpenSseOptions {
  token?: string;
  lastEventId?: string;
  /** Stop reading (and close the connection) once this holds, checked after each event or comment. */
  until?: (events: SseMessage[], comments: string[]) => boolean;
  timeoutMs?: number;
  /** Called once the response head arrived, e.g. to change the task only once the stream is open. */
  onOpen?: () => void;
}

/**
 * Reads a text/event-stream response the way EventSource does (fields, comments, blank-line
 * dispatch), over a real connection: supertest would wait for the end of a stream that may not end.
 */
export function openSse(url: string, options: OpenSseOptions = {}): Promise<SseStreamResult> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;
    const started = Date.now();
    const req = request(url, { headers }, (res) => {
      const result: SseStreamResult = { status: res.statusCode ?? 0, headers: res.headers, body: '', events: [], comments: [], ended: false };
      let buffer = '';
      let settled = false;
      const finish = (ended: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        result.ended = ended;
        req.destroy();
        resolve(result);
      };
      const timer = setTimeout(() => finish(false), options.timeoutMs ?? 30_000);
      options.onOpen?.();
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        result.body += chunk;
        buffer += chunk;
        let split: number;
        while ((split = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, split);
          buffer = buffer.slice(split + 2);
          const message: SseMessage = { data: '', at: Date.now() - started };
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) result.comments.push(line.slice(1).trim());
            else if (line.startsWith('retry: ')) result.retry = Number(line.slice(7));
            else if (line.startsWith('id: ')) message.id = line.slice(4);
            else if (line.startsWith('event: ')) message.event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length > 0) {
            message.data = data.join('\n');
            result.events.push(message);
          }
          if (options.until?.(result.events, result.comments)) return finish(false);
        }
      });
      res.on('end', () => finish(true));
      res.on('error', () => finish(false));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The `status` events' bodies. */
export const statusesOf = (result: SseStreamResult) =>
  result.events.map((event) => JSON.parse(event.data) as { state: string; progress: { done: number; total: number }; [key: string]: unknown });
