import { SseStream } from './sse-stream';

const read = (stream: SseStream) => {
  const chunks: string[] = [];
  let chunk: Buffer | string | null;
  while ((chunk = stream.read()) !== null) chunks.push(chunk.toString());
  return chunks.join('');
};

describe('SseStream', () => {
  afterEach(() => jest.useRealTimers());

  it('opens with retry:, frames events with id, event and one data line per line', () => {
    const stream = new SseStream({ retryMs: 2000, heartbeatMs: 15_000 });
    stream.send({ id: '3', event: 'status', data: '{"a":1}' });
    stream.send({ data: 'two\nlines' });
    expect(read(stream)).toBe('retry: 2000\n\nid: 3\nevent: status\ndata: {"a":1}\n\ndata: two\ndata: lines\n\n');
    stream.close();
  });

  it('keeps no line break in an id or event name, which would end the field', () => {
    const stream = new SseStream({ retryMs: 1, heartbeatMs: 15_000 });
    stream.send({ id: '1\nevent: forged', data: 'x' });
    expect(read(stream)).toBe('retry: 1\n\nid: 1 event: forged\ndata: x\n\n');
    stream.close();
  });

  it('sends a heartbeat comment every heartbeatMs until it is closed', () => {
    jest.useFakeTimers();
    const stream = new SseStream({ retryMs: 1, heartbeatMs: 15_000 });
    read(stream);
    jest.advanceTimersByTime(30_000);
    expect(read(stream)).toBe(': heartbeat\n\n: heartbeat\n\n');
    stream.close();
    jest.advanceTimersByTime(30_000);
    expect(read(stream)).toBe('');
  });

  it('takes nothing more once closed or destroyed, and may be closed twice', () => {
    const stream = new SseStream({ retryMs: 1, heartbeatMs: 15_000 });
    stream.close();
    stream.close();
    stream.send({ data: 'late' });
    expect(stream.open).toBe(false);
    expect(read(stream)).toBe('retry: 1\n\n');
    const destroyed = new SseStream({ retryMs: 1, heartbeatMs: 15_000 });
    destroyed.destroy();
    expect(destroyed.open).toBe(false);
    expect(() => destroyed.send({ data: 'x' })).not.toThrow();
  });
});
