import { SetMetadata, UseInterceptors, applyDecorators } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { ApiErrors } from '@app/core';
import { IDEMPOTENT_OPTIONS, IdempotencyInterceptor, IdempotentOptions } from './idempotency.interceptor';

/**
 * Marks a POST that creates or changes something as taking §HTTP's `Idempotency-Key`, and
 * documents the header and its answers. On a multipart route, put it above the file interceptor so
 * the upload is part of the request it fingerprints.
 */
export function Idempotent(options: IdempotentOptions) {
  return applyDecorators(
    SetMetadata(IDEMPOTENT_OPTIONS, options),
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        '1–255 printable ASCII characters, unique per request you mean (a UUID). A retry with the same key and request ' +
        'is not run again: it answers what the first answered (2xx only), with `Idempotent-Replayed: true`. Kept 24 hours.',
      schema: { type: 'string', minLength: 1, maxLength: 255, example: '9b2f0c1e-4d3a-4f6b-8e7d-1c2b3a4d5e6f' },
    }),
    ApiErrors(409, 422),
  );
}
