import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../errors/domain-errors';

/** Deeper than any body this API takes; deeper ones would exhaust the validator's stack (a 500). */
export const MAX_BODY_DEPTH = 16;

/** Measures nesting without recursion, stopping as soon as the limit is passed. */
export function nestingDepth(value: unknown, limit = MAX_BODY_DEPTH): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > limit) return deepest;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** Refuses a parsed body nested deeper than MAX_BODY_DEPTH before validation sees it. */
export function registerBodyDepthCheck(fastify: FastifyInstance): void {
  fastify.addHook('preValidation', (request, _reply, done) => {
    if (request.body !== undefined && nestingDepth(request.body) > MAX_BODY_DEPTH) {
      done(ValidationError.fields([{ field: 'body', problems: [`the body is nested more than ${MAX_BODY_DEPTH} levels deep`] }]));
      return;
    }
    done();
  });
}
