import type { DestinationStream } from 'pino';
import { prettyFactory } from 'pino-pretty';
import type { NodeEnv } from '../config/config.types';

export type LogFormat = 'json' | 'pretty';

/**
 * §Operations: readable lines for a person at a terminal, JSON for everything else (a pipe, a file,
 * a container's log collector). Production is JSON even on a terminal: a `docker run -t` must not
 * change what the log pipeline receives.
 */
export function logFormatFor(nodeEnv: NodeEnv, stdoutIsTTY: boolean | undefined): LogFormat {
  return stdoutIsTTY === true && nodeEnv !== 'production' ? 'pretty' : 'json';
}

/** The fields of an access line (AppLogger.request), shown as one phrase: `GET /path 200 3.1 ms`. */
const ACCESS_FIELDS = ['method', 'path', 'status', 'durationMs'] as const;

/**
 * Writes each JSON record of the logger to `destination` as a readable line (pino-pretty): time,
 * level, `[context]` and the message, the request id after it, other fields and errors below.
 * The records themselves are the JSON ones, so what is redacted or scrubbed there is here too.
 */
export function prettyDestination(destination: DestinationStream, colorize: boolean): DestinationStream {
  const prettify = prettyFactory({
    colorize,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,context,requestId',
    messageFormat: (log, messageKey, _level, { colors }) => {
      const context = typeof log.context === 'string' ? `${colors.cyan(`[${log.context}]`)} ` : '';
      const requestId = typeof log.requestId === 'string' ? ` ${colors.gray(`(${log.requestId})`)}` : '';
      return `${context}${String(log[messageKey] ?? '')}${requestId}`;
    },
  });
  return { write: (line: string) => destination.write(prettify(asPhrase(JSON.parse(line) as Record<string, unknown>))) };
}

function asPhrase(record: Record<string, unknown>): Record<string, unknown> {
  if (record.msg !== 'request' || !ACCESS_FIELDS.every((field) => field in record)) return record;
  const { method, path, status, durationMs, ...rest } = record;
  return { ...rest, msg: `${String(method)} ${String(path)} ${String(status)} ${String(durationMs)} ms` };
}
