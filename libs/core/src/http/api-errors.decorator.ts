import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input; `details` names every bad field',
  401: 'Missing, invalid or expired token, or wrong credentials',
  403: 'The caller lacks the role or subscription this needs',
  404: 'No such object (or not yours)',
  409: 'Conflicts with the current state, or a request with the same Idempotency-Key is still running',
  410: 'Existed but has expired',
  413: 'Body too large',
  422: 'The Idempotency-Key was already used with a different request',
  429: 'Too many attempts; see Retry-After',
  503: 'A dependency is down; try again shortly',
};

/**
 * Documents the §HTTP error shape for each status a route can answer, with an example. Always as
 * JSON, even on a route that produces CSV (its errors are JSON all the same).
 */
export function ApiErrors(...statuses: number[]) {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? STATUS_CODES[status],
        content: { 'application/json': { schema: errorSchema(status) } },
      }),
    ),
  );
}

function errorSchema(status: number) {
  return {
    type: 'object',
    required: ['statusCode', 'error', 'message', 'requestId'],
    properties: {
      statusCode: { type: 'integer', example: status },
      error: { type: 'string', example: STATUS_CODES[status] },
      message: { type: 'string', example: status === 400 ? 'Invalid input: email' : DESCRIPTIONS[status] },
      details: status === 400 ? { type: 'array', example: [{ field: 'email', problems: ['email must be an email'] }] } : { type: 'object', nullable: true },
      requestId: { type: 'string', example: '5f0c6f8e-2a4e-4d43-9f55-0b7f3c1d2e10' },
    },
  };
}
