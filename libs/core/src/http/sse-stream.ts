import { Readable } from 'node:stream';

export interface SseEvent {
  id?: string;
  event?: string;
  data: string;
}

/**
 * A `text/event-stream` body (the WHATWG Server-Sent Events format): it opens with the `retry:` a
 * client waits before reconnecting, sends a comment line every `heartbeatMs` so proxies do not take
 * the connection for idle, and emits 'close' however it ends (close(), the client leaving, Fastify
 * destroying it), so its owner can let go of what it holds.
 */
export class SseStream extends Readable {
  private readonly heartbeat: NodeJS.Timeout;
  private ended = false;

  constructor(options: { retryMs: number; heartbeatMs: number }) {
    super({ read: () => undefined });
    this.push(`retry: ${options.retryMs}\n\n`);
    this.heartbeat = setInterval(() => this.comment('heartbeat'), options.heartbeatMs);
    this.heartbeat.unref();
  }

  send(event: SseEvent): void {
    if (!this.open) return;
    let frame = '';
    if (event.id !== undefined) frame += `id: ${oneLine(event.id)}\n`;
    if (event.event !== undefined) frame += `event: ${oneLine(event.event)}\n`;
    // A line break inside the data would end the field: each line is a data line of its own.
    for (const line of event.data.split(/\r\n|\r|\n/)) frame += `data: ${line}\n`;
    this.push(`${frame}\n`);
  }

  comment(text: string): void {
    if (this.open) this.push(`: ${oneLine(text)}\n\n`);
  }

  /** Ends the response once what was sent has been read. */
  close(): void {
    clearInterval(this.heartbeat);
    if (!this.open) return;
    this.ended = true;
    this.push(null);
  }

  /** Still taking events: neither closed nor destroyed. */
  get open(): boolean {
    return !this.ended && !this.destroyed;
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearInterval(this.heartbeat);
    callback(error);
  }
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]/g, ' ');
}
