import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { AppLogger, LOG_FLUSH_MS } from './app-logger';
import type { LogFormat } from './pretty';
import { runWithRequestId } from './request-context';

type Line = Record<string, unknown>;

/** A logger writing into memory; `flushed()` returns the JSON records written so far. */
function memoryLogger(level: 'info' | 'debug' | 'trace' = 'info', format?: LogFormat) {
  const chunks: string[] = [];
  const destination = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  const logger = new AppLogger({ level, destination, format });
  const flushed = async (): Promise<Line[]> => {
    // pino writes through multistream into the Writable; let any pending write settle first.
    await new Promise((resolve) => setImmediate(resolve));
    const text = chunks.join('');
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Line);
  };
  const text = async (): Promise<string> => {
    await new Promise((resolve) => setImmediate(resolve));
    return chunks.join('');
  };
  return { logger, flushed, raw: () => chunks.join(''), text };
}

async function only(flushed: () => Promise<Line[]>): Promise<Line> {
  const lines = await flushed();
  expect(lines).toHaveLength(1);
  return lines[0];
}

describe('AppLogger', () => {
  it('writes one JSON line per record with the level label and msg', async () => {
    const { logger, flushed, raw } = memoryLogger();
    logger.log('first');
    logger.warn('second');
    const lines = await flushed();
    expect(raw().split('\n')).toHaveLength(3); // two lines and the final newline
    expect(lines).toEqual([
      expect.objectContaining({ level: 'info', msg: 'first', pid: process.pid }),
      expect.objectContaining({ level: 'warn', msg: 'second' }),
    ]);
    expect(new Date(lines[0].time as string).toISOString()).toBe(lines[0].time);
  });

  it('maps log, warn, error and fatal to their pino levels', async () => {
    const { logger, flushed } = memoryLogger();
    logger.log('i');
    logger.warn('w');
    logger.error('e');
    logger.fatal('f');
    const lines = await flushed();
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      ['info', 'i'],
      ['warn', 'w'],
      ['error', 'e'],
      ['fatal', 'f'],
    ]);
  });

  it('carries the request id of runWithRequestId', async () => {
    const { logger, flushed } = memoryLogger();
    runWithRequestId('req-1', () => logger.log('inside'));
    logger.log('outside');
    const [inside, outside] = await flushed();
    expect(inside).toMatchObject({ msg: 'inside', requestId: 'req-1' });
    expect(outside).not.toHaveProperty('requestId');
  });

  it('writes access lines in the same shape, masking a PAN or token pasted into the path', async () => {
    const { logger, flushed, raw } = memoryLogger();
    logger.request({ requestId: 'r-1', method: 'GET', path: '/api/settlement/files/4111111111111111', status: 400, durationMs: 1.5 });
    logger.request({ requestId: 'r-2', method: 'GET', path: '/x/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc123def', status: 503, durationMs: 2 });
    const [first, second] = await flushed();
    expect(first).toMatchObject({ level: 'info', msg: 'request', requestId: 'r-1', method: 'GET', status: 400, durationMs: 1.5, pid: process.pid });
    expect(first.path).toBe('/api/settlement/files/411111******1111');
    expect(second).toMatchObject({ level: 'error', path: '/x/[redacted-token]' });
    expect(raw()).not.toContain('4111111111111111');
  });

  it('redacts password, authorization and access_token fields', async () => {
    const { logger, flushed } = memoryLogger();
    logger.log({ password: 'hunter2', authorization: 'Basic dXNlcjpwYXNz', access_token: 'tok123', user: 'ann' }, 'login', 'Auth');
    const line = await only(flushed);
    expect(line).toMatchObject({
      password: '[redacted]',
      authorization: '[redacted]',
      access_token: '[redacted]',
      user: 'ann',
      msg: 'login',
      context: 'Auth',
    });
  });

  it('redacts a nested password', async () => {
    const { logger, flushed, raw } = memoryLogger();
    logger.log({ user: { name: 'ann', password: 'hunter2' } }, 'created');
    const line = await only(flushed);
    expect(line.user).toEqual({ name: 'ann', password: '[redacted]' });
    expect(raw()).not.toContain('hunter2');
  });

  it('replaces a JWT inside the message', async () => {
    const { logger, flushed } = memoryLogger();
    logger.log('issued eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc123def to ann');
    expect((await only(flushed)).msg).toBe('issued [redacted-token] to ann');
  });

  it('scrubs a Bearer token', async () => {
    const { logger, flushed } = memoryLogger();
    logger.log('header was Bearer abc.def here');
    expect((await only(flushed)).msg).toBe('header was Bearer [redacted] here');
  });

  it('hides the password of a URL', async () => {
    const { logger, flushed } = memoryLogger();
    logger.log({ target: 'postgres://u:secret@h/db' }, 'connecting to postgres://u:secret@h/db', 'Db');
    const line = await only(flushed);
    expect(line.msg).toBe('connecting to postgres://u:***@h/db');
    expect(line.target).toBe('postgres://u:***@h/db');
  });

  it('masks a full PAN in the message and in a field', async () => {
    const { logger, flushed, raw } = memoryLogger();
    logger.log({ card: '4111111111111111', row: { raw: 'x;4111111111111111;10.00' } }, 'card 4111111111111111 declined', 'Ingest');
    const line = await only(flushed);
    expect(line.msg).toBe('card 411111******1111 declined');
    expect(line.card).toBe('411111******1111');
    expect(line.row).toEqual({ raw: 'x;411111******1111;10.00' });
    expect(raw()).not.toContain('4111111111111111');
  });

  it('puts the context and the stack of a Nest error call in their fields', async () => {
    const { logger, flushed } = memoryLogger();
    logger.error('boom', 'Error: x\n    at foo (a.js:1:1)', 'Ctx');
    const line = await only(flushed);
    expect(line).toMatchObject({ level: 'error', msg: 'boom', context: 'Ctx', stack: 'Error: x\n    at foo (a.js:1:1)' });
  });

  it('reads a string message followed by a context', async () => {
    const { logger, flushed } = memoryLogger();
    logger.log('started', 'Bootstrap');
    expect(await only(flushed)).toMatchObject({ msg: 'started', context: 'Bootstrap' });
  });

  it('turns a first-argument object into fields, with the next string as msg and the last as context', async () => {
    const { logger, flushed } = memoryLogger();
    logger.log({ a: 1 }, 'text', 'Ctx');
    const line = await only(flushed);
    expect(line).toMatchObject({ a: 1, msg: 'text', context: 'Ctx' });
  });

  it('reads the only string after an object as the context (Nest signature)', async () => {
    const { logger, flushed } = memoryLogger();
    logger.log({ a: 1 }, 'Ctx');
    const line = await only(flushed);
    expect(line).toMatchObject({ a: 1, context: 'Ctx' });
    expect(line).not.toHaveProperty('msg');
  });

  it('keeps a non-string extra parameter under extra', async () => {
    const { logger, flushed } = memoryLogger();
    logger.log('with extra', { n: 2 }, 'Ctx');
    expect(await only(flushed)).toMatchObject({ msg: 'with extra', extra: { n: 2 }, context: 'Ctx' });
  });

  it('uses the message of an Error given as the message', async () => {
    const { logger, flushed } = memoryLogger();
    logger.error(new Error('disk full'), 'Storage');
    expect(await only(flushed)).toMatchObject({ level: 'error', msg: 'disk full', context: 'Storage' });
  });

  it('does not write records below its level', async () => {
    const { logger, flushed } = memoryLogger('info');
    logger.debug('hidden debug');
    logger.verbose('hidden trace');
    logger.log('shown');
    const lines = await flushed();
    expect(lines.map((line) => line.msg)).toEqual(['shown']);
  });

  it('writes debug and trace lines when its level allows them', async () => {
    const { logger, flushed } = memoryLogger('trace');
    logger.debug('d');
    logger.verbose('v');
    const lines = await flushed();
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      ['debug', 'd'],
      ['trace', 'v'],
    ]);
  });

  it('keeps the type, message and stack of a logged Error, scrubbed', async () => {
    const { logger, flushed } = memoryLogger();
    logger.error({ err: new Error('card 4111111111111111 refused') }, 'outer', 'Ctx');
    const line = await only(flushed);
    expect(line.err).toMatchObject({ type: 'Error', message: 'card 411111******1111 refused' });
    expect(String((line.err as Line).stack)).toContain('app-logger.spec');
    expect(JSON.stringify(line)).not.toContain('4111111111111111');
  });

  it('reads a lone stack trace after the message as the stack, not the context', async () => {
    const { logger, flushed } = memoryLogger();
    logger.error('boom', 'Error: x\n    at foo (a.js:1:1)');
    const line = await only(flushed);
    expect(line.stack).toBe('Error: x\n    at foo (a.js:1:1)');
    expect(line.context).toBeUndefined();
  });

  it('keeps the bound values of a database error out of the log line', async () => {
    const { logger, flushed } = memoryLogger();
    const error = Object.assign(new Error('invalid byte sequence'), {
      query: 'INSERT INTO users (email, hashed_password) VALUES ($1, $2)',
      parameters: ['nul@example.com', '$2b$10$abcdefghijklmnopqrstuv'],
      driverError: { detail: 'Key (email)=(nul@example.com)' },
    });
    logger.error({ err: error }, 'Unexpected fault', 'HttpError');
    const text = JSON.stringify(await only(flushed));
    expect(text).toContain('INSERT INTO users');
    expect(text).not.toContain('nul@example.com');
    expect(text).not.toContain('$2b$10$');
  });
});

describe('AppLogger on a terminal (format pretty)', () => {
  it('writes a readable line: time, level, [context], message and the request id', async () => {
    const { logger, text } = memoryLogger('info', 'pretty');
    runWithRequestId('req-42', () => logger.warn('Cache Redis unreachable', 'SettlementQueryCache'));
    const out = await text();
    expect(out).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: \[SettlementQueryCache\] Cache Redis unreachable \(req-42\)\n$/);
    expect(() => JSON.parse(out)).toThrow();
  });

  it('shows an access line as one phrase, with its request id', async () => {
    const { logger, text } = memoryLogger('info', 'pretty');
    logger.request({ requestId: 'r-1', method: 'GET', path: '/api/transactions', status: 200, durationMs: 3.1 });
    expect(await text()).toMatch(/INFO: GET \/api\/transactions 200 3\.1 ms \(r-1\)\n$/);
  });

  it('keeps other fields and errors, and redacts and scrubs exactly as the JSON lines do', async () => {
    const { logger, text } = memoryLogger('info', 'pretty');
    logger.error({ taskId: 't1', password: 'hunter2', err: new Error('card 4111111111111111 refused') }, 'Job failed', 'JobRunner');
    const out = await text();
    expect(out).toContain('ERROR: [JobRunner] Job failed');
    expect(out).toContain('taskId: "t1"');
    expect(out).toContain('password: "[redacted]"');
    expect(out).toContain('card 411111******1111 refused');
    expect(out).not.toContain('hunter2');
    expect(out).not.toContain('4111111111111111');
  });
});

/**
 * stdout is written in batches (LOG_BATCH_BYTES, at least every LOG_FLUSH_MS): these run a process of
 * their own, since what is tested is what reaches its file descriptor 1 however the process ends.
 */
describe('AppLogger on stdout', () => {
  const child = (body: string) => {
    const script = `const { AppLogger } = require(${JSON.stringify(require.resolve('./app-logger'))});
      const logger = new AppLogger({ level: 'info' });
      const lines = (n) => { for (let i = 0; i < n; i++) logger.request({ requestId: 'r' + i, method: 'GET', path: '/api/transactions', status: 200, durationMs: 1 }); };
      ${body}`;
    const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    const ids = run.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => (JSON.parse(line) as Line).requestId);
    return { ids, status: run.status };
  };
  const expected = (n: number) => Array.from({ length: n }, (_, i) => `r${i}`);

  it('loses no buffered line on process.exit (how the graceful shutdown ends)', () => {
    expect(child('lines(500); process.exit(0);')).toEqual({ ids: expected(500), status: 0 });
  });

  it('loses none on a fatal error either', () => {
    expect(child("lines(30); setImmediate(() => { throw new Error('fatal'); });")).toEqual({ ids: expected(30), status: 1 });
  });

  it('writes a line within LOG_FLUSH_MS when too few come to fill a batch', () => {
    // SIGKILL runs no exit hook: what reached stdout by then came from the periodic flush.
    expect(child(`lines(3); setTimeout(() => process.kill(process.pid, 'SIGKILL'), ${LOG_FLUSH_MS * 5});`).ids).toEqual(expected(3));
  });
});
