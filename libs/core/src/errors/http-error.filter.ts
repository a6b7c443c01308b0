import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { Request, Response } from 'express';
import { currentRequestId } from '../logging/request-context';
import { DomainError, ErrorKind, TooManyRequestsError } from './domain-errors';

const STATUS_BY_KIND: Record<ErrorKind, number> = {
  validation: HttpStatus.BAD_REQUEST,
  unauthorized: HttpStatus.UNAUTHORIZED,
  forbidden: HttpStatus.FORBIDDEN,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  gone: HttpStatus.GONE,
  payload_too_large: HttpStatus.PAYLOAD_TOO_LARGE,
  too_many_requests: HttpStatus.TOO_MANY_REQUESTS,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
};

/** Messages for the errors body-parser raises before any handler runs, keyed by its `type`. */
const BODY_PARSER_MESSAGES: Record<string, string> = {
  'entity.too.large': 'Request body is too large',
  'entity.parse.failed': 'Request body is not valid JSON',
  'encoding.unsupported': 'Request body encoding is not supported',
  'charset.unsupported': 'Request body charset is not supported',
  'request.aborted': 'Request was aborted by the client',
  'request.size.invalid': 'Request body size does not match Content-Length',
  'parameters.too.many': 'Request body has too many parameters',
};

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: unknown;
  requestId: string | undefined;
}

/** The one place an error becomes a response: §HTTP's `{statusCode, error, message, details?, requestId}`. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const response = ctx.getResponse<Response>();
    const request = ctx.getRequest<Request>();
    const { status, message, details } = this.describe(exception);

    if (status >= 500 && status !== HttpStatus.SERVICE_UNAVAILABLE) {
      this.logger.error(
        { err: exception, method: request.method, path: request.path },
        'Unexpected fault while serving a request',
      );
    }
    if (exception instanceof TooManyRequestsError) {
      response.setHeader('Retry-After', String(exception.retryAfterSeconds));
    }
    if (response.headersSent) {
      response.end();
      return;
    }
    const body: ErrorBody = {
      statusCode: status,
      error: STATUS_CODES[status] ?? 'Error',
      message,
      ...(details === undefined ? {} : { details }),
      requestId: currentRequestId() ?? (response.getHeader('X-Request-Id') as string | undefined),
    };
    response.status(status).json(body);
  }

  private describe(exception: unknown): { status: number; message: string; details?: unknown } {
    if (exception instanceof DomainError) {
      return { status: STATUS_BY_KIND[exception.kind], message: exception.message, details: exception.details };
    }
    // body-parser's errors arrive raw or, through Nest's adapter, as the cause of an HttpException.
    const parserError = (exception instanceof HttpException ? exception.cause : exception) as
      | { type?: string; status?: number; expose?: boolean }
      | undefined;
    if (parserError?.type && BODY_PARSER_MESSAGES[parserError.type] && typeof parserError.status === 'number') {
      return { status: parserError.status, message: BODY_PARSER_MESSAGES[parserError.type] };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status >= 500) return { status, message: 'Internal server error' };
      const response = exception.getResponse();
      const message = typeof response === 'string' ? response : (response as { message?: unknown }).message;
      return { status, message: Array.isArray(message) ? message.join('; ') : String(message ?? exception.message) };
    }
    return { status: HttpStatus.INTERNAL_SERVER_ERROR, message: 'Internal server error' };
  }
}
