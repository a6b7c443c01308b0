import { ArgumentMetadata, ValidationError as ClassValidatorError, Type, ValidationPipe } from '@nestjs/common';
import { FieldProblem, ValidationError } from '../errors/domain-errors';
import { unsafeTextProblems } from './text-input';

/**
 * Rules about what a value is, rather than what it holds. When one of them fails, the rules after it
 * (a range, a length, a pattern) have nothing sensible to say: `"x"` is not "greater than 10", it
 * is not a number. class-validator runs them all, and its `stopAtFirstError` stops at whichever
 * decorator sits lowest in the source, so the choice is made here.
 */
const TYPE_RULES = new Set(['isString', 'isInt', 'isNumber', 'isBoolean', 'isArray', 'isObject', 'nestedValidation']);

/** One message per broken rule: nothing but "is required" for an absent field, only the type rule for a value of the wrong type. */
function brokenRules(error: ClassValidatorError): string[] {
  const constraints = error.constraints ?? {};
  if ('whitelistValidation' in constraints) return Object.values(constraints);
  // IsOptional lets undefined and null through, so a rule that saw one belongs to a required field.
  if (error.value === undefined || error.value === null) return [`${error.property} is required`];
  const typeRules = Object.keys(constraints).filter((name) => TYPE_RULES.has(name));
  return (typeRules.length > 0 ? typeRules : Object.keys(constraints)).map((name) => constraints[name]);
}

/** Flattens class-validator's tree into one entry per bad field, named by its dotted path. */
export function toFieldProblems(errors: ClassValidatorError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, problems: brokenRules(error) }] : [];
    return [...own, ...toFieldProblems(error.children ?? [], field)];
  });
}

/** Set on a parsed form body (see markTextOnlyBody), whose values are all strings whatever they stand for. */
const TEXT_ONLY = Symbol('text-only input');

/** Marks a body parsed from a form, so that its values are converted like a query string's. */
export function markTextOnlyBody(body: object): void {
  Object.defineProperty(body, TEXT_ONLY, { value: true, enumerable: false });
}

const INTEGER_TEXT = /^-?\d+$/;

/**
 * A query string or a form carries only text; JSON carries types. Text is read as the number or
 * boolean the DTO property is declared as (`limit=10`, `detailed=true`), so the same rules then judge
 * both. Only plain digit strings become numbers: `1e3`, `0x10`, ` 5` and `1.0` stay text and are
 * refused as not whole numbers. A digit string too long for a double still reads as a number (the
 * largest one), so the range rule names the problem.
 */
function convertText(value: Record<string, unknown>, metatype: Type<unknown>): Record<string, unknown> {
  const converted: Record<string, unknown> = { ...value };
  for (const [key, raw] of Object.entries(value)) {
    if (typeof raw !== 'string') continue;
    const type = Reflect.getMetadata('design:type', metatype.prototype, key);
    if (type === Number && INTEGER_TEXT.test(raw)) {
      const number = Number(raw);
      converted[key] = Number.isFinite(number) ? number : Math.sign(number) * Number.MAX_VALUE;
    } else if (type === Boolean && (raw === 'true' || raw === 'false')) {
      converted[key] = raw === 'true';
    }
  }
  return converted;
}

/** Query strings whose validated DTO the pipe keeps, per DTO class (oldest forgotten first). */
export const VALIDATED_QUERIES_KEPT = 1_000;

const NOT_DTOS = new Set<unknown>([String, Number, Boolean, Array, Object, Date, Buffer]);

/**
 * The DTOs of query strings already validated, by DTO class and the query's parameters as parsed.
 * A query DTO's rules and transforms are functions of the query alone (no clock, no store: the
 * query DTOs of every route are), so the same parameters always give the same DTO or the same 400:
 * a query asked again (a dashboard's page, a cached read) skips class-validator and
 * class-transformer (6% of a cached read's CPU). Only accepted queries are kept; each caller gets
 * a copy of its own.
 */
class ValidatedQueries {
  private readonly byType = new Map<Type<unknown>, Map<string, object>>();

  static keyOf(value: unknown, metadata: ArgumentMetadata): string | undefined {
    const { metatype } = metadata;
    if (metadata.type !== 'query' || metadata.data !== undefined || !metatype || NOT_DTOS.has(metatype)) return undefined;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    return JSON.stringify(value);
  }

  get(type: Type<unknown>, key: string): object | undefined {
    const kept = this.byType.get(type)?.get(key);
    return kept && Object.assign(Object.create(Object.getPrototypeOf(kept) as object | null) as object, kept);
  }

  set(type: Type<unknown>, key: string, dto: unknown): void {
    if (dto === null || typeof dto !== 'object') return;
    let kept = this.byType.get(type);
    if (!kept) this.byType.set(type, (kept = new Map()));
    if (kept.size >= VALIDATED_QUERIES_KEPT) kept.delete(kept.keys().next().value!);
    kept.set(key, Object.freeze(dto));
  }
}

/**
 * The one validation pipe (global). Before any rule of a route runs, every text in what the route reads
 * (body, query, path parameters, form and multipart fields) is checked for NUL and unpaired
 * surrogates (§HTTP "Inputs out of range are 400"), so no route can forget it; then text-only
 * inputs are converted, then the DTO's rules judge. Unknown fields are refused and every bad field
 * is named, once per broken rule.
 */
export class AppValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      // The value is kept for brokenRules (absent or not); the problems never echo it.
      validationError: { target: false, value: true },
      exceptionFactory: (errors) => ValidationError.fields(toFieldProblems(errors)),
    });
  }

  private readonly queries = new ValidatedQueries();

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'custom') return super.transform(value, metadata);
    const key = ValidatedQueries.keyOf(value, metadata);
    if (key === undefined) return this.judge(value, metadata);
    const type = metadata.metatype!;
    const kept = this.queries.get(type, key);
    if (kept) return kept;
    const dto = await this.judge(value, metadata);
    this.queries.set(type, key, dto);
    return this.queries.get(type, key) ?? dto;
  }

  /** The unsafe-text check, the text conversion, then the DTO's rules (class-validator). */
  private async judge(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const unsafe = unsafeTextProblems(value, metadata.type === 'param' ? (metadata.data ?? 'path') : '');
    if (unsafe.length > 0) throw ValidationError.fields(unsafe);
    const textOnly = metadata.type === 'query' || (metadata.type === 'body' && value !== null && typeof value === 'object' && TEXT_ONLY in value);
    if (textOnly && metadata.metatype && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      value = convertText(value as Record<string, unknown>, metadata.metatype);
    }
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new AppValidationPipe();
}
