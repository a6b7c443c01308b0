import { STATUS_CODES } from 'node:http';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import type { FuzzRequest, FuzzResponse } from './http';

/** A value that must never appear in an answer, and what to call it when it does. */
export interface Secret {
  name: string;
  value: string;
  /**
   * The caller's own (a bearer token): it may come back to the client that sent it, never to
   * another. Passwords and SECRET_KEY have no such exception.
   */
  echoed?: boolean;
}

export interface OracleOptions {
  secrets: Secret[];
  /** Secrets known by their form rather than their value (every password the run sets, say). */
  patterns?: Array<{ name: string; pattern: RegExp }>;
  /** Text that shows where the server runs (its data folder, its source tree): internals. */
  internals: string[];
  /** Paths whose answers (200 or 503) are Terminus bodies rather than the §HTTP error shape. */
  isHealthPath: (path: string) => boolean;
}

const ERROR_KEYS = new Set(['statusCode', 'error', 'message', 'details', 'requestId']);
/** A bcrypt hash in any of its prefixes. */
const BCRYPT_HASH = /\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}/;
/** A V8 stack frame ("at fn (/path/file.ts:10:5)"), the sign of an exception shown to a client. */
const STACK_FRAME = /\bat (?:async )?[\w.$<>[\] ]+ \(?(?:\/|node:|file:)[^)\s]*:\d+:\d+\)?/;
/** JSON keys that name a secret: a response holding one shows it, whatever its value. */
const SECRET_KEY_NAME = /^(hashed_?password|password(_?hash)?|secret(_?key)?|hashedPassword|passwordHash)$/i;

/**
 * Every maximal run of 13–19 digits that passes the Luhn check: a full card number. A run inside a
 * hex word of 32 characters or more (a sha256, a hash) is part of that word, not a number: one in
 * ten such runs would pass the check by chance.
 */
export function fullCardNumbers(text: string): string[] {
  return [...text.matchAll(/(?<!\d)\d{13,19}(?!\d)/g)].filter((m) => luhnValid(m[0]) && !insideHexWord(text, m.index, m[0].length)).map((m) => m[0]);
}

const HEX = /[0-9a-f]/i;

function insideHexWord(text: string, at: number, length: number): boolean {
  let start = at;
  let end = at + length;
  while (start > 0 && HEX.test(text[start - 1])) start -= 1;
  while (end < text.length && HEX.test(text[end])) end += 1;
  return end - start >= 32;
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let k = digits.length - 1, position = 0; k >= 0; k--, position++) {
    let d = digits.charCodeAt(k) - 48;
    if (position % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** The body as the client reads it: decompressed when the server compressed it. */
export function decodedBody(res: FuzzResponse): Buffer {
  const encoding = String(res.headers['content-encoding'] ?? '').toLowerCase();
  try {
    if (encoding === 'gzip') return gunzipSync(res.body);
    if (encoding === 'deflate') return inflateSync(res.body);
    if (encoding === 'br') return brotliDecompressSync(res.body);
  } catch {
    return res.body;
  }
  return res.body;
}

/** Everything a request carried, as text: where the caller's own token may be found. */
export function sentText(request: FuzzRequest | undefined): string {
  if (!request) return '';
  if (request.raw) return request.raw.toString('latin1');
  return [request.target, ...request.headers.map(([name, value]) => `${name}: ${value}`), request.body?.toString('utf8') ?? ''].join('\n');
}

/**
 * What is wrong with one answer, as short sentences (empty when nothing is): no answer, a 5xx, an
 * error body outside §HTTP's shape, a missing X-Request-Id, a secret, a password hash, a full card
 * number, a stack trace or a server path anywhere in the status line's headers or the body. Only the
 * caller's own token may come back to the client that sent it; a card number, even one the request
 * itself carried (a 404 names the URL it was asked for), never does.
 */
export function problemsOf(method: string, path: string, res: FuzzResponse, options: OracleOptions, request?: FuzzRequest): string[] {
  const problems: string[] = [];
  if (res.status === 0) return ['no HTTP answer (the connection closed without one)'];
  if (res.status >= 500) problems.push(`answered ${res.status}`);
  const requestId = res.headers['x-request-id'];
  if (typeof requestId !== 'string' || requestId === '') problems.push('no X-Request-Id header');

  const body = decodedBody(res);
  const text = body.toString('utf8');
  const headersText = Object.entries(res.headers)
    .map(([name, value]) => `${name}: ${String(value)}`)
    .join('\n');
  const json = /json/i.test(String(res.headers['content-type'])) ? parseJson(text) : undefined;

  const health = options.isHealthPath(path) && (method === 'GET' || method === 'HEAD') && (res.status === 200 || res.status === 503);
  if (health) problems.push(...terminusProblems(method, json));
  else if (res.status >= 400 && method !== 'HEAD') problems.push(...errorShapeProblems(res, json, requestId));
  if (res.status === 401 && !/^Bearer\b/.test(String(res.headers['www-authenticate'] ?? ''))) problems.push('401 without WWW-Authenticate: Bearer');
  if ((res.status === 429 || res.status === 503) && !/^\d+$/.test(String(res.headers['retry-after'] ?? ''))) problems.push(`${res.status} without Retry-After`);

  const sent = sentText(request);
  for (const where of [
    { name: 'body', text },
    { name: 'headers', text: headersText },
  ]) {
    for (const secret of options.secrets) {
      if (secret.value && where.text.includes(secret.value) && !(secret.echoed && sent.includes(secret.value)))
        problems.push(`${secret.name} in the ${where.name}`);
    }
    for (const { name, pattern } of options.patterns ?? [])
      if (pattern.test(where.text)) problems.push(`${name} in the ${where.name}: ${pattern.exec(where.text)![0]}`);
    if (BCRYPT_HASH.test(where.text)) problems.push(`a bcrypt password hash in the ${where.name}`);
    const cards = fullCardNumbers(where.text);
    if (cards.length > 0) {
      const at = where.text.indexOf(cards[0]);
      problems.push(`a full card number in the ${where.name}: ${where.text.slice(Math.max(0, at - 40), at)}${cards[0].slice(0, 6)}…${cards[0].slice(-4)}`);
    }
    if (STACK_FRAME.test(where.text)) problems.push(`a stack trace in the ${where.name}: ${STACK_FRAME.exec(where.text)![0]}`);
    for (const internal of options.internals) if (internal && where.text.includes(internal)) problems.push(`the server path ${internal} in the ${where.name}`);
  }
  if (json !== undefined) {
    const key = secretKeyIn(json.value);
    if (key) problems.push(`a field named "${key}" in the body`);
  }
  return problems;
}

function parseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

function errorShapeProblems(res: FuzzResponse, json: { value: unknown } | undefined, requestId: unknown): string[] {
  if (!/^application\/json\b/i.test(String(res.headers['content-type'])))
    return [`a ${res.status} that is not JSON (${res.headers['content-type'] ?? 'no Content-Type'})`];
  if (json === undefined) return [`a ${res.status} whose JSON does not parse`];
  const body = json.value as Record<string, unknown>;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return [`a ${res.status} whose body is not an object`];
  const problems: string[] = [];
  const extra = Object.keys(body).filter((key) => !ERROR_KEYS.has(key));
  if (extra.length > 0) problems.push(`error body has fields outside the shape: ${extra.join(', ')}`);
  if (body.statusCode !== res.status) problems.push(`error body statusCode ${String(body.statusCode)} for a ${res.status}`);
  if (body.error !== STATUS_CODES[res.status]) problems.push(`error body error ${JSON.stringify(body.error)}, not ${JSON.stringify(STATUS_CODES[res.status])}`);
  if (typeof body.message !== 'string' || body.message === '') problems.push('error body without a message');
  if (typeof body.requestId !== 'string' || body.requestId !== requestId)
    problems.push(`error body requestId ${JSON.stringify(body.requestId)} is not the X-Request-Id ${JSON.stringify(requestId)}`);
  if (body.details !== undefined && !validDetails(body.details))
    problems.push(`error body details are not [{field, problems: [text]}]: ${JSON.stringify(body.details).slice(0, 200)}`);
  return problems;
}

const validDetails = (details: unknown) =>
  Array.isArray(details) &&
  details.length > 0 &&
  details.every(
    (d) =>
      d !== null &&
      typeof d === 'object' &&
      typeof (d as { field?: unknown }).field === 'string' &&
      Array.isArray((d as { problems?: unknown }).problems) &&
      (d as { problems: unknown[] }).problems.length > 0 &&
      (d as { problems: unknown[] }).problems.every((p) => typeof p === 'string' && p !== ''),
  );

/** Terminus answers `{status, info?, error?, details}` with a status of its own words. */
function terminusProblems(method: string, json: { value: unknown } | undefined): string[] {
  if (method === 'HEAD') return [];
  const body = json?.value as { status?: unknown; details?: unknown } | undefined;
  if (!body || typeof body !== 'object') return ['a health answer that is not a JSON object'];
  if (!['ok', 'error', 'shutting_down'].includes(String(body.status))) return [`a health answer with status ${JSON.stringify(body.status)}`];
  // Liveness names no parts: `{status: "ok"}` is all it has to say.
  if (body.details !== undefined && (body.details === null || typeof body.details !== 'object')) return ['a health answer whose details are not an object'];
  return [];
}

/** The first key anywhere in `value` that names a secret (iterative: any depth). */
function secretKeyIn(value: unknown): string | undefined {
  const stack = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    for (const [key, child] of Object.entries(node)) {
      if (SECRET_KEY_NAME.test(key)) return key;
      stack.push(child);
    }
  }
  return undefined;
}
