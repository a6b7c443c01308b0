import { Writable } from 'node:stream';
import { AppLogger } from './app-logger';
import { logFormatFor } from './pretty';
import { runWithRequestId } from './request-context';

/** What a logger wrote, as text, once pending writes have settled. */
function capture(format?: 'json' | 'pretty') {
  const chunks: string[] = [];
  const destination = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  const logger = new AppLogger({ level: 'info', destination, format });
  const text = async () => {
    await new Promise((resolve) => setImmediate(resolve));
    return chunks.join('');
  };
  return { logger, text };
}

describe('logFormatFor', () => {
  it.each([
    ['development', true, 'pretty'],
    ['test', true, 'pretty'],
    ['production', true, 'json'],
    ['development', false, 'json'],
    ['development', undefined, 'json'],
    ['production', false, 'json'],
  ] as const)('NODE_ENV=%s, stdout a terminal: %s → %s', (nodeEnv, isTTY, format) => {
    expect(logFormatFor(nodeEnv, isTTY)).toBe(format);
  });
});

describe('AppLogger on a terminal (pretty)', () => {
  it('writes a readable line: time, level, [context], message and the request id', async () => {
    const { logger, text } = capture('pretty');
    runWithRequestId('req-42', () => logger.warn('Cache Redis unreachable', 'SettlementQueryCache'));
    const out = await text();
    expect(out).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: \[SettlementQueryCache\] Cache Redis unreachable \(req-42\)\n$/);
    expect(() => JSON.parse(out)).toThrow();
  });

  it('shows an access line as one phrase, with its request id', async () => {
    const { logger, text } = capture('pretty');
    logger.request({ requestId: 'r-1', method: 'GET', path: '/api/transactions', status: 200, durationMs: 3.1 });
    expect(await text()).toMatch(/INFO: GET \/api\/transactions 200 3\.1 ms \(r-1\)\n$/);
  });

  it('keeps other fields and errors, and redacts and scrubs exactly as the JSON lines do', async () => {
    const { logger, text } = capture('pretty');
    logger.error({ taskId: 't1', password: 'hunter2', err: new Error('card 4111111111111111 refused') }, 'Job failed', 'JobRunner');
    const out = await text();
    expect(out).toContain('ERROR: [JobRunner] Job failed');
    expect(out).toContain('taskId: "t1"');
    expect(out).toContain('password: "[redacted]"');
    expect(out).toContain('card 411111******1111 refused');
    expect(out).not.toContain('hunter2');
    expect(out).not.toContain('4111111111111111');
  });

  it('is JSON, one record a line, unless told otherwise', async () => {
    const { logger, text } = capture();
    runWithRequestId('req-7', () => logger.log('started', 'Bootstrap'));
    expect(JSON.parse(await text())).toMatchObject({ level: 'info', msg: 'started', context: 'Bootstrap', requestId: 'req-7' });
  });
});
