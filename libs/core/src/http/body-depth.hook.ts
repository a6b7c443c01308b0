import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../errors/domain-errors';

/** Deeper than any body this API takes; deeper ones would exhaust the validator's stack (a 500). */
export const MAX_BODY_DEPTH = 16;
/**
 * More values (keys and array elements, at every level) than any body this API takes, whose
 * largest holds a dozen fields. Past it, validation would name every unknown field: a 300 KB array
 * of 100,000 `{}` made a 7 MB answer and held the event loop for seconds.
 */
export const MAX_BODY_VALUES = 1_000;

/** The body's nesting depth and how many values it holds, without recursion, stopping once a limit is passed. */
export function bodyShape(value: unknown, limits = { depth: MAX_BODY_DEPTH, values: MAX_BODY_VALUES }): { depth: number; values: number } {
  let depth = 0;
  let values = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, level] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    depth = Math.max(depth, level + 1);
    const children = Object.values(node);
    values += children.length;
    if (depth > limits.depth || values > limits.values) break;
    for (const child of children) stack.push([child, level + 1]);
  }
  return { depth, values };
}

/** Measures nesting without recursion, stopping as soon as the limit is passed. */
export function nestingDepth(value: unknown, limit = MAX_BODY_DEPTH): number {
  return bodyShape(value, { depth: limit, values: Infinity }).depth;
}

/** Refuses a parsed body nested deeper than MAX_BODY_DEPTH, or holding more than MAX_BODY_VALUES values, before validation sees it. */
export function registerBodyDepthCheck(fastify: FastifyInstance): void {
  fastify.addHook('preValidation', (request, _reply, done) => {
    if (request.body === undefined) return done();
    const shape = bodyShape(request.body);
    if (shape.depth > MAX_BODY_DEPTH) {
      done(ValidationError.fields([{ field: 'body', problems: [`the body is nested more than ${MAX_BODY_DEPTH} levels deep`] }]));
      return;
    }
    if (shape.values > MAX_BODY_VALUES) {
      done(ValidationError.fields([{ field: 'body', problems: [`the body holds more than ${MAX_BODY_VALUES} values (fields and array elements)`] }]));
      return;
    }
    done();
  });
}
