import type { BodyExample, OpenApiDocument, OperationRef, Schema } from '../openapi';
import { FORM_TYPE, JSON_TYPE, MULTIPART_TYPE, bodyExamples, bodyProperties, resolveSchema } from '../openapi';
import { JsonLike, MultipartOptions, MultipartPart, Pair, pairsOf, percentEncode, toFormText, toJsonText, toMultipart } from './bodies';
import type { FuzzRequest } from './http';
import { MUTATIONS, Mutation } from './mutations';
import type { Random } from './random';

export type Role = 'anonymous' | 'user' | 'subscriber' | 'operator' | 'admin';
export const ROLES: readonly Role[] = ['anonymous', 'user', 'subscriber', 'operator', 'admin'];

/** What the fuzzer knows of the API under test, beyond its document. */
export interface FuzzTarget {
  doc: OpenApiDocument;
  /** A token per role, logged in once (anonymous has none). */
  tokens: Record<Role, string | undefined>;
  /** The server's SECRET_KEY, to sign tokens that are well signed but wrong in what they say. */
  secretKey: string;
  /**
   * A value that means something here (an id that exists, a username of this run, a column name)
   * for an input, or undefined to keep the document's example. Inputs that name a user pick from
   * names the run may change freely, so no case locks out the roles the others run as.
   */
  meaningful(op: OperationRef, name: string, where: 'path' | 'query' | 'body', role: Role, rng: Random): string | undefined;
  /** A hostile value only this API knows to try (a forged cursor, another user's id), or undefined. */
  hostile?(op: OperationRef, name: string, where: 'path' | 'query' | 'body', role: Role, rng: Random): { kind: string; value: JsonLike } | undefined;
  /** The file a multipart case uploads: the sample, or one made to be hostile. */
  file(rng: Random): { kind: string; filename: string; data: Buffer };
}

export type DraftBody =
  | { kind: 'json'; value: JsonLike }
  | { kind: 'form'; pairs: Pair[] }
  | { kind: 'multipart'; boundary: string; parts: MultipartPart[]; options: MultipartOptions }
  | { kind: 'bytes'; bytes: Buffer };

/** A request while mutations work on it: still in parts, each open to change. */
export interface Draft {
  op: OperationRef;
  role: Role;
  method: string;
  pathValues: Record<string, { value: string; raw?: boolean }>;
  query: Pair[];
  headers: Array<[string, string]>;
  body?: DraftBody;
  /** The Content-Type header to send: the body's own unless changed; null sends none. */
  contentType?: string | null;
  /** The schema of each body field, for mutations that pick a value by type. */
  fields: Record<string, Schema>;
  raw?: Buffer;
}

export interface FuzzCase {
  index: number;
  op: OperationRef;
  role: Role;
  /** What was done to the request, e.g. `body.field:sql`, `auth:algNone`; empty for the example as sent. */
  mutations: string[];
  request: FuzzRequest;
}

/** How many mutations a case gets: most one, some none (the request as documented), some several. */
const MUTATION_COUNT = { '0': 15, '1': 55, '2': 20, '3': 10 } as const;

/**
 * One fuzz case of `op` as `role`: its documented request made hostile by 0–3 mutations drawn at
 * random, or by exactly the `forced` one (by name).
 */
export function generateCase(target: FuzzTarget, index: number, rng: Random, op: OperationRef, role: Role, forced?: string): FuzzCase {
  const draft = baseDraft(target, op, role, rng);
  const mutations: string[] = [];
  if (forced !== undefined) {
    const mutation = MUTATIONS.find((m) => m.name === forced);
    if (!mutation) throw new Error(`no mutation named ${forced}`);
    mutations.push(`${mutation.name}:${mutation.apply(draft, rng, target)}`);
    return { index, op, role, mutations, request: toRequest(draft) };
  }
  const count = Number(rng.weighted(MUTATION_COUNT));
  for (let i = 0; i < count && !draft.raw; i++) {
    // Asked again each time: an earlier mutation may have replaced the body these work on.
    const mutation = pickMutation(
      rng,
      MUTATIONS.filter((m) => m.weight > 0 && m.applies(draft)),
    );
    mutations.push(`${mutation.name}:${mutation.apply(draft, rng, target)}`);
  }
  return { index, op, role, mutations, request: toRequest(draft) };
}

function pickMutation(rng: Random, mutations: Mutation[]): Mutation {
  return mutations[Number(rng.weighted(Object.fromEntries(mutations.map((m, i) => [String(i), m.weight]))))];
}

function baseDraft(target: FuzzTarget, op: OperationRef, role: Role, rng: Random): Draft {
  const { doc } = target;
  const draft: Draft = { op, role, method: op.method.toUpperCase(), pathValues: {}, query: [], headers: [], fields: {} };
  for (const parameter of op.operation.parameters ?? []) {
    const schema = resolveSchema(doc, parameter.schema);
    if (parameter.in === 'path') {
      draft.pathValues[parameter.name] = {
        value: target.meaningful(op, parameter.name, 'path', role, rng) ?? String(parameter.example ?? schema.example ?? 'x'),
      };
    } else if (parameter.in === 'query') {
      const value = target.meaningful(op, parameter.name, 'query', role, rng) ?? validQueryValue(schema, parameter.example, rng);
      if (value !== undefined && (parameter.required || rng.chance(0.4))) draft.query.push({ name: parameter.name, value });
    }
  }
  const token = target.tokens[role];
  if (token) draft.headers.push(['Authorization', `Bearer ${token}`]);
  if (rng.chance(0.2)) draft.headers.push(['Accept', 'application/json']);

  const examples = bodyExamples(doc, op.operation);
  if (examples.length > 0) {
    const example = rng.pick(examples);
    draft.fields = bodyProperties(doc, op.operation, example.contentType);
    draft.body = bodyOf(target, draft, example, rng);
    draft.contentType = undefined;
  }
  return draft;
}

/** A value within the parameter's documented range, or its example. */
function validQueryValue(schema: Schema, example: unknown, rng: Random): string | undefined {
  if (schema.enum?.length) return String(rng.pick(schema.enum));
  if (schema.type === 'integer') {
    const min = schema.minimum ?? 0;
    const max = Math.min(schema.maximum ?? min + 100, min + 100);
    return String(rng.chance(0.1) ? (schema.maximum ?? max) : rng.between(min, max));
  }
  const value = example ?? schema.example ?? schema.default;
  return value === undefined ? undefined : String(value);
}

function bodyOf(target: FuzzTarget, draft: Draft, example: BodyExample, rng: Random): DraftBody {
  const value: Record<string, unknown> = { ...example.value };
  for (const name of Object.keys(value)) {
    const meaningful = target.meaningful(draft.op, name, 'body', draft.role, rng);
    if (meaningful !== undefined) value[name] = meaningful;
  }
  if (example.contentType === FORM_TYPE) return { kind: 'form', pairs: pairsOf(value) };
  if (example.contentType === MULTIPART_TYPE) {
    const parts: MultipartPart[] = [];
    for (const [name, schema] of Object.entries(draft.fields)) {
      if (schema.format === 'binary') {
        const file = target.file(rng);
        parts.push({ name, filename: file.filename, contentType: 'text/csv', data: file.data });
      } else if (value[name] !== undefined) parts.push({ name, data: String(value[name]) });
    }
    return { kind: 'multipart', boundary: `----fuzz${rng.hex(16)}`, parts, options: {} };
  }
  if (example.contentType !== JSON_TYPE) throw new Error(`no way to send ${example.contentType}`);
  return { kind: 'json', value: value as JsonLike };
}

/** The content type a body is sent with, unless a mutation chose another. */
function ownContentType(body: DraftBody): string | null {
  switch (body.kind) {
    case 'json':
      return JSON_TYPE;
    case 'form':
      return FORM_TYPE;
    case 'multipart':
      return `${MULTIPART_TYPE}; boundary=${body.boundary}`;
    case 'bytes':
      return null;
  }
}

export function toRequest(draft: Draft): FuzzRequest {
  if (draft.raw) return { method: draft.method, target: '', headers: [], raw: draft.raw };
  const path = draft.op.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const part = draft.pathValues[name];
    return part.raw ? part.value : percentEncode(part.value);
  });
  const query = toFormText(draft.query);
  const headers = [...draft.headers];
  let body: Buffer | undefined;
  if (draft.body) {
    body = serialiseBody(draft.body);
    const contentType = draft.contentType === undefined ? ownContentType(draft.body) : draft.contentType;
    if (contentType !== null) headers.push(['Content-Type', contentType]);
  } else if (draft.contentType) headers.push(['Content-Type', draft.contentType]);
  return { method: draft.method, target: query ? `${path}?${query}` : path, headers, body };
}

function serialiseBody(body: DraftBody): Buffer {
  switch (body.kind) {
    case 'json':
      return Buffer.from(toJsonText(body.value), 'utf8');
    case 'form':
      return Buffer.from(toFormText(body.pairs), 'utf8');
    case 'multipart':
      return toMultipart(body.boundary, body.parts, body.options);
    case 'bytes':
      return body.bytes;
  }
}
