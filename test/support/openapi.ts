import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'supertest';
import type { TestApp } from './test-app';

/** The parts of an OpenAPI 3.0 document these tests read. */
export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  allOf?: Schema[];
  enum?: unknown[];
  example?: unknown;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  nullable?: boolean;
}

export interface Parameter {
  name: string;
  in: 'query' | 'path' | 'header' | 'cookie';
  required?: boolean;
  example?: unknown;
  schema?: Schema;
}

export interface MediaType {
  schema?: Schema;
  example?: unknown;
  examples?: Record<string, { summary?: string; value: unknown }>;
}

export interface Operation {
  operationId: string;
  tags?: string[];
  security?: unknown[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, MediaType> };
  responses: Record<string, { description?: string; content?: Record<string, MediaType> }>;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

export interface OperationRef {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  operation: Operation;
  /** "POST /create-user" */
  key: string;
}

export const JSON_TYPE = 'application/json';
export const FORM_TYPE = 'application/x-www-form-urlencoded';
export const MULTIPART_TYPE = 'multipart/form-data';

/** The settlement file the repository ships, sent wherever a route takes a file. */
export const SAMPLE_FILE = join(__dirname, '../../samples/settlement-sample.csv');

export async function fetchDocument(t: TestApp): Promise<OpenApiDocument> {
  return (await t.http().get('/docs-json').expect(200)).body as OpenApiDocument;
}

export function operationsOf(doc: OpenApiDocument): OperationRef[] {
  return Object.entries(doc.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]) => ({
      method: method as OperationRef['method'],
      path,
      operation,
      key: `${method.toUpperCase()} ${path}`,
    })),
  );
}

/** A schema with its `$ref` followed and an `allOf` merged, as a reader of the document sees it. */
export function resolveSchema(doc: OpenApiDocument, schema: Schema | undefined): Schema {
  if (!schema) return {};
  if (schema.$ref) return resolveSchema(doc, doc.components?.schemas?.[schema.$ref.replace('#/components/schemas/', '')]);
  if (schema.allOf) {
    const parts = schema.allOf.map((part) => resolveSchema(doc, part));
    return parts.reduce<Schema>(
      (merged, part) => ({
        ...merged,
        ...part,
        properties: { ...merged.properties, ...part.properties },
        required: [...(merged.required ?? []), ...(part.required ?? [])],
      }),
      { ...schema, allOf: undefined },
    );
  }
  return schema;
}

/**
 * What Swagger UI puts in "Try it out" for a schema: its example, else its default, else its first
 * enum value, else a value of its type ("string", 0, true), every property of an object included.
 */
export function sampleOf(doc: OpenApiDocument, schema: Schema | undefined): unknown {
  const resolved = resolveSchema(doc, schema);
  if (resolved.example !== undefined) return resolved.example;
  if (resolved.default !== undefined) return resolved.default;
  if (resolved.enum?.length) return resolved.enum[0];
  if (resolved.type === 'object' || resolved.properties) {
    return Object.fromEntries(Object.entries(resolved.properties ?? {}).map(([name, property]) => [name, sampleOf(doc, property)]));
  }
  if (resolved.type === 'array') return [sampleOf(doc, resolved.items)];
  return { string: 'string', integer: 0, number: 0, boolean: true }[resolved.type ?? 'string'];
}

export interface BodyExample {
  /** The named example, or "schema" when built from the properties' examples. */
  name: string;
  contentType: string;
  value: Record<string, unknown>;
}

/** Every request body an operation documents: each named example, else its one example, else the schema's sample, per content type. */
export function bodyExamples(doc: OpenApiDocument, operation: Operation): BodyExample[] {
  return Object.entries(operation.requestBody?.content ?? {}).flatMap(([contentType, media]) => {
    if (media.examples) {
      return Object.entries(media.examples).map(([name, example]) => ({ name, contentType, value: example.value as Record<string, unknown> }));
    }
    const value = media.example !== undefined ? media.example : sampleOf(doc, media.schema);
    return [{ name: media.example !== undefined ? 'example' : 'schema', contentType, value: value as Record<string, unknown> }];
  });
}

/** The query Swagger UI sends as filled in: every query parameter with an example (or a default). */
export function queryExample(operation: Operation): Record<string, string> {
  const query: Record<string, string> = {};
  for (const parameter of operation.parameters ?? []) {
    if (parameter.in !== 'query') continue;
    const value = parameter.example ?? parameter.schema?.example ?? parameter.schema?.default;
    if (value !== undefined) query[parameter.name] = String(value);
  }
  return query;
}

/** The properties of an operation's body for one content type, resolved. */
export function bodyProperties(doc: OpenApiDocument, operation: Operation, contentType: string): Record<string, Schema> {
  const properties = resolveSchema(doc, operation.requestBody?.content[contentType]?.schema).properties ?? {};
  return Object.fromEntries(Object.entries(properties).map(([name, schema]) => [name, resolveSchema(doc, schema)]));
}

/** Fills `{name}` placeholders of a path. */
export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    if (values[name] === undefined) throw new Error(`no value for path parameter ${name} of ${path}`);
    return encodeURIComponent(values[name]);
  });
}

/**
 * Sends a body as a client would for its content type: JSON as is, a form with each value as
 * text, multipart with a file for every binary property (the repository's sample settlement file).
 */
export function sendBody(request: Test, doc: OpenApiDocument, operation: Operation, body: BodyExample, file: Buffer = readFileSync(SAMPLE_FILE)): Test {
  if (body.contentType === JSON_TYPE) return request.set('Content-Type', JSON_TYPE).send(body.value);
  if (body.contentType === FORM_TYPE) {
    const form = new URLSearchParams(Object.entries(body.value).map(([name, value]): [string, string] => [name, String(value)]));
    return request.set('Content-Type', FORM_TYPE).send(form.toString());
  }
  if (body.contentType === MULTIPART_TYPE) {
    for (const [name, schema] of Object.entries(bodyProperties(doc, operation, MULTIPART_TYPE))) {
      if (schema.format === 'binary') request.attach(name, file, { filename: 'settlement-sample.csv', contentType: 'text/csv' });
      else if (body.value[name] !== undefined) request.field(name, String(body.value[name]));
    }
    return request;
  }
  throw new Error(`no way to send ${body.contentType}`);
}
