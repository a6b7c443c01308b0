import { LoggerService } from '@nestjs/common';
import pino, { DestinationStream, Logger as Pino } from 'pino';
import { LogLevel } from '../config/config.types';
import { LogFormat, prettyDestination } from './pretty';
import { currentRequestId } from './request-context';
import { scrubText, scrubValue } from './scrub';

/** Keys whose values are replaced wherever they appear in a log record. */
export const REDACTED_KEYS = [
  'password',
  'newPassword',
  'authorization',
  'cookie',
  'token',
  'access_token',
  'secret',
  'secretKey',
  'SECRET_KEY',
  'hashedPassword',
  'hashed_password',
  'parameters',
];

const REDACT_PATHS = REDACTED_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

/**
 * How long a log line may wait in this process's buffer before it is written. Lines are written in
 * batches (LOG_BATCH_BYTES, or this often when fewer come): one write per access-log line was a
 * tenth of a cached read's CPU (docs/settlement-query.md). On exit, however it comes (a normal exit,
 * `process.exit`, an uncaught error), what is buffered is written synchronously (pino's exit hook for
 * asynchronous destinations, and `flushSync` on shutdown); a SIGKILL loses at most this much.
 */
export const LOG_FLUSH_MS = 100;
/** Buffered lines are written once they reach this many bytes (a few dozen access-log lines). */
export const LOG_BATCH_BYTES = 8 * 1024;

/** An asynchronous, batching pino destination (sonic-boom): stdout or LOG_FILE. */
function batchedDestination(target: { fd: number } | { dest: string; mkdir: true }): pino.DestinationStream & { flushSync(): void } {
  return pino.destination({ ...target, sync: false, minLength: LOG_BATCH_BYTES, periodicFlush: LOG_FLUSH_MS });
}

/** A JSON logger (pino) behind Nest's LoggerService: one line per record with the request id. */
export class AppLogger implements LoggerService {
  readonly pino: Pino;
  /** The batching destinations this logger opened (not one it was given), flushed synchronously by `flushSync`. */
  private readonly batched: Array<{ flushSync(): void }> = [];
  /** The same streams and line shape without redaction or scrubbing, for `request()` lines only. */
  private readonly accessPino: Pino;

  /**
   * `format` is what stdout gets (logFormatFor decides it at boot; JSON unless said); LOG_FILE is
   * always JSON, being read by programs.
   */
  constructor(options: { level: LogLevel; file?: string; destination?: DestinationStream; format?: LogFormat }) {
    // A terminal (pretty) is written at once, a line at a time: a person is reading it.
    const stdout = options.destination ?? (options.format === 'pretty' ? pino.destination({ fd: 1, sync: true }) : this.own(batchedDestination({ fd: 1 })));
    // Each stream takes every level; the logger's own level filters (a stream without one is `info`).
    const streams: pino.StreamEntry[] = [
      { level: 'trace', stream: options.format === 'pretty' ? prettyDestination(stdout, options.destination === undefined) : stdout },
    ];
    if (options.file) streams.push({ level: 'trace', stream: this.own(batchedDestination({ dest: options.file, mkdir: true })) });
    const destination = pino.multistream(streams, { dedupe: false });
    const shape = {
      level: options.level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label: string) => ({ level: label }) },
    };
    // Nothing buffered is lost on a normal exit, process.exit() (the graceful shutdown's end) or a
    // fatal error: 'exit' runs synchronously before the process goes (pino hooks it too; this makes
    // it this logger's guarantee, tested, rather than a dependency's detail).
    if (this.batched.length > 0) process.once('exit', () => this.flushSync());
    this.accessPino = pino(shape, destination);
    this.pino = pino(
      {
        ...shape,
        redact: { paths: REDACT_PATHS, censor: '[redacted]' },
        mixin: () => {
          const requestId = currentRequestId();
          return requestId ? { requestId } : {};
        },
        formatters: {
          ...shape.formatters,
          // Also turns Errors (non-enumerable message and stack) into {type, message, stack}.
          log: (record) => scrubValue(record) as Record<string, unknown>,
        },
        // formatters.log has already turned `err` into {type, message, stack}; pino's default would redo it as "Object".
        serializers: { err: (err: unknown) => err },
        hooks: {
          logMethod(args, method) {
            // The message string (args[0] when it is the only string, else args[1]) is scrubbed too.
            const scrubbed = args.map((arg) => (typeof arg === 'string' ? scrubText(arg) : arg));
            method.apply(this, scrubbed as Parameters<typeof method>);
          },
        },
      },
      destination,
    );
  }

  /**
   * The access log: one line per finished request, on every request, so it skips the redaction and
   * scrubbing every other line goes through (a seventh of a cached read's CPU, measured). It takes
   * only these fields, none of which can hold a secret once the path is scrubbed (a PAN or a token
   * pasted into a URL path).
   */
  request(line: { requestId: string; method: string; path: string; status: number; durationMs: number }): void {
    const level = line.status >= 500 ? 'error' : 'info';
    if (!this.accessPino.isLevelEnabled(level)) return;
    this.accessPino[level]({ ...line, path: scrubText(line.path) }, 'request');
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  flush(): void {
    this.pino.flush();
  }

  /**
   * Writes every buffered line now, before returning: for the last moments of a process (Nest's
   * onApplicationShutdown, the `exit` event), when an asynchronous write might never complete.
   */
  flushSync(): void {
    for (const destination of this.batched) {
      try {
        destination.flushSync();
      } catch {
        // Closed already, or a write in flight that pino's own exit hook completes: nothing to add.
      }
    }
  }

  private own<T extends { flushSync(): void }>(destination: T): T {
    this.batched.push(destination);
    return destination;
  }

  /**
   * Nest calls `logger.x(message, ...extra, context)`. A first-argument object becomes fields; a
   * string that looks like a stack trace becomes `stack`; the last string is the context.
   */
  private write(level: pino.Level, message: unknown, params: unknown[]): void {
    const fields: Record<string, unknown> = {};
    const rest = [...params];
    const last = rest[rest.length - 1];
    if (typeof last === 'string' && !isStack(last)) fields.context = rest.pop();
    let text: string | undefined;
    if (message instanceof Error) {
      fields.err = message;
      text = message.message;
    } else if (message !== null && typeof message === 'object') {
      Object.assign(fields, message);
    } else {
      text = String(message);
    }
    for (const extra of rest) {
      if (typeof extra === 'string' && isStack(extra)) fields.stack = extra;
      else if (typeof extra === 'string' && text === undefined) text = extra;
      else if (extra instanceof Error) fields.err = extra;
      else if (extra !== undefined) fields.extra = extra;
    }
    this.pino[level](fields, text);
  }
}

function isStack(text: string): boolean {
  return /\n\s+at /.test(text);
}
