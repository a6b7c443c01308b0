import {
  ArgumentsHost,
  BadRequestException,
  HttpException,
  InternalServerErrorException,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import { runWithRequestId } from '../logging/request-context';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  TooManyRequestsError,
  UnauthorizedError,
  ValidationError,
} from './domain-errors';
import { ErrorBody, HttpErrorFilter } from './http-error.filter';

/** An express-like response that records what the filter does to it. */
class FakeResponse {
  statusCode?: number;
  body?: ErrorBody;
  ended = false;
  readonly headers: Record<string, string> = {};

  constructor(readonly headersSent = false) {}

  setHeader(name: string, value: string): this {
    this.headers[name.toLowerCase()] = value;
    return this;
  }

  getHeader(name: string): string | undefined {
    return this.headers[name.toLowerCase()];
  }

  status(code: number): this {
    this.statusCode = code;
    return this;
  }

  json(body: ErrorBody): this {
    this.body = body;
    return this;
  }

  end(): this {
    this.ended = true;
    return this;
  }
}

function hostFor(response: FakeResponse): ArgumentsHost {
  const request = { method: 'POST', path: '/api/v1/things' };
  return {
    switchToHttp: () => ({ getResponse: () => response, getRequest: () => request, getNext: () => undefined }),
  } as unknown as ArgumentsHost;
}

function handle(exception: unknown, response = new FakeResponse()): FakeResponse {
  new HttpErrorFilter().catch(exception, hostFor(response));
  return response;
}

describe('HttpErrorFilter', () => {
  let loggedErrors: jest.SpyInstance;

  beforeEach(() => {
    loggedErrors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => {
    loggedErrors.mockRestore();
  });

  describe('domain errors', () => {
    it('maps ValidationError to 400 with its details', () => {
      const problems = [{ field: 'amount', problems: ['amount must be a positive number'] }];
      const response = handle(ValidationError.fields(problems));
      expect(response.statusCode).toBe(400);
      expect(response.body).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message: 'Invalid input: amount',
        details: problems,
        requestId: undefined,
      });
    });

    it.each([
      ['UnauthorizedError', new UnauthorizedError('Bad credentials'), 401, 'Unauthorized'],
      ['ForbiddenError', new ForbiddenError('Admins only'), 403, 'Forbidden'],
      ['NotFoundError', new NotFoundError('Transaction 7 not found'), 404, 'Not Found'],
      ['ConflictError', new ConflictError('Email already used'), 409, 'Conflict'],
      ['PayloadTooLargeError', new PayloadTooLargeError('File too large'), 413, 'Payload Too Large'],
      ['ServiceUnavailableError', new ServiceUnavailableError('Queue down'), 503, 'Service Unavailable'],
    ])('maps %s to %i with its message', (_name, error, status, reason) => {
      const response = handle(error);
      expect(response.statusCode).toBe(status);
      expect(response.body).toEqual({ statusCode: status, error: reason, message: error.message, requestId: undefined });
    });

    it('maps TooManyRequestsError to 429 with a Retry-After header', () => {
      const response = handle(new TooManyRequestsError('Too many login attempts', 30));
      expect(response.statusCode).toBe(429);
      expect(response.headers['retry-after']).toBe('30');
      expect(response.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests', message: 'Too many login attempts' });
    });

    it('sets no Retry-After header for other errors', () => {
      expect(handle(new ConflictError('x')).headers).toEqual({});
    });

    it('omits details when the error has none', () => {
      expect(handle(new NotFoundError('gone')).body).not.toHaveProperty('details');
    });

    it('does not log expected domain errors or 503', () => {
      handle(new NotFoundError('gone'));
      handle(new ServiceUnavailableError('Queue down'));
      expect(loggedErrors).not.toHaveBeenCalled();
    });
  });

  describe('Nest HTTP exceptions', () => {
    it('keeps the status and message of NotFoundException', () => {
      const response = handle(new NotFoundException('Route GET /nope not found'));
      expect(response.statusCode).toBe(404);
      expect(response.body).toEqual({
        statusCode: 404,
        error: 'Not Found',
        message: 'Route GET /nope not found',
        requestId: undefined,
      });
    });

    it('joins an array message', () => {
      const response = handle(new BadRequestException(['a is bad', 'b is bad']));
      expect(response.body).toMatchObject({ statusCode: 400, message: 'a is bad; b is bad' });
    });

    it('takes a string response as the message', () => {
      const response = handle(new HttpException('Gone for good', 410));
      expect(response.body).toMatchObject({ statusCode: 410, error: 'Gone', message: 'Gone for good' });
    });

    it('explains a body-parser error wrapped as the cause of an HttpException', () => {
      const exception = new HttpException('Unexpected token } in JSON at position 9', 400, {
        cause: { type: 'entity.parse.failed', status: 400 },
      });
      const response = handle(exception);
      expect(response.statusCode).toBe(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: 'Request body is not valid JSON' });
    });

    it('explains a raw body-parser error with its own status', () => {
      const exception = Object.assign(new Error('request entity too large'), { type: 'entity.too.large', status: 413 });
      const response = handle(exception);
      expect(response.statusCode).toBe(413);
      expect(response.body).toMatchObject({ error: 'Payload Too Large', message: 'Request body is too large' });
    });

    it('does not leak the message of a 5xx HttpException', () => {
      const response = handle(new InternalServerErrorException('password authentication failed for user finance'));
      expect(response.statusCode).toBe(500);
      expect(response.body?.message).toBe('Internal server error');
      expect(JSON.stringify(response.body)).not.toContain('finance');
    });

    it('keeps the status of another 5xx HttpException, hiding its message', () => {
      const response = handle(new HttpException('upstream at 10.0.0.3 refused', 502));
      expect(response.body).toEqual({
        statusCode: 502,
        error: 'Bad Gateway',
        message: 'Internal server error',
        requestId: undefined,
      });
    });
  });

  describe('unexpected errors', () => {
    it('answers 500 without leaking internals', () => {
      const response = handle(new Error('secret internals at /etc/passwd'));
      expect(response.statusCode).toBe(500);
      expect(response.body).toEqual({
        statusCode: 500,
        error: 'Internal Server Error',
        message: 'Internal server error',
        requestId: undefined,
      });
      expect(JSON.stringify(response.body)).not.toContain('passwd');
    });

    it('answers 500 for a thrown non-Error', () => {
      expect(handle('just a string').body).toMatchObject({ statusCode: 500, message: 'Internal server error' });
    });

    it('logs the fault with the request method and path', () => {
      const fault = new Error('boom');
      handle(fault);
      expect(loggedErrors).toHaveBeenCalledTimes(1);
      expect(loggedErrors).toHaveBeenCalledWith(
        { err: fault, method: 'POST', path: '/api/v1/things' },
        'Unexpected fault while serving a request',
      );
    });
  });

  describe('request id', () => {
    it('comes from runWithRequestId', () => {
      const response = runWithRequestId('req-42', () => handle(new NotFoundError('gone')));
      expect(response.body?.requestId).toBe('req-42');
    });

    it('falls back to the X-Request-Id response header', () => {
      const response = new FakeResponse().setHeader('X-Request-Id', 'hdr-7');
      handle(new NotFoundError('gone'), response);
      expect(response.body?.requestId).toBe('hdr-7');
    });
  });

  it('only ends a response whose headers were already sent', () => {
    const response = handle(new Error('late'), new FakeResponse(true));
    expect(response.ended).toBe(true);
    expect(response.statusCode).toBeUndefined();
    expect(response.body).toBeUndefined();
  });
});
