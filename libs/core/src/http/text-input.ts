import { FieldProblem } from '../errors/domain-errors';

const NUL = /\u0000/;
/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Why a text cannot be taken, or undefined when it can. PostgreSQL refuses NUL in text (a 500 if it
 * gets that far) and SQLite and MySQL store it, truncating or not depending on the driver; an
 * unpaired surrogate is not Unicode, so no database stores it faithfully and no client can show it.
 * One answer for every dialect: refused at the door.
 */
export function unsafeTextProblem(field: string, value: string): string | undefined {
  if (NUL.test(value)) return `${field} must not contain a NUL character (U+0000)`;
  if (UNPAIRED_SURROGATE.test(value)) return `${field} must be valid Unicode text (it holds an unpaired surrogate)`;
  return undefined;
}

/**
 * Every string in a parsed input (and every key, which is text too), named by its dotted path
 * (`lines.1.note`); `root` names a bare string, such as a path parameter. Iterative, so a value of any
 * shape is walked without recursion (the body-depth hook bounds how deep a body gets here).
 */
export function unsafeTextProblems(value: unknown, root: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const stack: Array<[unknown, string]> = [[value, root]];
  while (stack.length > 0) {
    const [node, path] = stack.pop()!;
    if (typeof node === 'string') {
      const field = path || 'body';
      // Named like class-validator names a property: by its own name, an array item by its array's.
      const name =
        field
          .split('.')
          .filter((segment) => !/^\d+$/.test(segment))
          .pop() ?? field;
      const problem = unsafeTextProblem(name, node);
      if (problem) problems.push({ field, problems: [problem] });
    } else if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        const childPath = path ? `${path}.${key}` : key;
        const keyProblem = unsafeTextProblem('a field name', key);
        if (keyProblem) problems.push({ field: path || 'body', problems: [keyProblem] });
        else stack.push([child, childPath]);
      }
    }
  }
  // The walk is depth-first from the end; callers and messages read better in document order.
  return problems.reverse();
}
