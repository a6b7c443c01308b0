import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DependencyUnavailableError, OUTAGE_RETRY_AFTER_SECONDS, isConstraintViolation, isOutage } from './dependency-errors';
import { DomainError, ErrorKind, TooManyRequestsError } from './domain-errors';
import { maskPansInText } from '../security/pan';

const STATUS_BY_KIND: Record<ErrorKind, number> = {
  validation: HttpStatus.BAD_REQUEST,
  unauthorized: HttpStatus.UNAUTHORIZED,
  forbidden: HttpStatus.FORBIDDEN,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  gone: HttpStatus.GONE,
  unprocessable: HttpStatus.UNPROCESSABLE_ENTITY,
  payload_too_large: HttpStatus.PAYLOAD_TOO_LARGE,
  too_many_requests: HttpStatus.TOO_MANY_REQUESTS,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
};

/** Messages for the errors Fastify raises while reading a body, before any handler runs, keyed by its `code`. */
const BODY_ERROR_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'Request body is too large',
  FST_ERR_CTP_INVALID_JSON_BODY: 'Request body is not valid JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'Request body is empty but Content-Type says JSON',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Request body type is not supported: send application/json (or a form where the route says so)',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Request body size does not match Content-Length',
  FST_ERR_CTP_INVALID_TYPE: 'Content-Type header is not valid',
};

/** Fastify refuses `__proto__` and `constructor.prototype` keys as a SyntaxError too; say which it was. */
function jsonProblem(error: { message?: string }): string {
  return /prototype/i.test(error.message ?? '')
    ? 'Request body has a forbidden __proto__ or constructor.prototype key'
    : BODY_ERROR_MESSAGES.FST_ERR_CTP_INVALID_JSON_BODY;
}

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: unknown;
  requestId: string | undefined;
}

/** §HTTP's error body; also used for the errors Fastify answers before Nest sees the request. */
export function errorBody(status: number, message: string, requestId: string | undefined, details?: unknown): ErrorBody {
  return {
    statusCode: status,
    error: STATUS_CODES[status] ?? 'Error',
    message,
    ...(details === undefined ? {} : { details }),
    requestId,
  };
}

/** The one place an error becomes a response: §HTTP's `{statusCode, error, message, details?, requestId}`. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const response = ctx.getResponse<FastifyReply>();
    const request = ctx.getRequest<FastifyRequest>();
    const { status, message, details } = this.describe(exception);

    if (status === HttpStatus.SERVICE_UNAVAILABLE) {
      this.logger.warn({ method: request.method, path: request.url.split('?')[0] }, message);
    } else if (status >= 500) {
      this.logger.error({ err: exception, method: request.method, path: request.url.split('?')[0] }, 'Unexpected fault while serving a request');
    }
    if (exception instanceof TooManyRequestsError) {
      response.header('Retry-After', String(exception.retryAfterSeconds));
    } else if (status === HttpStatus.SERVICE_UNAVAILABLE) {
      response.header('Retry-After', String(OUTAGE_RETRY_AFTER_SECONDS));
    }
    if (response.sent || response.raw.headersSent) {
      response.raw.end();
      return;
    }
    // An error may quote what the request held (a 404 names its URL): a card number in it is masked.
    void response
      .code(status)
      .type('application/json; charset=utf-8')
      .send(errorBody(status, maskPansInText(message), request.id, withPansMasked(details)));
  }

  private describe(exception: unknown): { status: number; message: string; details?: unknown } {
    // Most outages arrive already named by the data layer (instrumentDataSource); this names the rest.
    if (!(exception instanceof DomainError) && isOutage(exception)) exception = new DependencyUnavailableError(outagePart(exception), { cause: exception });
    if (exception instanceof DomainError) {
      return { status: STATUS_BY_KIND[exception.kind], message: exception.message, details: exception.details };
    }
    // Fastify's body errors (JSON that does not parse, too large, an unsupported type) reach filters
    // as the cause of an HttpException with their own 4xx status; JSON syntax errors carry no code.
    const cause = (exception instanceof HttpException ? exception.cause : exception) as
      { code?: string; statusCode?: number; name?: string; message?: string } | undefined;
    if (cause && typeof cause.statusCode === 'number' && cause.statusCode < 500) {
      const message = cause.name === 'SyntaxError' ? jsonProblem(cause) : BODY_ERROR_MESSAGES[cause.code ?? ''];
      if (message) return { status: cause.statusCode, message };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status >= 500) return { status, message: 'Internal server error' };
      const response = exception.getResponse();
      const message = typeof response === 'string' ? response : (response as { message?: unknown }).message;
      return { status, message: Array.isArray(message) ? message.join('; ') : String(message ?? exception.message) };
    }
    // A race that a constraint settled (two requests inserting the same key): the loser hears 409.
    if (isConstraintViolation(exception))
      return { status: HttpStatus.CONFLICT, message: 'The change conflicts with data stored meanwhile; read it again and retry' };
    return { status: HttpStatus.INTERNAL_SERVER_ERROR, message: 'Internal server error' };
  }
}

/** Every text in an error's details with its card numbers masked; most hold no 13 digits in a row, and are kept as they are. */
function withPansMasked(details: unknown): unknown {
  return details === undefined || !/\d{13}/.test(JSON.stringify(details)) ? details : maskPansIn(details);
}

function maskPansIn(value: unknown): unknown {
  if (typeof value === 'string') return maskPansInText(value);
  if (Array.isArray(value)) return value.map(maskPansIn);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, maskPansIn(item)]));
  return value;
}

/** ioredis names its errors; anything else unnamed is reported without guessing which database. */
function outagePart(error: unknown): 'Redis' | 'a dependency' {
  const name = (error as { name?: string } | null)?.name ?? '';
  return /^(MaxRetriesPerRequestError|ReplyError|RedisError)$/.test(name) || /redis/i.test(String((error as Error)?.message)) ? 'Redis' : 'a dependency';
}
