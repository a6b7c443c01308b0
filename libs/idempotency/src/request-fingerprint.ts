import { createHmac } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { FastifyRequest } from 'fastify';
import { canonicalJson } from '@app/core';

/** The parts of a request that make it "the same request" for an Idempotency-Key. */
export interface RequestParts {
  method: string;
  route: string;
  query: unknown;
  body: unknown;
  /** Where an upload of the request was stored (multipart routes). */
  uploadPath?: string;
}

/**
 * A keyed hash (HMAC-SHA256 with the app's secret) of the canonical request: method, route, query
 * and body with object keys sorted, and the uploaded file's bytes. Keyed because a body may carry a
 * password: the stored fingerprint must not be a plain hash of it.
 */
export async function requestFingerprint(parts: RequestParts, secret: string): Promise<string> {
  const hmac = createHmac('sha256', secret);
  hmac.update(canonicalJson([parts.method, parts.route, parts.query ?? null, parts.body ?? null]));
  if (parts.uploadPath) {
    hmac.update('\0file\0');
    for await (const chunk of createReadStream(parts.uploadPath)) hmac.update(chunk as Buffer);
  }
  return hmac.digest('hex');
}

export function requestParts(request: FastifyRequest & { file?: { path?: string } }): RequestParts {
  return {
    method: request.method,
    route: request.routeOptions.url ?? request.url.split('?')[0],
    query: request.query,
    body: request.body,
    uploadPath: request.file?.path,
  };
}
