import { ArgumentsHost, BadRequestException, HttpException, InternalServerErrorException, Logger, NotFoundException } from '@nestjs/common';
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

/** A Fastify-like reply that records what the filter does to it. */
class FakeReply {
  statusCode?: number;
  body?: ErrorBody;
  contentType?: string;
  readonly headers: Record<string, string> = {};
  readonly raw: { headersSent: boolean; ended: boolean; end: () => void };

  constructor(headersSent = false) {
    this.raw = {
      headersSent,
      ended: false,
      end() {
        this.ended = true;
      },
    };
  }

  get sent(): boolean {
    return this.raw.headersSent;
  }

  header(name: string, value: string): this {
    this.headers[name.toLowerCase()] = value;
    return this;
  }

  code(status: number): this {
    this.statusCode = status;
    return this;
  }

  type(contentType: string): this {
    this.contentType = contentType;
    return this;
  }

  send(body: ErrorBody): this {
    this.body = body;
    return this;
  }
}

function hostFor(response: FakeReply, requestId?: string): ArgumentsHost {
  const request = { method: 'POST', url: '/api/v1/things?x=1', id: requestId };
  return {
    switchToHttp: () => ({ getResponse: () => response, getRequest: () => request, getNext: () => undefined }),
  } as unknown as ArgumentsHost;
}

function handle(exception: unknown, response = new FakeReply(), requestId?: string): FakeReply {
  new HttpErrorFilter().catch(exception, hostFor(response, requestId));
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

    // Found by the fuzz: a JSON body sent as a form is one field named by the whole JSON, echoed.
    it('names a field whose name is no name by a stand-in, in the message and the problems', () => {
      const name = '{"username":"alice","password":"pw-0123456789ab"}';
      const response = handle(
        ValidationError.fields([
          { field: name, problems: [`property ${name} should not exist`] },
          { field: '', problems: ['property  should not exist'] },
        ]),
      );
      const shown = `(a field whose name of ${name.length} characters is not shown)`;
      expect(response.body).toMatchObject({
        message: `Invalid input: ${shown}, (a field with an empty name)`,
        details: [
          { field: shown, problems: [`property ${shown} should not exist`] },
          { field: '(a field with an empty name)', problems: ['property  should not exist'] },
        ],
      });
      expect(JSON.stringify(response.body)).not.toContain('pw-0123456789ab');
    });

    // Found by the fuzz: a 404 quoted its URL, card number and all.
    it('masks a card number in the message and the details', () => {
      const response = handle(new NotFoundException('Cannot PUT /api/transactions?filter_value=4111111111111111'));
      expect(response.body?.message).toBe('Cannot PUT /api/transactions?filter_value=411111******1111');
      const details = handle(ValidationError.fields([{ field: 'filter_value', problems: ['4111111111111111 is not a date'] }])).body?.details;
      expect(details).toEqual([{ field: 'filter_value', problems: ['411111******1111 is not a date'] }]);
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

    it("explains Fastify's body errors, which arrive as the cause of an HttpException", () => {
      const tooLarge = Object.assign(new Error('Request body is too large'), { name: 'FastifyError', code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 });
      const response = handle(new HttpException(tooLarge.message, 413, { cause: tooLarge }));
      expect(response.statusCode).toBe(413);
      expect(response.body).toMatchObject({ error: 'Payload Too Large', message: 'Request body is too large' });

      const mediaType = Object.assign(new Error('Unsupported Media Type: text/plain'), {
        name: 'FastifyError',
        code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
        statusCode: 415,
      });
      expect(handle(new HttpException(mediaType.message, 415, { cause: mediaType })).body).toMatchObject({
        statusCode: 415,
        message: expect.stringContaining('send application/json'),
      });
    });

    it('explains JSON that does not parse (a SyntaxError with status 400)', () => {
      const syntax = Object.assign(new SyntaxError('Unexpected token } in JSON at position 9'), { statusCode: 400 });
      const response = handle(new HttpException(syntax.message, 400, { cause: syntax }));
      expect(response.statusCode).toBe(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: 'Request body is not valid JSON' });
    });

    it('says when JSON was refused for a __proto__ key', () => {
      const poisoned = Object.assign(new SyntaxError('Object contains forbidden prototype property'), { statusCode: 400 });
      expect(handle(new HttpException(poisoned.message, 400, { cause: poisoned })).body?.message).toBe(
        'Request body has a forbidden __proto__ or constructor.prototype key',
      );
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
      expect(loggedErrors).toHaveBeenCalledWith({ err: fault, method: 'POST', path: '/api/v1/things' }, 'Unexpected fault while serving a request');
    });
  });

  it("puts the request's id in the body", () => {
    expect(handle(new NotFoundError('gone'), new FakeReply(), 'req-42').body?.requestId).toBe('req-42');
  });

  it('only ends a response whose headers were already sent', () => {
    const response = handle(new Error('late'), new FakeReply(true));
    expect(response.raw.ended).toBe(true);
    expect(response.statusCode).toBeUndefined();
    expect(response.body).toBeUndefined();
  });
});
