import type { NextFunction, Request, Response } from 'express';
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

export function bodyDepthMiddleware(req: Request, _res: Response, next: NextFunction): void {
  if (nestingDepth(req.body) > MAX_BODY_DEPTH) {
    next(ValidationError.fields([{ field: 'body', problems: [`the body is nested more than ${MAX_BODY_DEPTH} levels deep`] }]));
    return;
  }
  next();
}
